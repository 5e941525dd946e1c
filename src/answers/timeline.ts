/**
 * A story's timeline (`/timeline`): the sentences that moved it forward, by day (or week), oldest
 * first. Sentences that report a fact already told (the same words, or nearly: `compare` from the
 * quote check) are left out, so the earliest report of each fact stays.
 */
import { compare, comparedWords } from './verify.js';

/** Past this many days between the first and last article, entries are weeks. */
export const TIMELINE_DAILY_SPAN_DAYS = 31;
/** Entries shown at most (the latest are kept when there are more). */
export const TIMELINE_ENTRIES = 12;
/** Bars of the coverage chart at most: the latest periods when the story spans more. */
export const CHART_PERIODS = 120;
/** Sentences per entry at most. */
const SENTENCES_PER_ENTRY = 2;
/** A second sentence joins its entry when it scores this close to the first. */
const SECOND_SENTENCE = 0.75;
/** This share of one sentence's words, in order, in another: the same fact reported again. */
const SAME_FACT = 0.7;

/** A sentence of a passage about the topic, scored against it. */
export interface DatedSentence<C> {
  date: string;
  articleId: string;
  text: string;
  score: number;
  citation: C;
}

export interface TimelineEntry<C> {
  date: string;
  sentences: { text: string; citation: C }[];
}

/** The day's (or week's) period start: the date itself, or the Monday of its week. */
export function periodOf(date: string, period: 'day' | 'week'): string {
  if (period === 'day') return date;
  const day = new Date(`${date}T00:00:00Z`);
  const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  return monday.toISOString().slice(0, 10);
}

/** Whether the story is told by day or by week: by its span. */
export function periodFor(dates: readonly string[]): 'day' | 'week' {
  if (dates.length === 0) return 'day';
  const sorted = [...dates].sort();
  const days = (Date.parse(sorted.at(-1)!) - Date.parse(sorted[0]!)) / 86_400_000;
  return days > TIMELINE_DAILY_SPAN_DAYS ? 'week' : 'day';
}

/** The entries: per period, the best sentence and a close second from another article, repeats of told facts left out. */
export function timelineEntries<C>(sentences: readonly DatedSentence<C>[], period: 'day' | 'week'): TimelineEntry<C>[] {
  const byPeriod = new Map<string, DatedSentence<C>[]>();
  for (const s of sentences) {
    const key = periodOf(s.date, period);
    const group = byPeriod.get(key);
    if (group) group.push(s);
    else byPeriod.set(key, [s]);
  }
  const told: string[][] = [];
  const entries: TimelineEntry<C>[] = [];
  for (const date of [...byPeriod.keys()].sort()) {
    const ranked = byPeriod.get(date)!.sort((a, b) => b.score - a.score || a.date.localeCompare(b.date));
    const chosen: DatedSentence<C>[] = [];
    for (const candidate of ranked) {
      if (chosen.length >= SENTENCES_PER_ENTRY) break;
      const first = chosen[0];
      if (first && (candidate.articleId === first.articleId || candidate.score < SECOND_SENTENCE * first.score)) continue;
      const words = comparedWords(candidate.text);
      if (told.some((earlier) => sameFact(words, earlier))) continue;
      chosen.push(candidate);
      told.push(words);
    }
    if (chosen.length) entries.push({ date, sentences: chosen.map((s) => ({ text: s.text, citation: s.citation })) });
  }
  return entries.slice(-TIMELINE_ENTRIES);
}

function sameFact(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  return compare(shorter, longer).similarity >= SAME_FACT;
}

/** Articles per period from the first to the last, the periods between at 0. */
export function coverageOf(dates: ReadonlyMap<string, string>, period: 'day' | 'week'): { date: string; articles: number }[] {
  const counts = new Map<string, number>();
  for (const date of dates.values()) counts.set(periodOf(date, period), (counts.get(periodOf(date, period)) ?? 0) + 1);
  const keys = [...counts.keys()].sort();
  if (keys.length === 0) return [];
  const step = (period === 'day' ? 1 : 7) * 86_400_000;
  const last = Date.parse(keys.at(-1)!);
  const from = Math.max(Date.parse(keys[0]!), last - (CHART_PERIODS - 1) * step);
  const series: { date: string; articles: number }[] = [];
  for (let t = from; t <= last; t += step) {
    const date = new Date(t).toISOString().slice(0, 10);
    series.push({ date, articles: counts.get(date) ?? 0 });
  }
  return series;
}

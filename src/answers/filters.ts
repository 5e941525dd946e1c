/**
 * Filters as people type them (`/ask since:"this week" outlet:Reuters`, the console's
 * `--since "last 7 days"`), read into the scope retrieval applies (`src/index/scope.ts`). Dates
 * are read by chrono relative to the moment of asking: a date (2026-01-20, jan 20), today,
 * yesterday, this week, last 7 days, 3 days ago, or a weekday (the latest one not after it).
 */
// The English locale alone: the bot speaks English, and the other locales triple what chrono holds in memory (9.5 MB, not 31).
import * as chrono from 'chrono-node/en';
import type { Scope } from '../index/scope.js';
import { UserError } from '../errors.js';
import { dayBefore } from './rank.js';

/** What a question may be narrowed to besides its moment. */
export type ArticleFilter = Omit<Scope, 'asOf'>;

/** The filters as typed. */
export interface FilterWords {
  since?: string;
  until?: string;
  outlet?: string;
  article?: string;
}

/** Longest text read as a date: chrono's patterns stay fast on short text, and no date is longer. */
export const MAX_DATE_WORDS = 60;
const DATE_EXAMPLES = 'a date (2026-01-20, jan 20) or words such as today, yesterday, this week, last 7 days, monday';
const WEEKDAYS = /^(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?$/i;

/**
 * The filter the words name, as of `asOf` (YYYY-MM-DD). `outletOf` and `articleOf` find what the
 * index holds for a typed outlet or article (undefined: nothing); each unknown value is refused
 * with a message naming its option.
 */
export function articleFilter(
  words: FilterWords,
  asOf: string,
  lookups: { outletOf(typed: string): string | undefined; articleOf(typed: string): string | undefined },
): ArticleFilter {
  const filter: ArticleFilter = {};
  if (words.since?.trim()) filter.since = dayOf(words.since, asOf, 'since');
  if (words.until?.trim()) filter.until = dayOf(words.until, asOf, 'until');
  if (filter.since && filter.until && filter.since > filter.until) {
    throw new UserError(`since (${filter.since}) is after until (${filter.until}).`);
  }
  if (words.outlet?.trim()) {
    const outlet = lookups.outletOf(words.outlet.trim());
    if (!outlet) throw new UserError(`No article in the collection comes from an outlet called "${words.outlet.trim()}" (outlet).`);
    filter.outlet = outlet;
  }
  if (words.article?.trim()) {
    const articleId = lookups.articleOf(words.article.trim());
    if (!articleId) throw new UserError(`No article matches "${words.article.trim()}" (article).`);
    filter.articleId = articleId;
  }
  return filter;
}

/** The day a phrase names, as of `asOf`; a weekday is the latest one not after it. */
export function dayOf(text: string, asOf: string, option: string): string {
  const typed = text.trim();
  if (typed.length > MAX_DATE_WORDS) throw new UserError(`${option}: at most ${MAX_DATE_WORDS} characters, for ${DATE_EXAMPLES}.`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(typed) && !Number.isNaN(Date.parse(`${typed}T00:00:00Z`))) return typed;
  const reference = new Date(`${asOf}T12:00:00Z`);
  const [found] = chrono.parse(typed, { instant: reference, timezone: 'UTC' });
  // The whole phrase must be the date: "since the war" is not a date chrono should guess from "the".
  if (!found || found.text.trim().length < typed.replace(/^(since|from|until|before|after)\s+/i, '').length) {
    throw new UserError(`${option}: "${typed}" is not a date I can read; use ${DATE_EXAMPLES}.`);
  }
  let day = found.start.date().toISOString().slice(0, 10);
  if (day > asOf && WEEKDAYS.test(found.text.trim())) day = dayBefore(day, 7);
  return day;
}

const TIME_ASKED = /\b(?:today|tonight|yesterday|this (?:morning|afternoon|evening|week|month))\b/i;

/** The time a question asks about ("what happened today", "this week"), and the day it starts, as of `asOf`. */
export function timeAsked(question: string, asOf: string): { asked: string; since: string } | undefined {
  const asked = TIME_ASKED.exec(question.slice(0, 1000))?.[0];
  if (!asked) return undefined;
  const phrase = /^this (?:morning|afternoon|evening)$|^tonight$/i.test(asked) ? 'today' : asked;
  return { asked: asked.toLowerCase(), since: dayOf(phrase, asOf, 'question') };
}

/** The filter in words, for messages: "since 2026-01-18, outlet Reuters". */
export function describeFilter(filter: ArticleFilter, titleOf: (id: string) => string | undefined): string {
  const parts: string[] = [];
  if (filter.since) parts.push(`since ${filter.since}`);
  if (filter.until) parts.push(`until ${filter.until}`);
  if (filter.outlet) parts.push(`outlet ${filter.outlet}`);
  if (filter.articleId) parts.push(`article "${titleOf(filter.articleId) ?? filter.articleId}"`);
  return parts.join(', ');
}

/**
 * The calendar day a date answer names, when the article leaves it relative: news writes "on
 * Sunday", "yesterday", "Sept. 14", meaning the days around the day it was published, and a
 * reader asking months later cannot tell which Sunday. The answer line keeps the article's words
 * (they are what the quotes show); this is the day beside them.
 */
// The English locale alone, as in filters.ts.
import * as chrono from 'chrono-node/en';

const DAY_MS = 86_400_000;
/** A date answer is a few words ("early December 2025"); anything longer is not read. */
const MAX_SPAN = 40;
/** Words before the day that say it is still to come: "will meet on Monday", "said it would reopen Monday". */
const FUTURE = /\b(?:will|would|shall|set to|scheduled|expected to|plans? to|due to|going to|upcoming)\b|'ll\b/i;
const RELATIVE_DAY = /\b(?:yesterday|today|tonight|tomorrow)\b/i;
const MONTH_DAY = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)/i;
const YEAR = /\b\d{4}\b/;

/**
 * The day (YYYY-MM-DD) that a date answer `span` names in a paragraph of an article published on
 * `published`, when the words leave it relative (a weekday, yesterday, a month and day without a
 * year); undefined when the span says its day in full, names no single day ("last week", "2028"),
 * or cannot be read.
 */
export function calendarDayOf(span: string, paragraph: string, published: string): string | undefined {
  const text = span.trim();
  if (!text || text.length > MAX_SPAN || YEAR.test(text)) return undefined;
  const at = paragraph.indexOf(text);
  const future = at >= 0 && FUTURE.test(clauseBefore(paragraph, at));
  const reference = new Date(`${published}T12:00:00Z`);
  if (Number.isNaN(reference.getTime())) return undefined;
  const [found] = chrono.parse(text, { instant: reference, timezone: 'UTC' }, { forwardDate: future });
  if (!found) return undefined;
  if (found.start.isCertain('weekday') && !found.start.isCertain('day')) return weekdayNear(reference, found.start.get('weekday')!, text, future);
  if (RELATIVE_DAY.test(text) || MONTH_DAY.test(text)) return found.start.isCertain('day') ? found.start.date().toISOString().slice(0, 10) : undefined;
  return undefined;
}

/** The sentence up to `at`, at most 200 characters back: where a "will" would say the day is to come. */
function clauseBefore(paragraph: string, at: number): string {
  const before = paragraph.slice(Math.max(0, at - 200), at);
  const stop = Math.max(before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '));
  return before.slice(stop + 1);
}

/**
 * The weekday's date around the publication: the latest one on or before it, or, for a day to
 * come, the first one on or after it; "last Tuesday" and "next Tuesday" are never the day itself.
 */
function weekdayNear(published: Date, weekday: number, text: string, future: boolean): string {
  const lower = text.toLowerCase();
  const ahead = /\bnext\b/.test(lower) || (future && !/\blast\b/.test(lower));
  const today = published.getUTCDay();
  let days = ahead ? (weekday - today + 7) % 7 : -((today - weekday + 7) % 7);
  if (days === 0 && /\b(?:last|next)\b/.test(lower)) days = ahead ? 7 : -7;
  return new Date(published.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

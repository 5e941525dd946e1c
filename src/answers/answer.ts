/**
 * The answer model: what the engine found, independent of how it is shown. The terminal and the
 * Discord renderers both draw from these types and nothing else.
 */

/** Passages in one answer (a page of "more"): the default when not asked, and the bounds everywhere. */
export const PASSAGES_PER_ANSWER = { min: 1, max: 10, default: 3 } as const;

/** Where a quote comes from: enough to cite it and to check it. */
export interface Citation {
  articleId: string;
  title: string;
  url?: string;
  outlet?: string;
  agency?: string;
  /** YYYY-MM-DD */
  date?: string;
  /** File (and line) or fetched link of the article: the reference shown when there is no url. */
  reference: string;
}

export interface Passage {
  citation: Citation;
  /** Position of the paragraph in its article (0-based). */
  position: number;
  /** The whole paragraph, for context. */
  paragraph: string;
  /** The one or two sentences that answer best, exactly as written, in article order. */
  quote: string[];
  score: number;
}

export interface Answer {
  kind: 'answer';
  question: string;
  /**
   * `answer`: the passages answer the question (with `answerLine` when the answer is a name,
   * place, date or number found in the first passage); `related`: the articles cover the story
   * but may not answer this exactly, so the closest passages are shown without an answer line.
   */
  confidence: 'answer' | 'related';
  /** The answer itself, as the first passage writes it: shown in bold above the quotes. */
  answerLine?: string;
  /** The day (YYYY-MM-DD) a date answer names when its article writes it relative to its own date ("Sunday", "Sept. 14"). */
  answerDay?: string;
  /** Date (YYYY-MM-DD) of the newest article the passages come from: the answer holds "as of" it. */
  asOf?: string;
  /** The question asks about a time ("today", "this week") no article is from: the newest article's date, to say so. */
  newestForTimeAsked?: { asked: string; newest: string };
  /** Grouped by outlet when they come from more than one (the outlet first quoted first). */
  passages: Passage[];
  /** When the passages come from more than one outlet: each, in order, with its answer (the span asked for) when it has one. */
  outlets?: { outlet: string; answer?: string }[];
  /** At least two outlets answer, and differently: the answer says so ("Reuters: 4 hours; AP: three hours"). */
  outletsDiffer?: boolean;
  /** Index of the first passage in the full ranking (for "more" pages). */
  offset: number;
  /** Whether further relevant passages exist beyond this page. */
  hasMore: boolean;
}

export interface Refusal {
  kind: 'refusal';
  question: string;
  message: string;
  /** Close matches to offer ("did you mean …"), when the request named something not found. */
  suggestions?: string[];
}

export type AskResult = Answer | Refusal;

/** An extractive summary of one article: its own sentences, exactly as written, in order. */
export interface Summary {
  kind: 'summary';
  citation: Citation;
  sentences: string[];
}

/** A digest across the articles that best match a topic: a sentence or two from each, cited. */
export interface Digest {
  kind: 'digest';
  topic: string;
  items: { citation: Citation; sentences: string[] }[];
}

export type SummaryResult = Summary | Digest | Refusal;

/** What the articles say about one person: roles, coverage and own words, all cited. */
export interface Profile {
  kind: 'person';
  name: string;
  aliases: string[];
  roles: { role: string; sentence: string; citation: Citation }[];
  /** Articles that mention the person, newest first. */
  articles: { citation: Citation; mentions: number }[];
  quotes: { text: string; citation: Citation }[];
}

/** The most mentioned people, each with their main role. */
export interface PeopleList {
  kind: 'people';
  people: { name: string; role?: string; articles: number; mentions: number }[];
}

export type WhoResult = Profile | PeopleList | Refusal;

/** A piece of a reworded quote against the article: shared words, words only the quote has, words only the article has. */
export interface QuoteDifference {
  text: string;
  change: 'same' | 'quote-only' | 'article-only';
}

/** What `/verify` found for a quote: in the articles word for word, in other words, or not at all. */
export interface Verification {
  kind: 'verification';
  quote: string;
  match: 'verbatim' | 'reworded' | 'not-found';
  /** The person the quote was checked against: only their attributed words counted. */
  person?: string;
  /** The article's sentence: holding the quote (verbatim), saying it in other words (reworded), or the closest (not found: not a match). */
  sentence?: string;
  citation?: Citation;
  /** Who says it in that article, when the article attributes it. */
  speaker?: string;
  /** 0–1: how closely the sentence says the quote (reworded, not found). */
  similarity?: number;
  /** The quote against the sentence, word by word (reworded). */
  differences?: QuoteDifference[];
  /** Verbatim: how many articles carry it, and the date it first appeared. */
  articles?: number;
  firstDate?: string;
  /** Not found for that person, but word for word in the articles: who says it there (if anyone), and where. */
  elsewhere?: { speaker?: string; citation: Citation };
}

export type VerifyResult = Verification | Refusal;

/** A story as dated entries (`/timeline`), oldest first, each sentence quoted exactly and cited. */
export interface Timeline {
  kind: 'timeline';
  topic: string;
  /** Days, or weeks (Monday's date) when the story spans more than `TIMELINE_DAILY_SPAN_DAYS`. */
  period: 'day' | 'week';
  entries: { date: string; sentences: { text: string; citation: Citation }[] }[];
  /** How many articles covered the topic on each day (each week), oldest first, with the days between at 0: the chart. */
  coverage: { date: string; articles: number }[];
}

export type TimelineResult = Timeline | Refusal;

/** New articles for a channel digest, newest first: each cited with a two-sentence extractive summary. */
export interface NewArticles {
  kind: 'new-articles';
  topic?: string;
  items: { citation: Citation; sentences: string[] }[];
  /** New articles beyond those listed (a post lists at most `DIGEST_POST_ARTICLES`). */
  more: number;
  /** When the newest of them was stored (ISO): the next digest's "since". */
  newest?: string;
}

/**
 * Checking a quote against the articles (`/verify`): word for word, in other words, or not at
 * all. Quotes are compared as lower-cased words, so curly and straight quotes, dashes,
 * punctuation and whitespace never decide a match; the words that differ are found by a word
 * diff (jsdiff's `diffArrays`, longest common subsequence).
 */
import { diffArrays } from 'diff';
import { splitSentences } from '../articles/sentences.js';

/** The longest quote checked (Discord's option allows it; longer text is not a quote). */
export const MAX_QUOTE_LENGTH = 500;
/** Fewer words than this is a phrase, not a quote: too common to attribute. */
export const MIN_QUOTE_WORDS = 3;
/**
 * A sentence sharing at least this share of the quote's words, in order (see `compare`), holds
 * the quote in other words. Measured with `npm run eval -- --verify` on dev: one word changed in
 * a sentence of 8 to 60 words scores 0.875 or more (100 of 100); the closest news sentence to a
 * sentence from elsewhere (the wiki articles) scores at most 0.438 (100 of 100).
 */
export const REWORDED_SIMILARITY = 0.7;

/** Words of a quote or sentence compared at most: a quote of 500 characters has about 100. */
const MAX_COMPARED_WORDS = 300;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** The words of a text as compared: lower case, apostrophes straightened, NFKC (full-width forms, ligatures). */
export function comparedWords(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(WORD) ?? []).map((w) => w.replace(/’/g, "'"));
}

/** Where the quote's words occur, one after another, in a text's words; -1 when they do not. */
export function verbatimAt(quote: readonly string[], text: readonly string[]): number {
  if (quote.length === 0 || quote.length > text.length) return -1;
  outer: for (let start = 0; start + quote.length <= text.length; start++) {
    for (let i = 0; i < quote.length; i++) if (text[start + i] !== quote[i]) continue outer;
    return start;
  }
  return -1;
}

/** A piece of the comparison: words both share, words only the quote has, words only the article has. */
export interface Difference {
  text: string;
  change: 'same' | 'quote-only' | 'article-only';
}

export interface Comparison {
  /** 0–1: the words shared in order, as a share of the quote or of the sentence's matching stretch, whichever is longer. */
  similarity: number;
  /** The quote against the stretch of the sentence it matches, word by word. */
  differences: Difference[];
}

/**
 * How closely a sentence says the quote: the words they share in order (LCS), as a share of the
 * quote's words or of the stretch of the sentence from the first shared word to the last,
 * whichever is longer (a quote's words scattered through a long sentence are not the quote);
 * the longest run of the sentence's words the quote skips is left out of that stretch, as a
 * quote may leave out a clause. One word changed in a quote of n words scores (n-1)/n.
 */
export function compare(quote: readonly string[], sentence: readonly string[]): Comparison {
  // The diff costs (quote + sentence) × edits: a hostile article's 100,000-word "sentence" is compared by its start only.
  const parts = diffArrays([...quote.slice(0, MAX_COMPARED_WORDS)], [...sentence.slice(0, MAX_COMPARED_WORDS)]);
  let shared = 0;
  let first = -1;
  let last = -1;
  let at = 0;
  // The longest run of the article's words inside the match: one clause a quote leaves out ("…") is forgiven.
  let elided = 0;
  let pendingRun = 0;
  for (const part of parts) {
    if (part.added) {
      at += part.count ?? part.value.length;
      if (first >= 0) pendingRun = part.count ?? part.value.length;
    } else if (!part.removed) {
      elided = Math.max(elided, pendingRun);
      pendingRun = 0;
      const count = part.count ?? part.value.length;
      if (first < 0) first = at;
      at += count;
      last = at;
      shared += count;
    }
  }
  if (shared === 0) return { similarity: 0, differences: [{ text: quote.join(' '), change: 'quote-only' }] };
  const similarity = shared / Math.max(last - first - elided, quote.length);
  // Within the matched stretch only: the rest of the sentence is context, not a difference.
  const differences: Difference[] = [];
  at = 0;
  for (const part of parts) {
    const count = part.count ?? part.value.length;
    if (part.removed) differences.push({ text: part.value.join(' '), change: 'quote-only' });
    else {
      const inside = part.value.filter((_, i) => at + i >= first && at + i < last);
      if (inside.length) differences.push({ text: inside.join(' '), change: part.added ? 'article-only' : 'same' });
      at += count;
    }
  }
  return { similarity, differences };
}

/** A paragraph a quote is checked against, with who speaks in it (when the article attributes it). */
export interface QuoteSource<C> {
  articleId: string;
  paragraph: string;
  citation: C;
  /** YYYY-MM-DD, for the first appearance. */
  date?: string;
  speaker?: string;
}

export type QuoteCheck<C> =
  | { match: 'verbatim'; sentence: string; source: QuoteSource<C>; articles: number; firstDate?: string }
  | { match: 'reworded'; sentence: string; source: QuoteSource<C>; comparison: Comparison }
  | { match: 'not-found'; closest?: { sentence: string; source: QuoteSource<C>; similarity: number }; elsewhere?: QuoteSource<C> };

/**
 * Checks a quote against paragraphs: the earliest that holds it word for word (and how many
 * articles do), else the sentence that says it in other words, else the closest sentence. With a
 * speaker, only paragraphs attributed to that person count; a word-for-word match attributed to
 * someone else (or no one) is reported as `elsewhere`.
 */
export function checkQuote<C>(quote: string, sources: readonly QuoteSource<C>[], speaker?: string): QuoteCheck<C> {
  const words = comparedWords(quote);
  const counted = speaker === undefined ? sources : sources.filter((s) => s.speaker === speaker);
  const verbatim = counted.flatMap((source) => {
    const sentence = sentenceHolding(words, source.paragraph);
    return sentence === undefined ? [] : [{ source, sentence }];
  });
  if (verbatim.length) {
    const earliest = [...verbatim].sort((a, b) => (a.source.date ?? '9999').localeCompare(b.source.date ?? '9999'))[0]!;
    return { match: 'verbatim', sentence: earliest.sentence, source: earliest.source, articles: new Set(verbatim.map((v) => v.source.articleId)).size, ...(earliest.source.date ? { firstDate: earliest.source.date } : {}) };
  }
  let best: { sentence: string; source: QuoteSource<C>; comparison: Comparison } | undefined;
  for (const source of counted) {
    for (const sentence of sentenceSpans(source.paragraph)) {
      const comparison = compare(words, comparedWords(sentence));
      if (!best || comparison.similarity > best.comparison.similarity) best = { sentence, source, comparison };
    }
  }
  if (best && best.comparison.similarity >= REWORDED_SIMILARITY) return { match: 'reworded', ...best };
  const elsewhere = speaker === undefined ? undefined : sources.find((s) => sentenceHolding(words, s.paragraph) !== undefined);
  return {
    match: 'not-found',
    ...(best && best.comparison.similarity > 0 ? { closest: { sentence: best.sentence, source: best.source, similarity: best.comparison.similarity } } : {}),
    ...(elsewhere ? { elsewhere } : {}),
  };
}

/** The sentence (or run of sentences) of a paragraph that holds the quote word for word; undefined when none does. */
function sentenceHolding(quote: readonly string[], paragraph: string): string | undefined {
  const words = comparedWords(paragraph);
  const at = verbatimAt(quote, words);
  if (at < 0) return undefined;
  const sentences = splitSentences(paragraph).map((s) => s.text);
  let start = 0;
  const covering: string[] = [];
  for (const sentence of sentences) {
    const end = start + comparedWords(sentence).length;
    if (end > at && start < at + quote.length) covering.push(sentence);
    start = end;
  }
  return covering.length ? covering.join(' ') : paragraph;
}

/** A paragraph's sentences and each pair of neighbours: a quote may run across a full stop. */
function sentenceSpans(paragraph: string): string[] {
  const sentences = splitSentences(paragraph).map((s) => s.text);
  return [...sentences, ...sentences.slice(1).map((s, i) => `${sentences[i]} ${s}`)];
}

const SPEECH_VERBS = new Set(['said', 'says', 'told', 'tells', 'added', 'wrote', 'writes', 'stated', 'declared', 'insisted', 'warned', 'according', 'tweeted', 'posted', 'announced']);

/**
 * Who a paragraph reports as speaking, when the people index holds no quotation there: a person
 * the article names (full name, else surname) right before a speech verb ("Yuri Ushakov told
 * reporters…", "Ushakov said") or at the end of the sentence right after one ("…, said Yuri
 * Ushakov."); not one named as the object of what was said ("He said Igor Kostyukov would…").
 * Plain word comparisons, no pattern.
 */
export function reportedSpeaker(paragraph: string, names: readonly string[]): string | undefined {
  for (const sentence of splitSentences(paragraph)) {
    const words = comparedWords(sentence.text);
    const verbs = words.flatMap((w, i) => (SPEECH_VERBS.has(w) ? [i] : []));
    if (verbs.length === 0) continue;
    const speaks = (parts: string[]) => {
      const at = verbatimAt(parts, words);
      if (at < 0) return false;
      const end = at + parts.length;
      return verbs.some((v) => v === end || (v < at && at - v <= SPEAKER_AFTER_VERB && end === words.length));
    };
    const speaker = names.find((name) => speaks(comparedWords(name))) ?? names.find((name) => speaks(comparedWords(name).slice(-1)));
    if (speaker) return speaker;
  }
  return undefined;
}

/** "…, said Kremlin aide Yuri Ushakov.": the name starts at most this many words after the verb. */
const SPEAKER_AFTER_VERB = 4;

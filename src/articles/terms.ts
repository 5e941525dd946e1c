import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/** Besides the usual list: news attribution, honorifics, asking words, and what people type around a question in chat. */
const STOP_WORDS = new Set([
  ...eng,
  ...['said', 'says', 'also', 'would', 'could', 'will', 'shall', 'does', 'doing', 'us', 'mr', 'mrs', 'ms'],
  ...['which', 'what', 'who', 'whom', 'whose', 'when', 'where', 'why', 'how', 'whats', 'whos', 'wheres', 'hows'],
  ...['so', 'wait', 'anyone', 'anybody', 'ok', 'okay', 'gonna'],
]);
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** A lower-case word with its possessive, contraction and apostrophes folded ("moscow’s" → "moscow", "who'd" → "who"). */
function foldedWord(lower: string): string {
  return lower.replace(/['’](?:s|d|re|ve|ll|m)?$/, '').replace(/['’]/g, '');
}

/** Lower-cased words of a text, possessives, contractions and apostrophes folded ("Moscow’s" → "moscow", "who'd" → "who"). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map(foldedWord);
}

/** The words of a text as `words` gives them, each with its offsets in the text. */
export function wordTokens(text: string): { start: number; end: number; word: string }[] {
  return [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, word: foldedWord(m[0].toLowerCase()) }));
}

/** Stems of words already seen: the same few thousand words recur in every question and paragraph. */
const STEMS = new Map<string, string>();
const STEMS_KEPT = 100_000;

/** The Porter stem of a lower-case word. */
export function stemOf(word: string): string {
  let stem = STEMS.get(word);
  if (stem === undefined) {
    stem = stemmer(word);
    if (STEMS.size >= STEMS_KEPT) STEMS.clear();
    STEMS.set(word, stem);
  }
  return stem;
}

/** Index terms: words without stop words, Porter-stemmed. */
export function terms(text: string): string[] {
  const result: string[] = [];
  for (const word of words(text)) {
    if (!STOP_WORDS.has(word)) result.push(stemOf(word));
  }
  return result;
}

/** Whether a lower-case word is a stop or asking word (it is no index term). */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}


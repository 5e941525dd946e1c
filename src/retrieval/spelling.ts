/**
 * Typos in questions ("kremiln", "minimun wage", "natinal gas"): a word that neither the articles
 * nor everyday English know is replaced by the spelling one edit away (a letter deleted, inserted,
 * replaced, or two swapped) that the articles use most. Names the articles use are left as typed,
 * and so are chat spellings of asking words ("whats", "wich"), which the question's type reads.
 */
import { stemmer } from 'stemmer';
import { isStopWord, terms } from '../articles/terms.js';
import type { WordVectors } from '../embedding/word-vectors.js';
import type { Bm25Index } from './bm25.js';

/** How many paragraphs of the corpus hold a stem: the file index's BM25, or Postgres's figures. */
type DocumentFrequencies = Pick<Bm25Index, 'documentFrequency'>;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Shorter words have too many neighbours one edit away to guess from. */
const MIN_LENGTH = 4;
/** Longer "words" are not typos of a word (and would make too many candidates). */
const MAX_LENGTH = 20;
const WORD = /\p{L}+/gu;

/** Every spelling one edit away from a lower-case word. */
function oneEditAway(word: string): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail) found.add(head + tail.slice(1));
    if (tail.length > 1) found.add(head + tail[1] + tail[0] + tail.slice(2));
    for (const letter of LETTERS) {
      found.add(head + letter + tail);
      if (tail) found.add(head + letter + tail.slice(1));
    }
  }
  found.delete(word);
  return found;
}

/** The spelling the articles most likely meant, or undefined when the word is known or no fix is clear. */
export function correctedWord(word: string, bm25: DocumentFrequencies, english: WordVectors | undefined): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length < MIN_LENGTH || lower.length > MAX_LENGTH) return undefined;
  const stem = terms(lower)[0];
  if (!stem || bm25.documentFrequency(stem) > 0 || english?.has(lower)) return undefined;
  let best: { word: string; df: number } | undefined;
  for (const candidate of oneEditAway(lower)) {
    // One edit from a stop or asking word ("whats", "wich"): chat spelling of it, not a typo to fix.
    if (isStopWord(candidate)) return undefined;
    // Stemmed without the shared memo: hundreds of misspellings per word would only crowd it.
    const df = bm25.documentFrequency(stemmer(candidate));
    if (df > 0 && (!best || df > best.df)) best = { word: candidate, df };
  }
  return best?.word;
}

/** The question with its typos fixed (see `correctedWord`); everything else as written. */
export function correctedSpelling(text: string, bm25: DocumentFrequencies, english: WordVectors | undefined): string {
  return text.replace(WORD, (word) => correctedWord(word, bm25, english) ?? word);
}

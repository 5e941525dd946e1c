/**
 * Fuzzy lookups bounded whatever the index holds (autocomplete, /summary's article, /who's
 * person): Fuse compares the typed text with every candidate, so its time grows with their number
 * times the length typed (200 characters over 2,300 titles took 1.5 s on the event loop). A
 * cheap first pass keeps the candidates that share the most three-letter pieces with the typed
 * text, which a typo or a missing word changes little, and Fuse ranks only those, comparing
 * only the start of what was typed.
 */
import Fuse, { type FuseResult, type IFuseOptions } from 'fuse.js';

/**
 * Longest text the fuzzy search compares. Fuse reads a pattern in pieces of 32 characters, each
 * against every candidate, and 48 characters tell a title from the others as well as all of it:
 * typing on costs no more, and a title pasted with words after it still matches (compared whole,
 * a title followed by a sentence scored as no match).
 */
export const MAX_FUZZY_LOOKUP_LENGTH = 48;
/** Candidates the fuzzy search ranks, at most: those sharing the most three-letter pieces with the text. */
export const MAX_FUZZY_CANDIDATES = 100;

const GRAM = 3;

/** The three-letter pieces of a text, lower case, runs of whitespace read as one space; `open`: no closing space (a word still being typed). */
function gramsOf(text: string, open = false): Set<string> {
  const flat = ` ${text.toLowerCase().split(/\s+/).filter(Boolean).join(' ')}${open ? '' : ' '}`;
  const grams = new Set<string>();
  for (let i = 0; i + GRAM <= flat.length; i++) grams.add(flat.slice(i, i + GRAM));
  return grams;
}

export class Shortlist<T> {
  private readonly texts: string[];
  private readonly grams: Set<string>[];

  constructor(
    readonly items: readonly T[],
    textOf: (item: T) => string,
    private readonly fuseOptions: IFuseOptions<T>,
  ) {
    this.texts = items.map((item) => textOf(item).toLowerCase());
    this.grams = this.texts.map((text) => gramsOf(text));
  }

  /**
   * At most `limit` items, those sharing the most pieces with `query` first (in the given order
   * among equals). A query too short for a piece keeps the items that contain it.
   */
  candidates(query: string, limit = MAX_FUZZY_CANDIDATES): T[] {
    const wanted = [...gramsOf(query.slice(0, MAX_FUZZY_LOOKUP_LENGTH), true)];
    if (wanted.length === 0) {
      const typed = query.trim().toLowerCase();
      const found: T[] = [];
      for (let i = 0; i < this.items.length && found.length < limit; i++) if (this.texts[i]!.includes(typed)) found.push(this.items[i]!);
      return found;
    }
    const shared: { index: number; count: number }[] = [];
    this.grams.forEach((grams, index) => {
      let count = 0;
      for (const gram of wanted) if (grams.has(gram)) count += 1;
      if (count > 0) shared.push({ index, count });
    });
    shared.sort((a, b) => b.count - a.count || a.index - b.index);
    return shared.slice(0, limit).map(({ index }) => this.items[index]!);
  }

  /** Fuse's ranking of the shortlisted items against the start of `query`. */
  search(query: string, limit: number): FuseResult<T>[] {
    return new Fuse(this.candidates(query), this.fuseOptions).search(query.slice(0, MAX_FUZZY_LOOKUP_LENGTH), { limit });
  }
}

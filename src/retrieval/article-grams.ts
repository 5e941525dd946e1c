/**
 * A cheap first pass before the fuzzy search of titles (autocomplete, /summary's article): Fuse
 * compares the typed text with every title, id and file name, so its time grows with the number
 * of articles times the length of what was typed (200 characters over 2,300 titles took 1.5 s on
 * the event loop). This pass keeps the articles that share the most three-letter pieces with the
 * typed text, which a typo or a missing word changes little, and Fuse ranks only those.
 */
import type { IndexedArticle } from '../index/types.js';

const GRAM = 3;

/** The three-letter pieces of a text, lower case, runs of whitespace read as one space; `open`: no closing space (a word still being typed). */
function gramsOf(text: string, open = false): Set<string> {
  const flat = ` ${text.toLowerCase().split(/\s+/).filter(Boolean).join(' ')}${open ? '' : ' '}`;
  const grams = new Set<string>();
  for (let i = 0; i + GRAM <= flat.length; i++) grams.add(flat.slice(i, i + GRAM));
  return grams;
}

export class ArticleGrams {
  private readonly texts: string[];
  private readonly grams: Set<string>[];

  constructor(readonly articles: readonly IndexedArticle[]) {
    this.texts = articles.map((a) => `${a.title} ${a.id} ${a.source.location}`.toLowerCase());
    this.grams = this.texts.map((text) => gramsOf(text));
  }

  /**
   * At most `limit` articles, those sharing the most pieces with `query` first (in the given
   * order among equals). A query too short for a piece keeps the articles that contain it.
   */
  candidates(query: string, limit: number): IndexedArticle[] {
    const wanted = [...gramsOf(query, true)];
    if (wanted.length === 0) {
      const typed = query.trim().toLowerCase();
      const found: IndexedArticle[] = [];
      for (let i = 0; i < this.articles.length && found.length < limit; i++) if (this.texts[i]!.includes(typed)) found.push(this.articles[i]!);
      return found;
    }
    const shared: { index: number; count: number }[] = [];
    this.grams.forEach((grams, index) => {
      let count = 0;
      for (const gram of wanted) if (grams.has(gram)) count += 1;
      if (count > 0) shared.push({ index, count });
    });
    shared.sort((a, b) => b.count - a.count || a.index - b.index);
    return shared.slice(0, limit).map(({ index }) => this.articles[index]!);
  }
}

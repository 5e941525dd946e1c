import { terms } from './terms.js';

const K1 = 1.2;
const B = 0.75;

export interface Scored {
  row: number;
  score: number;
}

/** An inverted index over the paragraphs, built once per index generation. */
export class Bm25Index {
  private readonly postings = new Map<string, { rows: number[]; counts: number[] }>();
  private readonly lengths: Float32Array;
  private readonly averageLength: number;

  constructor(texts: readonly string[]) {
    this.lengths = new Float32Array(texts.length);
    let total = 0;
    texts.forEach((text, row) => {
      const counts = new Map<string, number>();
      const list = terms(text);
      for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, count] of counts) {
        let posting = this.postings.get(term);
        if (!posting) this.postings.set(term, (posting = { rows: [], counts: [] }));
        posting.rows.push(row);
        posting.counts.push(count);
      }
      this.lengths[row] = list.length;
      total += list.length;
    });
    this.averageLength = texts.length ? total / texts.length : 1;
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Inverse document frequency of a stemmed term (0 for an unknown term). */
  idf(term: string): number {
    const df = this.postings.get(term)?.rows.length ?? 0;
    if (df === 0) return 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** BM25 scores of every paragraph that shares a term with the query, unsorted. */
  scoreAll(query: string): Map<number, number> {
    const scores = new Map<number, number>();
    for (const term of new Set(terms(query))) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const idf = this.idf(term);
      posting.rows.forEach((row, i) => {
        const tf = posting.counts[i]!;
        const norm = tf + K1 * (1 - B + (B * this.lengths[row]!) / this.averageLength);
        scores.set(row, (scores.get(row) ?? 0) + (idf * tf * (K1 + 1)) / norm);
      });
    }
    return scores;
  }
}

import { terms } from './terms.js';

const K1 = 1.2;
const B = 0.75;

/**
 * An inverted index over the paragraphs, built once per index generation. Each posting keeps
 * its precomputed term-frequency factor, so a query only multiplies by idf and adds.
 */
export class Bm25Index {
  private readonly postings = new Map<string, { rows: Int32Array; weights: Float32Array }>();
  readonly size: number;
  /** Reused between queries: scores, and the rows a query touched (to clear them next time). */
  private readonly scores: Float32Array;
  private touched: Int32Array = new Int32Array(0);
  private touchedCount = 0;

  constructor(texts: readonly string[]) {
    this.size = texts.length;
    this.scores = new Float32Array(texts.length);
    const lists = new Map<string, { rows: number[]; counts: number[] }>();
    const lengths = new Float32Array(texts.length);
    let total = 0;
    texts.forEach((text, row) => {
      const counts = new Map<string, number>();
      const list = terms(text);
      for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, count] of counts) {
        let posting = lists.get(term);
        if (!posting) lists.set(term, (posting = { rows: [], counts: [] }));
        posting.rows.push(row);
        posting.counts.push(count);
      }
      lengths[row] = list.length;
      total += list.length;
    });
    const averageLength = texts.length ? total / texts.length : 1;
    for (const [term, { rows, counts }] of lists) {
      const weights = new Float32Array(rows.length);
      rows.forEach((row, i) => {
        const tf = counts[i]!;
        weights[i] = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[row]!) / averageLength));
      });
      this.postings.set(term, { rows: Int32Array.from(rows), weights });
    }
  }

  /** Inverse document frequency of a stemmed term (0 for an unknown term). */
  idf(term: string): number {
    const df = this.postings.get(term)?.rows.length ?? 0;
    if (df === 0) return 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /**
   * Scores every paragraph sharing a term with the query. The returned view is valid until the
   * next call: `scores[row]` for any row, and `rows` for those with a non-zero score.
   */
  score(query: string): { scores: Float32Array; rows: Int32Array } {
    for (let i = 0; i < this.touchedCount; i++) this.scores[this.touched[i]!] = 0;
    this.touchedCount = 0;
    const lists = [...new Set(terms(query))].map((t) => [this.postings.get(t), this.idf(t)] as const).filter(([p]) => p);
    const bound = lists.reduce((sum, [p]) => sum + p!.rows.length, 0);
    if (this.touched.length < bound) this.touched = new Int32Array(bound);
    for (const [posting, idf] of lists) {
      const { rows, weights } = posting!;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (this.scores[row] === 0) this.touched[this.touchedCount++] = row;
        this.scores[row]! += idf * weights[i]!;
      }
    }
    return { scores: this.scores, rows: this.touched.subarray(0, this.touchedCount) };
  }
}

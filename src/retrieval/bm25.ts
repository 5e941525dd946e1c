import { Bm25Postings } from '../index/postings.js';
import type { TermLists } from '../index/term-lists.js';

export { Bm25Postings };

const K1 = 1.2;
const B = 0.75;

/**
 * BM25 over the parts of a corpus (one per segment), as if over one table: the documents of part
 * i are numbered from its `docBase`; document frequencies and the average length are the whole
 * corpus's. A term's weight in a document is computed when scored (from its count and the
 * document's length), so a part's postings never depend on the other parts.
 */
export class Bm25Index {
  readonly size: number;
  private readonly averageLength: number;
  /** Reused between queries: scores, and the documents a query touched (to clear them next time). */
  private readonly scores: Float32Array;
  private touched = new Int32Array(0);
  private touchedCount = 0;
  private readonly documentFrequencies = new Map<string, number>();

  constructor(private readonly parts: readonly { postings: Bm25Postings; docBase: number }[]) {
    this.size = parts.reduce((sum, p) => sum + p.postings.docs, 0);
    this.averageLength = parts.reduce((sum, p) => sum + p.postings.totalLength, 0) / Math.max(1, this.size) || 1;
    this.scores = new Float32Array(this.size);
  }

  /** One part over every row of `lists`: a corpus that is not segmented. */
  static of(lists: TermLists, docOfRow?: Int32Array, docCount?: number): Bm25Index {
    const rows = Array.from({ length: lists.offsets.length - 1 }, (_, i) => i);
    return new Bm25Index([{ postings: Bm25Postings.build(lists, rows, docOfRow && ((i) => docOfRow[i]!), docCount), docBase: 0 }]);
  }

  /**
   * The mean idf of the vocabulary: raw BM25 scores grow with the corpus through idf, so a
   * threshold on them is expressed in units of this to hold on a corpus of another size.
   */
  get meanIdf(): number {
    if (this.meanIdfCache === undefined) {
      const df = new Map<string, number>();
      for (const { postings } of this.parts) {
        for (const [term, id] of postings.termIndex) df.set(term, (df.get(term) ?? 0) + postings.postingStart[id + 1]! - postings.postingStart[id]!);
      }
      let sum = 0;
      for (const count of df.values()) sum += Math.log(1 + (this.size - count + 0.5) / (count + 0.5));
      this.meanIdfCache = sum / Math.max(1, df.size) || 1;
    }
    return this.meanIdfCache;
  }

  private meanIdfCache: number | undefined;

  /** The idf of a term found in one document: the weight of the rarest term. */
  get maxIdf(): number {
    return Math.log(1 + (this.size - 0.5) / 1.5);
  }

  /** How many documents hold a stemmed term. */
  documentFrequency(term: string): number {
    let df = this.documentFrequencies.get(term);
    if (df === undefined) {
      df = this.parts.reduce((sum, p) => sum + p.postings.documentFrequency(term), 0);
      if (this.documentFrequencies.size > 100_000) this.documentFrequencies.clear();
      this.documentFrequencies.set(term, df);
    }
    return df;
  }

  /** Inverse document frequency of a stemmed term (0 for an unknown term). */
  idf(term: string): number {
    const df = this.documentFrequency(term);
    return df === 0 ? 0 : Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /**
   * Scores every document sharing a term (stem) with the query. The returned view is valid until the
   * next call: `scores[doc]` for any document, and `rows` for those with a non-zero score.
   */
  score(queryTerms: readonly string[]): { scores: Float32Array; rows: Int32Array } {
    for (let i = 0; i < this.touchedCount; i++) this.scores[this.touched[i]!] = 0;
    this.touchedCount = 0;
    const wanted = [...new Set(queryTerms)].filter((term) => this.documentFrequency(term) > 0);
    const bound = wanted.reduce((sum, term) => sum + this.documentFrequency(term), 0);
    if (this.touched.length < bound) this.touched = new Int32Array(bound);
    const lengthNorm = K1 / this.averageLength;
    for (const term of wanted) {
      const idf = this.idf(term);
      for (const { postings, docBase } of this.parts) {
        const id = postings.termIndex.get(term);
        if (id === undefined) continue;
        for (let i = postings.postingStart[id]!; i < postings.postingStart[id + 1]!; i++) {
          const local = postings.postingDocs[i]!;
          const tf = postings.postingCounts[i]!;
          const weight = Math.fround((tf * (K1 + 1)) / (tf + K1 * (1 - B) + lengthNorm * B * postings.lengths[local]!));
          const doc = docBase + local;
          if (this.scores[doc] === 0) this.touched[this.touchedCount++] = doc;
          this.scores[doc]! += idf * weight;
        }
      }
    }
    return { scores: this.scores, rows: this.touched.subarray(0, this.touchedCount) };
  }
}

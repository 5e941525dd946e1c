import type { TermLists } from '../index/term-lists.js';

const K1 = 1.2;
const B = 0.75;

/**
 * BM25 over documents made of rows of term lists: each paragraph its own document, or all the
 * paragraphs of an article one document (`docOfRow`, with the rows of a document contiguous).
 * Postings are typed arrays grouped by term, each with its precomputed term-frequency factor,
 * so a query only multiplies by idf and adds.
 */
export class Bm25Index {
  readonly size: number;
  private readonly termIndex: Map<string, number>;
  private readonly postingStart: Uint32Array;
  private readonly postingDocs: Int32Array;
  private readonly postingWeights: Float32Array;
  /** Reused between queries: scores, and the documents a query touched (to clear them next time). */
  private readonly scores: Float32Array;
  private touched = new Int32Array(0);
  private touchedCount = 0;

  constructor(lists: TermLists, docOfRow?: Int32Array, docCount?: number) {
    const rows = lists.offsets.length - 1;
    this.size = docCount ?? rows;
    const doc = (row: number) => (docOfRow ? docOfRow[row]! : row);
    this.termIndex = new Map(lists.vocabulary.map((term, id) => [term, id]));
    const termCount = lists.vocabulary.length;

    // Counting sort of the (row, term) pairs by term: within a term, rows stay in order.
    const start = new Uint32Array(termCount + 1);
    for (const id of lists.termIds) start[id + 1]! += 1;
    for (let t = 0; t < termCount; t++) start[t + 1]! += start[t]!;
    const fill = start.slice(0, termCount);
    const docs = new Int32Array(lists.termIds.length);
    const counts = new Float32Array(lists.termIds.length);
    const lengths = new Float32Array(this.size);
    for (let row = 0; row < rows; row++) {
      for (let i = lists.offsets[row]!; i < lists.offsets[row + 1]!; i++) {
        const at = fill[lists.termIds[i]!]!++;
        docs[at] = doc(row);
        counts[at] = lists.counts[i]!;
        lengths[doc(row)]! += lists.counts[i]!;
      }
    }
    // Merge the consecutive postings of one document (several rows of one article).
    this.postingStart = new Uint32Array(termCount + 1);
    let out = 0;
    for (let t = 0; t < termCount; t++) {
      this.postingStart[t] = out;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        if (out > this.postingStart[t]! && docs[out - 1] === docs[i]) counts[out - 1]! += counts[i]!;
        else {
          docs[out] = docs[i]!;
          counts[out++] = counts[i]!;
        }
      }
    }
    this.postingStart[termCount] = out;
    const averageLength = lengths.reduce((sum, l) => sum + l, 0) / Math.max(1, this.size) || 1;
    this.postingDocs = docs.slice(0, out);
    this.postingWeights = new Float32Array(out);
    for (let i = 0; i < out; i++) {
      const tf = counts[i]!;
      this.postingWeights[i] = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[this.postingDocs[i]!]!) / averageLength));
    }
    this.scores = new Float32Array(this.size);
  }

  /**
   * The mean idf of the vocabulary: raw BM25 scores grow with the corpus through idf, so a
   * threshold on them is expressed in units of this to hold on a corpus of another size.
   */
  get meanIdf(): number {
    if (this.meanIdfCache === undefined) {
      let sum = 0;
      for (let id = 0; id + 1 < this.postingStart.length; id++) {
        const df = this.postingStart[id + 1]! - this.postingStart[id]!;
        sum += Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
      }
      this.meanIdfCache = sum / Math.max(1, this.postingStart.length - 1) || 1;
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
    const id = this.termIndex.get(term);
    return id === undefined ? 0 : this.postingStart[id + 1]! - this.postingStart[id]!;
  }

  /** Inverse document frequency of a stemmed term (0 for an unknown term). */
  idf(term: string): number {
    const id = this.termIndex.get(term);
    if (id === undefined) return 0;
    const df = this.postingStart[id + 1]! - this.postingStart[id]!;
    return df === 0 ? 0 : Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /**
   * Scores every document sharing a term (stem) with the query. The returned view is valid until the
   * next call: `scores[doc]` for any document, and `rows` for those with a non-zero score.
   */
  score(queryTerms: readonly string[]): { scores: Float32Array; rows: Int32Array } {
    for (let i = 0; i < this.touchedCount; i++) this.scores[this.touched[i]!] = 0;
    this.touchedCount = 0;
    const ids = [...new Set(queryTerms)].map((t) => this.termIndex.get(t)).filter((id): id is number => id !== undefined);
    const bound = ids.reduce((sum, id) => sum + this.postingStart[id + 1]! - this.postingStart[id]!, 0);
    if (this.touched.length < bound) this.touched = new Int32Array(bound);
    for (const id of ids) {
      const df = this.postingStart[id + 1]! - this.postingStart[id]!;
      const idf = Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
      for (let i = this.postingStart[id]!; i < this.postingStart[id + 1]!; i++) {
        const doc = this.postingDocs[i]!;
        if (this.scores[doc] === 0) this.touched[this.touchedCount++] = doc;
        this.scores[doc]! += idf * this.postingWeights[i]!;
      }
    }
    return { scores: this.scores, rows: this.touched.subarray(0, this.touchedCount) };
  }
}

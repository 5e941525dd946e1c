import { Bm25Postings } from '../index/postings.js';
import type { TermLists } from '../index/term-lists.js';

export { Bm25Postings };

const K1 = 1.2;
const B = 0.75;

/**
 * Figures of the whole corpus when the parts hold only some of it (the rows a question reads
 * from Postgres): scores are then those of the whole corpus, as if every row were here.
 */
export interface CorpusStats {
  documents: number;
  averageLength: number;
  documentFrequency(term: string): number;
  meanIdf: number;
}

/**
 * BM25 over the parts of a corpus (one per segment), as if over one table: the documents of part
 * i are numbered from its `docBase`; document frequencies and the average length are the whole
 * corpus's. A term's weight in a document is computed when scored (from its count and the
 * document's length), so a part's postings never depend on the other parts.
 */
export class Bm25Index {
  /** Documents in the parts. */
  readonly size: number;
  /** Documents in the corpus: the parts', or the whole corpus's given by `CorpusStats`. */
  private readonly documents: number;
  private readonly averageLength: number;
  /** Reused between queries: scores, and the documents a query touched (to clear them next time). */
  private readonly scores: Float32Array;
  private touched = new Int32Array(0);
  private touchedCount = 0;
  private readonly documentFrequencies = new Map<string, number>();

  constructor(
    private readonly parts: readonly { postings: Bm25Postings; docBase: number }[],
    private readonly corpus?: CorpusStats,
  ) {
    this.size = parts.reduce((sum, p) => sum + p.postings.docs, 0);
    this.documents = corpus?.documents ?? this.size;
    this.averageLength = corpus?.averageLength ?? (parts.reduce((sum, p) => sum + p.postings.totalLength, 0) / Math.max(1, this.size) || 1);
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
    if (this.corpus) return this.corpus.meanIdf;
    if (this.meanIdfCache === undefined) {
      const df = new Map<string, number>();
      for (const { postings } of this.parts) {
        for (const [term, id] of postings.termIndex) df.set(term, (df.get(term) ?? 0) + postings.postingStart[id + 1]! - postings.postingStart[id]!);
      }
      let sum = 0;
      for (const count of df.values()) sum += idfOf(this.size, count);
      this.meanIdfCache = sum / Math.max(1, df.size) || 1;
    }
    return this.meanIdfCache;
  }

  private meanIdfCache: number | undefined;

  /** The idf of a term found in one document: the weight of the rarest term. */
  get maxIdf(): number {
    return idfOf(this.documents, 1);
  }

  /** How many documents of the corpus hold a stemmed term. */
  documentFrequency(term: string): number {
    return this.corpus ? this.corpus.documentFrequency(term) : this.partsFrequency(term);
  }

  /** How many documents of the parts hold a stemmed term. */
  private partsFrequency(term: string): number {
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
    return df === 0 ? 0 : idfOf(this.documents, df);
  }

  /**
   * Scores every document sharing a term (stem) with the query, each term's idf times its weight
   * (1 unless given: a follow-up's earlier question weighs less). The returned view is valid until
   * the next call: `scores[doc]` for any document, and `rows` for those with a non-zero score.
   */
  score(queryTerms: readonly string[], weights?: ReadonlyMap<string, number>): { scores: Float32Array; rows: Int32Array } {
    for (let i = 0; i < this.touchedCount; i++) this.scores[this.touched[i]!] = 0;
    this.touchedCount = 0;
    const wanted = [...new Set(queryTerms)].filter((term) => this.partsFrequency(term) > 0);
    const bound = wanted.reduce((sum, term) => sum + this.partsFrequency(term), 0);
    if (this.touched.length < bound) this.touched = new Int32Array(bound);
    const lengthNorm = K1 / this.averageLength;
    for (const term of wanted) {
      const idf = this.idf(term) * (weights?.get(term) ?? 1);
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

/** BM25's inverse document frequency of a term that `df` of `documents` hold. */
export function idfOf(documents: number, df: number): number {
  return Math.log(1 + (documents - df + 0.5) / (df + 0.5));
}

import type { Snapshot } from '../index/store.js';
import { Bm25Index } from './bm25.js';
import { denseScores, topK } from './top-k.js';

export type RetrievalMode = 'hybrid' | 'bm25' | 'dense';

export interface Hit {
  row: number;
  /** The fused score that orders hits (reciprocal rank fusion for hybrid). */
  score: number;
  /** Cosine similarity between the question and the paragraph. */
  dense: number;
  /** BM25 score of the paragraph (0 when it shares no term with the question). */
  bm25: number;
}

/** Candidates taken from each ranking before fusion. */
const POOL = 100;
/** Reciprocal rank fusion constant (Cormack et al. 2009). */
const RRF_K = 60;

/** Hybrid retrieval over one index generation: dense cosine and BM25, fused by reciprocal rank. */
export class Retriever {
  readonly bm25: Bm25Index;

  constructor(readonly snapshot: Snapshot) {
    this.bm25 = new Bm25Index(snapshot.paragraphs.map((p) => p.text));
  }

  search(question: string, queryVector: Float32Array, k: number, mode: RetrievalMode = 'hybrid'): Hit[] {
    const { vectors, manifest } = this.snapshot;
    const lexical = this.bm25.scoreAll(question);
    const denseOf = (row: number) => {
      let dot = 0;
      const d = manifest.model.dimensions;
      for (let i = 0; i < d; i++) dot += vectors[row * d + i]! * queryVector[i]!;
      return dot;
    };
    const hit = (row: number, score: number): Hit => ({ row, score, dense: denseOf(row), bm25: lexical.get(row) ?? 0 });

    if (mode === 'bm25') return topK(k, lexical).map((r) => hit(r.row, r.score));
    const dense = topK(mode === 'dense' ? k : POOL, denseScores(vectors, manifest.model.dimensions, queryVector));
    if (mode === 'dense') return dense.map((r) => hit(r.row, r.score));

    const fused = new Map<number, number>();
    const addRanks = (ranking: { row: number }[]) =>
      ranking.forEach((r, rank) => fused.set(r.row, (fused.get(r.row) ?? 0) + 1 / (RRF_K + rank + 1)));
    addRanks(dense);
    addRanks(topK(POOL, lexical));
    return topK(k, fused).map((r) => hit(r.row, r.score));
  }
}

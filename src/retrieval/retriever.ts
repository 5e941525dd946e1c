import type { Segment, Snapshot } from '../index/types.js';
import { postingsOfRows, type SegmentPostings } from '../index/postings.js';
import { Bm25Index, type CorpusStats } from './bm25.js';
import { quantize, quantizedRowsOf, type QuantizedRows } from '../embedding/quantize.js';
import { DenseScanner, QUANTIZE_FROM_ROWS, RESCORED_ROWS } from './dense-scan.js';
import { topK, topKOfAll } from './top-k.js';
import { inScope, isEverything, scopeKey, type Scope } from '../index/scope.js';

export type RetrievalMode = 'hybrid' | 'bm25' | 'dense';

export interface Hit {
  row: number;
  /** Rank of the paragraph's article by article-level BM25 (0 = best; ARTICLE_POOL when not among the best). */
  articleRank: number;
  /** The fused score that orders hits (reciprocal rank fusion for hybrid). */
  score: number;
  /** Cosine similarity between the question and the paragraph. */
  dense: number;
  /** BM25 score of the paragraph (0 when it shares no term with the question). */
  bm25: number;
}

/** Candidates taken from each ranking before fusion. */
export const POOL = 100;
/** Articles whose paragraphs all join the candidates. */
export const ARTICLE_POOL = 5;
/**
 * Paragraphs are ranked by a mix of BM25 (scaled by the best score) and cosine similarity; that
 * ranking is then fused by reciprocal rank (Cormack et al. 2009) with the BM25 rank of the whole
 * article (a quiz question names the story more than the sentence) and the paragraph's position
 * (news puts the facts first). Tuned on the dev split (README, "Evaluation"): plain RRF of the
 * paragraph rankings reached Hit@1 0.56 / Hit@5 0.82, this fusion 0.57 / 0.86.
 */
/** Scopes whose rows in scope are kept: one per server and channel setting in use, with the day of asking. */
const AVAILABILITY_KEPT = 64;
const RRF_K = 10;
const WEIGHTS = { lexical: 0.7, paragraph: 2, article: 2, position: 0.3 } as const;

export interface SearchOptions {
  mode?: RetrievalMode;
  /** The articles it may answer from: those after "as of", or outside a filter, are left out before ranking. */
  scope?: Scope;
  /** Stems that count less than 1 in BM25 (a follow-up's earlier question). */
  weights?: ReadonlyMap<string, number>;
}

/** What search needs of a cosine scan: the scanner over the snapshot's vectors, or scores given. */
type DenseScores = Pick<DenseScanner, 'scores' | 'approximates' | 'refine'>;

/** The question's cosine with each row, computed where the vectors are (in Postgres): given, not scanned. */
class GivenScores implements DenseScores {
  readonly approximates = false;
  constructor(private readonly given: Float32Array) {}
  /** A copy: search marks the rows not yet written at "as of" in it. */
  scores(): Float32Array {
    return this.given.slice();
  }
  refine(): void {}
}

/** BM25's figures of the whole corpus, for a snapshot that holds only some of its rows. */
export interface WholeCorpus {
  paragraphs: CorpusStats;
  articles: CorpusStats;
}

/** Hybrid retrieval over one index generation, or over the rows a question reads of a larger corpus (`whole`). */
export class Retriever {
  readonly bm25: Bm25Index;
  private readonly articleBm25: Bm25Index;
  /** The rows of article n (the table's number) are `articleRows[articleStart[n]]` up to `articleStart[n + 1]`. */
  private readonly articleStart: Int32Array;
  private readonly articleRows: Int32Array;
  private readonly dense: DenseScores;

  private mixedScratch: Float64Array | undefined;
  private fusedScratch: Float64Array | undefined;

  /** The last few "as of" masks: questions of one day share them. */
  private readonly availableCache = new Map<string, Uint8Array | undefined>();

  /**
   * `whole` and `denseScores` are for the rows one question reads of a corpus kept elsewhere: the
   * whole corpus's BM25 figures, and the question's cosine with each row (the snapshot then holds
   * no vectors), which a search then uses whatever query vector it is given.
   */
  constructor(
    readonly snapshot: Snapshot,
    whole?: WholeCorpus,
    denseScores?: Float32Array,
  ) {
    this.dense = denseScores ? new GivenScores(denseScores) : new DenseScanner(snapshot.vectors, snapshot.manifest.model.dimensions, quantizedParts(snapshot));
    // The table numbers articles in order of their first row, as the article-level postings do.
    const table = snapshot.paragraphs;
    this.articleStart = new Int32Array(table.articleIds.length + 1);
    for (let row = 0; row < table.length; row++) this.articleStart[table.articleOf(row) + 1]! += 1;
    for (let n = 0; n < table.articleIds.length; n++) this.articleStart[n + 1]! += this.articleStart[n]!;
    this.articleRows = new Int32Array(table.length);
    const filled = this.articleStart.slice(0, -1);
    for (let row = 0; row < table.length; row++) this.articleRows[filled[table.articleOf(row)]!++] = row;
    const parts = snapshot.layout.map(({ segment, rows }) => postingsOf(segment, rows));
    let rowBase = 0;
    let articleBase = 0;
    const paragraphParts = [];
    const articleParts = [];
    for (const part of parts) {
      paragraphParts.push({ postings: part.paragraphs, docBase: rowBase });
      articleParts.push({ postings: part.articles, docBase: articleBase });
      rowBase += part.paragraphs.docs;
      articleBase += part.articles.docs;
    }
    this.bm25 = new Bm25Index(paragraphParts, whole?.paragraphs);
    this.articleBm25 = new Bm25Index(articleParts, whole?.articles);
  }

  /** The rows of an article's paragraphs. */
  rowsOf(articleId: string): readonly number[] {
    const a = this.snapshot.paragraphs.articleNumber(articleId);
    return a === undefined ? [] : this.rowsOfNumber(a);
  }

  private rowsOfNumber(article: number): number[] {
    return Array.from(this.articleRows.subarray(this.articleStart[article]!, this.articleStart[article + 1]!));
  }

  /** Which rows are in scope; undefined when all of them are (the usual case: asked today), which spares a pass over every row. */
  private rowsAvailable(scope: Scope): Uint8Array | undefined {
    const key = scopeKey(scope);
    if (!this.availableCache.has(key)) {
      if (this.availableCache.size >= AVAILABILITY_KEPT) this.availableCache.delete(this.availableCache.keys().next().value!);
      this.availableCache.set(key, availability(this.snapshot, scope));
    }
    return this.availableCache.get(key);
  }

  /** The `n` best rows by dense score; from an approximate scan, the best `RESCORED_ROWS` are scored exactly first. */
  private bestDense(dense: Float32Array, n: number): { row: number; score: number }[] {
    if (!this.dense.approximates) return topKOfAll(n, dense).filter((r) => r.score > -Infinity);
    const rough = topKOfAll(Math.max(n, RESCORED_ROWS), dense)
      .filter((r) => r.score > -Infinity)
      .map((r) => r.row);
    this.dense.refine(rough);
    return topK(n, dense, rough);
  }

  /** The `k` best paragraphs for a question given as its stems (`terms`) and its embedding. */
  search(stems: readonly string[], queryVector: Float32Array, k: number, { mode = 'hybrid', scope = {}, weights }: SearchOptions = {}): Hit[] {
    const { paragraphs } = this.snapshot;
    const available = isEverything(scope) ? undefined : this.rowsAvailable(scope);
    const lexical = this.bm25.score(stems, weights);
    const lexicalRows = available ? lexical.rows.filter((row) => available[row] === 1) : lexical.rows;
    const dense = this.dense.scores(queryVector);
    if (available) for (let row = 0; row < dense.length; row++) if (available[row] === 0) dense[row] = -Infinity;
    const articleScores = this.articleBm25.score(stems, weights);
    const articleRows = available ? articleScores.rows.filter((a) => available[this.articleRows[this.articleStart[a]!]!] === 1) : articleScores.rows;
    const articles = topK(ARTICLE_POOL, articleScores.scores, articleRows);
    const articleRank = rankMap(articles);
    const hit = (row: number, score: number): Hit => ({
      row,
      score,
      articleRank: articleRank.get(this.snapshot.paragraphs.articleOf(row)) ?? ARTICLE_POOL,
      dense: dense[row]!,
      bm25: lexical.scores[row]!,
    });

    if (mode === 'bm25') return topK(k, lexical.scores, lexicalRows).map((r) => hit(r.row, r.score));
    if (mode === 'dense') return this.bestDense(dense, k).map((r) => hit(r.row, r.score));

    const rrf = (rank: number | undefined) => (rank === undefined ? 0 : 1 / (RRF_K + rank + 1));
    const lexicalPool = topK(POOL, lexical.scores, lexicalRows);
    const candidates = [
      ...new Set(
        [...this.bestDense(dense, POOL), ...lexicalPool]
          .map((r) => r.row)
          .concat(articles.flatMap((a) => this.rowsOfNumber(a.row))),
      ),
    ];
    this.dense.refine(candidates);
    const maxLexical = Math.max(1e-9, lexicalPool[0]?.score ?? 0);
    // Scratch tables reused by every search: only the candidates' entries are written and read.
    const mixed = (this.mixedScratch ??= new Float64Array(paragraphs.length));
    for (const row of candidates) mixed[row] = WEIGHTS.lexical * (lexical.scores[row]! / maxLexical) + (1 - WEIGHTS.lexical) * dense[row]!;
    const paragraphRank = rankMap(topK(POOL, mixed, candidates));
    const fused = (this.fusedScratch ??= new Float64Array(paragraphs.length));
    for (const row of candidates) {
      fused[row] =
        WEIGHTS.paragraph * rrf(paragraphRank.get(row)) +
        WEIGHTS.article * rrf(articleRank.get(paragraphs.articleOf(row))) +
        WEIGHTS.position * rrf(paragraphs.positionOf(row));
    }
    return topK(k, fused, candidates).map((r) => hit(r.row, r.score));
  }
}

type Kept<T> = WeakMap<Segment, { live: number; value: T }>;

/**
 * What retrieval derives from a segment's live rows, kept across reloads while they stay the same
 * (rows only ever die, so the same count means the same rows): a reload derives only the new
 * segments'.
 */
function keptWhileLive<T>(kept: Kept<T>, segment: Segment, rows: ArrayLike<number>, derive: () => T): T {
  const cached = kept.get(segment);
  if (cached?.live === rows.length) return cached.value;
  const value = derive();
  kept.set(segment, { live: rows.length, value });
  return value;
}

const keptPostings: Kept<SegmentPostings> = new WeakMap();
const keptCodes: Kept<QuantizedRows> = new WeakMap();

/** A segment's BM25 postings over its live rows: those it stores when every row is live, else built. */
function postingsOf(segment: Segment, rows: Int32Array): SegmentPostings {
  return keptWhileLive(keptPostings, segment, rows, () =>
    rows.length === segment.paragraphs.length && segment.postings
      ? segment.postings
      : postingsOfRows(segment.terms, (row) => segment.paragraphs.articleIdOf(row), rows),
  );
}

/**
 * The int8 codes of a large table, segment by segment, from the codes each segment stores (or
 * computed, for a segment written before they were); none for a table the float scan reads fast.
 */
function quantizedParts(snapshot: Snapshot): QuantizedRows[] {
  const dimensions = snapshot.manifest.model.dimensions;
  if (snapshot.paragraphs.length < QUANTIZE_FROM_ROWS || dimensions % 4 !== 0) return [];
  let base = 0;
  return snapshot.layout.map(({ segment, rows }) => {
    const start = base;
    base += rows.length;
    return keptWhileLive(keptCodes, segment, rows, () =>
      segment.quantized ? quantizedRowsOf(segment.quantized, rows, dimensions) : quantize(snapshot.vectors.subarray(start * dimensions, base * dimensions), dimensions),
    );
  });
}

/** Rows whose article is in scope; undefined when that is every row. */
function availability(snapshot: Snapshot, scope: Scope): Uint8Array | undefined {
  const table = snapshot.paragraphs;
  const articleAvailable = table.articleIds.map((id) => inScope(snapshot.manifest.articles.get(id), scope));
  if (articleAvailable.every(Boolean)) return undefined;
  const mask = new Uint8Array(table.length);
  for (let row = 0; row < table.length; row++) mask[row] = articleAvailable[table.articleOf(row)] ? 1 : 0;
  return mask;
}

function rankMap(ranking: { row: number }[]): Map<number, number> {
  return new Map(ranking.map((r, rank) => [r.row, rank]));
}

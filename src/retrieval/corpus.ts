import type { IndexTarget } from '../index/ingest.js';
import type { Manifest, Paragraph } from '../index/types.js';
import type { PeopleByArticle } from '../people/extract.js';
import type { Bm25Index } from './bm25.js';
import type { Retriever } from './retriever.js';
import type { Scope } from '../index/scope.js';

/**
 * What answers read the index through: the file index's live generation (`FileCorpus`, all of it
 * in memory), or Postgres (`PgCorpus`, where each question reads the rows of its candidates'
 * articles). Both give retrieval the same rows and figures for a question, so the same answers.
 */
export interface Corpus {
  /** Where writes go for it (ingest, feeds, `/add`). */
  readonly target: IndexTarget;
  /** Every article, by id. */
  readonly manifest: Manifest;
  /** Every article's people. */
  readonly people: PeopleByArticle;
  /** How many paragraphs of the whole corpus hold a stem (typo correction). */
  readonly vocabulary: Pick<Bm25Index, 'documentFrequency'>;
  /**
   * Hybrid retrieval over the rows a question reads (all of them, for the file index): those its
   * searches within each of `scopes` may return (the question's, and the week before it);
   * `weights` as in `SearchOptions`.
   */
  retrieverFor(stems: readonly string[], vector: Float32Array, scopes: readonly Scope[], weights?: ReadonlyMap<string, number>): Promise<Retriever>;
  /** An article's paragraphs in order. */
  paragraphsOf(articleId: string): Promise<Paragraph[]>;
  /** Switches to what was written since it was read; returns whether anything changed. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

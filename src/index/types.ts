/** The index's data as the rest of the pipeline sees it: retrieval and answers read these types. */
import type { Article } from '../articles/article.js';
import type { PeopleByArticle } from '../people/extract.js';
import type { SpanType } from '../articles/spans.js';
import type { TermLists } from './term-lists.js';

export interface ModelStamp {
  id: string;
  dimensions: number;
  checksum: string;
}

/** An article as the index keeps it: everything but its paragraphs, which are rows. */
export type IndexedArticle = Omit<Article, 'paragraphs'> & { hash: string; paragraphCount: number };

export interface Manifest {
  version: 1;
  generation: number;
  createdAt: string;
  model: ModelStamp;
  /** By id. A Map, never an object: an id comes from outside and may be `__proto__`. */
  articles: Map<string, IndexedArticle>;
}

export interface Paragraph {
  articleId: string;
  position: number;
  text: string;
}

/** A complete generation in memory: row i of `vectors` belongs to `paragraphs[i]`. */
export interface Snapshot {
  dir: string;
  manifest: Manifest;
  paragraphs: Paragraph[];
  vectors: Float32Array;
  /** Undefined for a generation written before the people index existed. */
  people: PeopleByArticle | undefined;
  /** Candidate answers of each paragraph; undefined for a generation written before they were stored. */
  spans: SpansByArticle | undefined;
  /** Set when the live generation was damaged and this earlier one was read instead: what was wrong. */
  recoveredFrom?: string;
  terms: TermLists;
}

/** A candidate answer in a paragraph: its type and its offsets in the paragraph's text. */
export type StoredSpan = [type: SpanType, start: number, end: number];
/** By article id, then by paragraph position: what a generation stores in `spans.json`. */
export type SpansByArticle = Map<string, StoredSpan[][]>;

/** An article's paragraphs, in article order. */
export function paragraphsInOrder(paragraphs: readonly Paragraph[], articleId: string): Paragraph[] {
  return paragraphs.filter((p) => p.articleId === articleId).sort((a, b) => a.position - b.position);
}

/** Articles newest first (by date; undated last), ties by title. */
export function newestFirst<T extends Pick<IndexedArticle, 'date' | 'title'>>(articles: readonly T[]): T[] {
  return [...articles].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.title.localeCompare(b.title));
}

/** The index's data as the rest of the pipeline sees it: retrieval and answers read these types. */
import type { Article } from '../articles/article.js';
import type { PeopleByArticle } from '../people/extract.js';
import type { SpanType } from '../articles/spans.js';
import type { TermLists } from './term-lists.js';
import type { QuantizedRows } from '../embedding/quantize.js';
import type { SegmentPostings } from './postings.js';
import type { Paragraph, ParagraphTable } from './paragraph-table.js';

/** That an article belongs to a collection (`collections.ts`): who added it there, and when. */
export interface Membership {
  /** `shared`, or `server:<guild id>`. */
  name: string;
  /** The Discord user id of whoever added it there (none for the operator's sources). */
  by?: string;
  /** ISO time of the addition. */
  at?: string;
}

export interface ModelStamp {
  id: string;
  dimensions: number;
  checksum: string;
}

/** An article as the index keeps it: everything but its paragraphs, which are rows. */
export type IndexedArticle = Omit<Article, 'paragraphs'> & {
  hash: string;
  paragraphCount: number;
  /** The segment holding the article's rows; rows of it elsewhere are dead. */
  segment?: string;
  /** The collections it belongs to (`collections.ts`); absent: the shared collection alone. */
  collections?: Membership[];
  /** ISO time it was first stored (an update keeps it): what a channel digest calls new. Absent in indexes written before. */
  addedAt?: string;
};

export interface Manifest {
  version: 2;
  generation: number;
  createdAt: string;
  model: ModelStamp;
  /** By id. A Map, never an object: an id comes from outside and may be `__proto__`. */
  articles: Map<string, IndexedArticle>;
}

export type { Paragraph } from './paragraph-table.js';

/** A segment's rows, as written or as read back. Row i of `vectors` and `terms` belongs to `paragraphs[i]`. */
export interface SegmentRows {
  paragraphs: Paragraph[];
  vectors: Float32Array;
  terms: TermLists;
  /** Of the articles whose rows the segment holds. */
  people: PeopleByArticle;
  spans: SpansByArticle;
}

/** An immutable folder of rows on disk (see `segment.ts`), as a generation lists it. */
export interface SegmentRef {
  name: string;
  dir: string;
  /** Rows it holds, dead ones included. */
  rows: number;
  /** False when its people or candidate answers were not stored (a first-format generation written before them): the next ingest derives them. */
  complete: boolean;
}

/** A segment with its rows loaded. */
export interface Segment extends SegmentRef, Omit<SegmentRows, 'spans' | 'paragraphs'> {
  /** Its rows' articles, positions and texts, read from `rows.json` and `paragraphs.txt`. */
  paragraphs: ParagraphTable;
  /** Packed on disk, decoded an article at a time (`packed-spans.ts`). */
  spans: SpansLookup;
  /** The int8 codes of its vectors (`vectors.i8`), for the approximate scan of a large table; absent in segments written before them. */
  quantized?: QuantizedRows;
  /** BM25 postings over all its rows (`postings-*.bin`), used while they are all live; absent in segments written before them. */
  postings?: SegmentPostings;
}

/** A generation as written: its manifest and the segments it lists, without their rows. */
export interface Generation {
  /** The generation's folder. */
  dir: string;
  manifest: Manifest;
  segments: SegmentRef[];
  /** Set when the live generation was damaged and this earlier one was read instead: what was wrong. */
  recoveredFrom?: string;
}

/** A complete generation in memory: the live rows of its segments. Row i of `vectors` belongs to `paragraphs.at(i)`. */
export interface Snapshot extends Generation {
  /** The segments the rows come from, kept so that a reload reads only new ones. */
  segments: Segment[];
  paragraphs: ParagraphTable;
  vectors: Float32Array;
  people: PeopleByArticle;
  /** Candidate answers of each paragraph, read from the segment holding each article. */
  spans: SpansLookup;
  /** Where the rows come from: each segment's live rows, in order (the table's rows are these, segment after segment). */
  layout: { segment: Segment; rows: Int32Array }[];
}

/** A candidate answer in a paragraph: its type and its offsets in the paragraph's text. */
export type StoredSpan = [type: SpanType, start: number, end: number];
/** By article id, then by paragraph position (a segment stores them packed: `packed-spans.ts`). */
export type SpansByArticle = ReadonlyMap<string, StoredSpan[][]>;
/** What reading an article's candidate answers needs. */
export type SpansLookup = Pick<SpansByArticle, 'get'>;

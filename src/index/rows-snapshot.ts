/**
 * A snapshot held in memory only, over rows that came from elsewhere than segment folders: the
 * articles a question reads from Postgres. Retrieval and answers run on it exactly as on a
 * generation read from disk. Its vectors stay where they are (`vectors` is empty): retrieval is
 * given the question's cosine with each row instead.
 */
import type { PeopleByArticle } from '../people/extract.js';
import { postingsOfRows } from './postings.js';
import { tableOf } from './paragraph-table.js';
import { TermListsBuilder } from './term-lists.js';
import type { Manifest, Paragraph, Segment, Snapshot, StoredSpan } from './types.js';

/** One article's rows. */
export interface ArticleRowSet {
  /** In position order. */
  paragraphs: Paragraph[];
  /** Each paragraph's stems (as `terms()` gives them, repeats included). */
  terms: string[][];
  /** Each paragraph's candidate answers. */
  spans: StoredSpan[][];
}

/** A snapshot of these articles' rows; `manifest` describes them (and may describe more). */
export function snapshotOfRows(manifest: Manifest, rows: ReadonlyMap<string, ArticleRowSet>, people: PeopleByArticle = new Map()): Snapshot {
  const sets = [...rows.values()];
  const paragraphs = sets.flatMap((set) => set.paragraphs);
  const vectors = new Float32Array(0);
  const builder = new TermListsBuilder();
  for (const set of sets) for (const stems of set.terms) builder.addTerms(stems);
  const terms = builder.build();
  const table = tableOf(paragraphs);
  const all = Int32Array.from(paragraphs, (_, row) => row);
  const spans = new Map([...rows].map(([id, set]) => [id, set.spans]));
  const segment: Segment = {
    name: 'rows',
    dir: '',
    rows: paragraphs.length,
    complete: true,
    paragraphs: table,
    vectors,
    terms,
    people,
    spans,
    postings: postingsOfRows(terms, (row) => table.articleIdOf(row), all),
  };
  return { dir: '', manifest, segments: [segment], paragraphs: table, vectors, people, spans, layout: [{ segment, rows: all }] };
}

import type { TermLists } from './term-lists.js';

/**
 * Postings of one part of the corpus (a segment's live rows): for each term, the documents that
 * hold it with the term's count, and each document's length. Built once per segment and kept
 * while its rows stay live, so a reload after adding one article builds only the new segment's.
 * Documents are the rows themselves, or the articles (`docOf`, with an article's rows contiguous).
 */
export class Bm25Postings {
  readonly docs: number;
  /** The terms that occur, by id. */
  readonly terms: string[];
  readonly termIndex: Map<string, number>;
  readonly postingStart: Uint32Array;
  readonly postingDocs: Int32Array;
  readonly postingCounts: Float32Array;
  readonly lengths: Float32Array;
  readonly totalLength: number;

  /** `rows` are the rows of `lists` that count (in order); `docOf(i)` is the document of `rows[i]`. */
  static build(lists: TermLists, rows: ArrayLike<number>, docOf?: (i: number) => number, docCount?: number): Bm25Postings {
    const docs = docCount ?? rows.length;
    const doc = (i: number) => (docOf ? docOf(i) : i);
    const termCount = lists.vocabulary.length;

    // Counting sort of the (row, term) pairs by term: within a term, rows stay in order.
    const start = new Uint32Array(termCount + 1);
    let pairs = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      for (let p = lists.offsets[row]!; p < lists.offsets[row + 1]!; p++) start[lists.termIds[p]! + 1]! += 1;
      pairs += lists.offsets[row + 1]! - lists.offsets[row]!;
    }
    for (let t = 0; t < termCount; t++) start[t + 1]! += start[t]!;
    const fill = start.slice(0, termCount);
    const postingDocs = new Int32Array(pairs);
    const counts = new Float32Array(pairs);
    const lengths = new Float32Array(docs);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      for (let p = lists.offsets[row]!; p < lists.offsets[row + 1]!; p++) {
        const at = fill[lists.termIds[p]!]!++;
        postingDocs[at] = doc(i);
        counts[at] = lists.counts[p]!;
        lengths[doc(i)]! += lists.counts[p]!;
      }
    }
    // Merge the consecutive postings of one document (several rows of one article); keep only the terms used.
    const used: string[] = [];
    const postingStart: number[] = [];
    let out = 0;
    for (let t = 0; t < termCount; t++) {
      if (start[t + 1] === start[t]) continue;
      used.push(lists.vocabulary[t]!);
      postingStart.push(out);
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        if (out > postingStart.at(-1)! && postingDocs[out - 1] === postingDocs[i]) counts[out - 1]! += counts[i]!;
        else {
          postingDocs[out] = postingDocs[i]!;
          counts[out++] = counts[i]!;
        }
      }
    }
    postingStart.push(out);
    return new Bm25Postings(docs, used, Uint32Array.from(postingStart), postingDocs.slice(0, out), counts.slice(0, out), lengths);
  }

  constructor(
    docs: number,
    terms: string[],
    postingStart: Uint32Array,
    postingDocs: Int32Array,
    postingCounts: Float32Array,
    lengths: Float32Array,
    termIndex = new Map(terms.map((term, id) => [term, id])),
  ) {
    this.docs = docs;
    this.terms = terms;
    this.termIndex = termIndex;
    this.postingStart = postingStart;
    this.postingDocs = postingDocs;
    this.postingCounts = postingCounts;
    this.lengths = lengths;
    this.totalLength = lengths.reduce((sum, l) => sum + l, 0);
  }

  /** Binary form: [documents, terms, postings] as uint32, then the starts, documents, counts and lengths (the terms go apart, as JSON). */
  encode(): Uint8Array {
    const header = Uint32Array.of(this.docs, this.terms.length, this.postingDocs.length);
    const parts = [header, this.postingStart, this.postingDocs, this.postingCounts, this.lengths];
    const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += part.byteLength;
    }
    return bytes;
  }

  /** `sharing`: postings over the same terms (a segment's two levels), whose term index is reused. */
  static decode(terms: string[], buffer: Uint8Array, sharing?: Bm25Postings): Bm25Postings {
    // Typed views need 4-byte alignment: a small Buffer may sit anywhere in Node's shared pool.
    const bytes = buffer.byteOffset % 4 === 0 ? buffer : new Uint8Array(buffer);
    const [docs, termCount, postings] = new Uint32Array(bytes.buffer, bytes.byteOffset, 3) as unknown as [number, number, number];
    if (termCount !== terms.length) throw new Error('postings do not match their terms');
    let at = bytes.byteOffset + 12;
    const take = <T>(make: (offset: number, length: number) => T, length: number, size: number): T => {
      const view = make(at, length);
      at += length * size;
      return view;
    };
    const postingStart = take((o, n) => new Uint32Array(bytes.buffer, o, n), termCount + 1, 4);
    const postingDocs = take((o, n) => new Int32Array(bytes.buffer, o, n), postings, 4);
    const postingCounts = take((o, n) => new Float32Array(bytes.buffer, o, n), postings, 4);
    const lengths = take((o, n) => new Float32Array(bytes.buffer, o, n), docs, 4);
    if (at !== bytes.byteOffset + bytes.byteLength) throw new Error('postings of the wrong size');
    return sharing && sharing.terms === terms
      ? new Bm25Postings(docs, terms, postingStart, postingDocs, postingCounts, lengths, sharing.termIndex)
      : new Bm25Postings(docs, terms, postingStart, postingDocs, postingCounts, lengths);
  }

  documentFrequency(term: string): number {
    const id = this.termIndex.get(term);
    return id === undefined ? 0 : this.postingStart[id + 1]! - this.postingStart[id]!;
  }
}

/** A segment's postings at both levels: each row a document, and each article one. */
export interface SegmentPostings {
  paragraphs: Bm25Postings;
  articles: Bm25Postings;
}

/** Postings of these rows of a segment (articles numbered in order of first row: an article's rows are contiguous in a segment). */
export function postingsOfRows(terms: TermLists, articleIdOf: (row: number) => string, rows: ArrayLike<number>): SegmentPostings {
  const articleOf = new Int32Array(rows.length);
  let articles = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && articleIdOf(rows[i]!) !== articleIdOf(rows[i - 1]!)) articles += 1;
    articleOf[i] = articles;
  }
  return {
    paragraphs: Bm25Postings.build(terms, rows),
    articles: Bm25Postings.build(terms, rows, (i) => articleOf[i]!, rows.length ? articles + 1 : 0),
  };
}

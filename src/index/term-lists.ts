import { terms } from '../articles/terms.js';

/**
 * Each paragraph's index terms (stems) as ids into a vocabulary, with counts, row by row
 * (compressed sparse rows). Stored with each index generation, so loading an index does not
 * stem its text again, and an ingest only stems the paragraphs it adds.
 */
export interface TermLists {
  vocabulary: string[];
  /** Row r's pairs are at offsets[r] … offsets[r + 1]. */
  offsets: Uint32Array;
  termIds: Uint32Array;
  counts: Uint16Array;
}

export class TermListsBuilder {
  private readonly ids = new Map<string, number>();
  private readonly vocabulary: string[] = [];
  private readonly offsets: number[] = [0];
  private readonly termIds: number[] = [];
  private readonly counts: number[] = [];

  private idOf(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      this.ids.set(term, (id = this.vocabulary.length));
      this.vocabulary.push(term);
    }
    return id;
  }

  addText(text: string): void {
    this.addTerms(terms(text));
  }

  /** A row of terms already derived (stems as `terms()` gives them, repeats counted). */
  addTerms(stems: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const term of stems) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, count] of counts) this.push(this.idOf(term), count);
    this.offsets.push(this.termIds.length);
  }

  /** Copies row `row` of earlier lists (kept paragraphs are not stemmed again). */
  addRow(lists: TermLists, row: number): void {
    for (let i = lists.offsets[row]!; i < lists.offsets[row + 1]!; i++) this.push(this.idOf(lists.vocabulary[lists.termIds[i]!]!), lists.counts[i]!);
    this.offsets.push(this.termIds.length);
  }

  private push(id: number, count: number): void {
    this.termIds.push(id);
    this.counts.push(Math.min(count, 65535));
  }

  build(): TermLists {
    return {
      vocabulary: this.vocabulary,
      offsets: Uint32Array.from(this.offsets),
      termIds: Uint32Array.from(this.termIds),
      counts: Uint16Array.from(this.counts),
    };
  }
}

/**
 * The chosen rows of several term lists as one, in order, under one vocabulary of the terms they
 * use (in order of first use, as `TermListsBuilder` makes it): each list's term ids are mapped
 * through its vocabulary once per term, not once per pair (a million rows in a fraction of a
 * second, where copying pair by pair through the vocabulary took seconds).
 */
export function concatTermLists(parts: readonly { lists: TermLists; rows: readonly number[] }[]): TermLists {
  const ids = new Map<string, number>();
  const vocabulary: string[] = [];
  let rowCount = 0;
  let pairCount = 0;
  const UNMAPPED = 0xffffffff;
  const remaps = parts.map(({ lists, rows }) => {
    rowCount += rows.length;
    for (const row of rows) pairCount += lists.offsets[row + 1]! - lists.offsets[row]!;
    return new Uint32Array(lists.vocabulary.length).fill(UNMAPPED);
  });
  const globalId = (lists: TermLists, remap: Uint32Array, local: number): number => {
    const term = lists.vocabulary[local]!;
    let id = ids.get(term);
    if (id === undefined) {
      ids.set(term, (id = vocabulary.length));
      vocabulary.push(term);
    }
    return (remap[local] = id);
  };
  const offsets = new Uint32Array(rowCount + 1);
  const termIds = new Uint32Array(pairCount);
  const counts = new Uint16Array(pairCount);
  let row = 0;
  let at = 0;
  parts.forEach(({ lists, rows }, part) => {
    const remap = remaps[part]!;
    for (const source of rows) {
      const from = lists.offsets[source]!;
      const to = lists.offsets[source + 1]!;
      for (let i = from; i < to; i++) {
        const local = lists.termIds[i]!;
        const mapped = remap[local]!;
        termIds[at + i - from] = mapped === UNMAPPED ? globalId(lists, remap, local) : mapped;
      }
      counts.set(lists.counts.subarray(from, to), at);
      at += to - from;
      offsets[++row] = at;
    }
  });
  return { vocabulary, offsets, termIds, counts };
}

export function termListsOf(texts: readonly string[]): TermLists {
  const builder = new TermListsBuilder();
  for (const text of texts) builder.addText(text);
  return builder.build();
}

/** Binary form: [rows, pairs] as uint32, then offsets, term ids (uint32) and counts (uint16). */
export function encodeTermLists(lists: TermLists): Uint8Array {
  const rows = lists.offsets.length - 1;
  const pairs = lists.termIds.length;
  const bytes = new Uint8Array(8 + (rows + 1) * 4 + pairs * 4 + pairs * 2);
  const header = new Uint32Array(bytes.buffer, 0, 2);
  header[0] = rows;
  header[1] = pairs;
  new Uint32Array(bytes.buffer, 8, rows + 1).set(lists.offsets);
  new Uint32Array(bytes.buffer, 8 + (rows + 1) * 4, pairs).set(lists.termIds);
  new Uint16Array(bytes.buffer, 8 + (rows + 1) * 4 + pairs * 4, pairs).set(lists.counts);
  return bytes;
}

export function decodeTermLists(vocabulary: string[], buffer: Buffer): TermLists {
  const bytes = new Uint8Array(buffer.byteLength);
  bytes.set(buffer);
  const [rows, pairs] = new Uint32Array(bytes.buffer, 0, 2) as unknown as [number, number];
  return {
    vocabulary,
    offsets: new Uint32Array(bytes.buffer, 8, rows + 1),
    termIds: new Uint32Array(bytes.buffer, 8 + (rows + 1) * 4, pairs),
    counts: new Uint16Array(bytes.buffer, 8 + (rows + 1) * 4 + pairs * 4, pairs),
  };
}

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
    const counts = new Map<string, number>();
    for (const term of terms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
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

/**
 * The candidate answers of a segment's articles, packed: a million paragraphs' spans as nested
 * JSON arrays took more memory than their texts and a second of parsing at every start. Packed,
 * they are a few typed arrays, and an article's spans are decoded when ranking asks for them.
 *
 * `spans.bin`: a header (magic, version, article count, list count, span count), then
 * `listStarts` (per article, its first list), `spanStarts` (per list, its first span), and per
 * span its type code, start and end. `spans-ids.json` holds the article ids in the same order.
 */
import { SPAN_TYPES, type SpanType } from '../articles/spans.js';
import type { SpansByArticle, SpansLookup, StoredSpan } from './types.js';

const MAGIC = 0x5350_4e53; // "SNPS"
const VERSION = 1;
const HEADER_WORDS = 5;

export class PackedSpans implements SpansLookup {
  private readonly index = new Map<string, number>();

  private constructor(
    private readonly ids: readonly string[],
    private readonly listStarts: Uint32Array,
    private readonly spanStarts: Uint32Array,
    private readonly types: Uint8Array,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
  ) {
    ids.forEach((id, i) => this.index.set(id, i));
  }

  static encode(spans: SpansByArticle): { ids: string[]; bytes: Uint8Array } {
    const ids = [...spans.keys()];
    const lists = ids.reduce((sum, id) => sum + spans.get(id)!.length, 0);
    const count = ids.reduce((sum, id) => sum + spans.get(id)!.reduce((n, list) => n + list.length, 0), 0);
    const words = HEADER_WORDS + ids.length + 1 + lists + 1 + 2 * count;
    const buffer = new ArrayBuffer(words * 4 + count);
    const header = new Uint32Array(buffer, 0, words);
    header.set([MAGIC, VERSION, ids.length, lists, count]);
    const listStarts = header.subarray(HEADER_WORDS, HEADER_WORDS + ids.length + 1);
    const spanStarts = header.subarray(HEADER_WORDS + ids.length + 1, HEADER_WORDS + ids.length + 2 + lists);
    const starts = header.subarray(HEADER_WORDS + ids.length + 2 + lists, HEADER_WORDS + ids.length + 2 + lists + count);
    const ends = header.subarray(HEADER_WORDS + ids.length + 2 + lists + count);
    const types = new Uint8Array(buffer, words * 4, count);
    let list = 0;
    let span = 0;
    ids.forEach((id, a) => {
      listStarts[a] = list;
      for (const found of spans.get(id)!) {
        spanStarts[list++] = span;
        for (const [type, start, end] of found) {
          types[span] = SPAN_TYPES.indexOf(type);
          starts[span] = start;
          ends[span++] = end;
        }
      }
    });
    listStarts[ids.length] = list;
    spanStarts[lists] = span;
    return { ids, bytes: new Uint8Array(buffer) };
  }

  /** Reads what `encode` wrote; throws when the sizes do not agree (the segment is then rebuilt from its texts). */
  static decode(ids: readonly string[], bytes: Uint8Array): PackedSpans {
    if (bytes.byteLength < HEADER_WORDS * 4) throw new Error('spans.bin is truncated');
    // A Buffer from readFile may sit at any offset of a shared pool: copy it to align the words.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    const header = new Uint32Array(aligned.buffer, aligned.byteOffset, HEADER_WORDS);
    const [magic, version, articles, lists, count] = header as unknown as number[];
    const words = HEADER_WORDS + articles! + 1 + lists! + 1 + 2 * count!;
    if (magic !== MAGIC || version !== VERSION || articles !== ids.length || aligned.byteLength !== words * 4 + count!) {
      throw new Error('spans.bin does not match spans-ids.json');
    }
    const all = new Uint32Array(aligned.buffer, aligned.byteOffset, words);
    let at = HEADER_WORDS;
    const take = (n: number) => all.subarray(at, (at += n));
    return new PackedSpans(ids, take(articles! + 1), take(lists! + 1), new Uint8Array(aligned.buffer, aligned.byteOffset + words * 4, count!), take(count!), take(count!));
  }

  get(id: string): StoredSpan[][] | undefined {
    const a = this.index.get(id);
    if (a === undefined) return undefined;
    const lists: StoredSpan[][] = [];
    for (let list = this.listStarts[a]!; list < this.listStarts[a + 1]!; list++) {
      const found: StoredSpan[] = [];
      for (let span = this.spanStarts[list]!; span < this.spanStarts[list + 1]!; span++) {
        found.push([SPAN_TYPES[this.types[span]!] as SpanType, this.starts[span]!, this.ends[span]!]);
      }
      lists.push(found);
    }
    return lists;
  }
}

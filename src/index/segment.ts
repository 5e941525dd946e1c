/**
 * A segment: an immutable folder of paragraph rows, written once and then only read, merged or
 * deleted. It is itself a valid vectra `LocalIndex` (`index.json`, the store of record) with a
 * row-aligned mirror for fast loading:
 *
 *   index.json                  vectra LocalIndex: vector + paragraph per item
 *   rows.json, paragraphs.txt   each row's article and position; the texts, NUL-separated
 *   paragraph-starts.bin        where each text starts in paragraphs.txt (uint32), so texts are read from disk when needed
 *   vectors.f32                 the vectors, row after row
 *   vectors.i8, scales.f32      the same as int8 codes with a scale per row, for the approximate scan
 *   postings.json, postings-rows.bin, postings-articles.bin
 *                               BM25 postings of its rows and of its articles, so loading builds none
 *   terms.json, terms.bin       each row's stems, for merges and BM25 over some of its rows (read on use)
 *   people.json                 the people each of its articles names (for /who, read on use)
 *   spans-ids.json, spans.bin   candidate answers per paragraph of each of its articles, packed
 *                               (`packed-spans.ts`; segments written before hold `spans.json`)
 *
 * A generation folder of the first index format holds the same files, so it reads as a segment.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { quantize } from '../embedding/quantize.js';
import { UserError } from '../errors.js';
import type { ArticlePerson } from '../people/extract.js';
import { concatTermLists, decodeTermLists, encodeTermLists, termListsOf, type TermLists } from './term-lists.js';
import { Bm25Postings, postingsOfRows, type SegmentPostings } from './postings.js';
import { PackedSpans } from './packed-spans.js';
import { withLazy } from './lazy.js';
import { ParagraphTable, tableOf } from './paragraph-table.js';
import { readQuantized, withVectorsOnDemand } from './segment-vectors.js';
import type { Paragraph, Segment, SegmentRows, SpansLookup, StoredSpan } from './types.js';

type VectraMetadata = { articleId: string; position: number; text: string };

/**
 * Most rows in one segment (an ingest of more writes several; merges stop there): vectra's
 * `index.json` takes about 1.8 KB a row at 100 dimensions, so 50,000 rows are about 90 MB, well
 * within what vectra (one JSON text) and Node (strings up to 512 MB) can read.
 */
export const MAX_SEGMENT_ROWS = 50_000;

/** Rows cut into segments of at most `limit` rows, never splitting an article (whose rows are consecutive). */
export function segmentsOfRows(rows: SegmentRows, dimensions: number, limit = MAX_SEGMENT_ROWS): SegmentRows[] {
  if (rows.paragraphs.length <= limit) return [rows];
  const parts: SegmentRows[] = [];
  let start = 0;
  while (start < rows.paragraphs.length) {
    let end = Math.min(start + limit, rows.paragraphs.length);
    // Back to an article boundary, unless one article alone is longer than the limit.
    while (end < rows.paragraphs.length && end > start + 1 && rows.paragraphs[end]!.articleId === rows.paragraphs[end - 1]!.articleId) end--;
    if (end === start + 1 && rows.paragraphs[end]?.articleId === rows.paragraphs[start]!.articleId) {
      while (end < rows.paragraphs.length && rows.paragraphs[end]!.articleId === rows.paragraphs[start]!.articleId) end++;
    }
    const paragraphs = rows.paragraphs.slice(start, end);
    const ids = new Set(paragraphs.map((p) => p.articleId));
    parts.push({
      paragraphs,
      vectors: rows.vectors.subarray(start * dimensions, end * dimensions),
      terms: concatTermLists([{ lists: rows.terms, rows: Array.from({ length: end - start }, (_, i) => start + i) }]),
      people: new Map([...rows.people].filter(([id]) => ids.has(id))),
      spans: new Map([...rows.spans].filter(([id]) => ids.has(id))),
    });
    start = end;
  }
  return parts;
}

export function paragraphId(p: Pick<Paragraph, 'articleId' | 'position'>): string {
  return `${p.articleId}#${p.position}`;
}

/**
 * Writes a segment into `<dir>.tmp`, syncs every file, then renames it into place. The files are
 * written and synced at the same time: one after another, their syncs were most of adding one
 * article to a large index.
 */
export async function writeSegment(dir: string, rows: SegmentRows, dimensions: number): Promise<void> {
  const staging = `${dir}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const file = (name: string) => path.join(staging, name);
  const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const writes: Promise<void>[] = [];
  const write = (name: string, data: string | Uint8Array) => writes.push(writeDurably(file(name), data));
  writes.push(writeVectraIndex(file('index.json'), rows.paragraphs, rows.vectors, dimensions), writeParagraphs(staging, rows.paragraphs));
  write('vectors.f32', bytesOf(rows.vectors));
  const { codes, scales } = quantize(rows.vectors, dimensions);
  write('vectors.i8', bytesOf(codes));
  write('scales.f32', bytesOf(scales));
  write('terms.json', JSON.stringify(rows.terms.vocabulary));
  write('terms.bin', encodeTermLists(rows.terms));
  const postings = postingsOfRows(rows.terms, (row) => rows.paragraphs[row]!.articleId, Array.from(rows.paragraphs, (_, row) => row));
  // Both levels hold the same terms (an article's are its rows'): stored once.
  const sameTerms = postings.articles.terms.length === postings.paragraphs.terms.length && postings.articles.terms.every((t, i) => t === postings.paragraphs.terms[i]);
  write('postings.json', JSON.stringify({ rows: postings.paragraphs.terms, ...(sameTerms ? {} : { articles: postings.articles.terms }) }));
  write('postings-rows.bin', postings.paragraphs.encode());
  write('postings-articles.bin', postings.articles.encode());
  write('people.json', jsonOf(rows.people));
  const packed = PackedSpans.encode(rows.spans);
  write('spans-ids.json', JSON.stringify(packed.ids));
  write('spans.bin', packed.bytes);
  await Promise.all(writes);
  await rename(staging, dir);
}

/**
 * Reads a segment. The mirror is checked against its own sizes and rebuilt from vectra's
 * `index.json` when it does not match; missing stems are computed again. People and spans are
 * undefined only for a first-format generation written before they were stored.
 */
export async function readSegment(dir: string, dimensions: number): Promise<Segment> {
  const mirror = await readMirror(dir, dimensions);
  const rebuilt = mirror ? undefined : await mirrorFromVectra(dir, dimensions);
  const paragraphs = mirror?.paragraphs ?? rebuilt!.paragraphs;
  const hasPeople = existsSync(path.join(dir, 'people.json'));
  const spans = await readSpans(dir);
  const quantized = await readQuantized(dir, paragraphs.length, dimensions);
  const postings = await readPostings(dir, paragraphs.length);
  const segment = {
    name: path.basename(dir),
    dir,
    rows: paragraphs.length,
    paragraphs,
    spans: spans ?? new Map(),
    complete: hasPeople && spans !== undefined,
    ...(quantized ? { quantized } : {}),
    ...(postings ? { postings } : {}),
  };
  // People are read on first use (/who), not at load: a fifth of a segment's load time and of its memory.
  // Stems likewise, when a merge or retrieval over a segment with dead rows needs them.
  const withPeople = withLazy(segment, 'people', () => (hasPeople ? readPeople(dir) : new Map()));
  const withTerms = withLazy(withPeople, 'terms', () => readTermLists(dir, paragraphs.length) ?? termListsOf(Array.from({ length: paragraphs.length }, (_, row) => paragraphs.textOf(row))));
  return rebuilt ? Object.assign(withTerms, { vectors: rebuilt.vectors }) : withVectorsOnDemand(withTerms, mirror!.vectorsFile, paragraphs.length * dimensions);
}

function readPeople(dir: string): Map<string, ArticlePerson[]> {
  try {
    return mapOf<ArticlePerson[]>(JSON.parse(readFileSync(path.join(dir, 'people.json'), 'utf8')));
  } catch (error) {
    throw new UserError(`The list of people in ${dir} is damaged (${(error as Error).message.split('\n')[0]}).`, 'Rebuild the index: npm run ingest -- --rebuild');
  }
}

async function readJson(file: string): Promise<{ [id: string]: unknown }> {
  return JSON.parse(await readFile(file, 'utf8')) as { [id: string]: unknown };
}

/** A JSON object of things by article id, as a Map: `JSON.parse` keeps `__proto__` as an own key, which `Object.entries` lists. */
export function mapOf<T>(object: { [id: string]: unknown }): Map<string, T> {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new Error('not a JSON object of articles');
  return new Map(Object.entries(object) as [string, T][]);
}

/** The reverse of `mapOf`: `Object.fromEntries` defines own keys, so `__proto__` is written like any id. */
export function jsonOf<T>(map: Map<string, T>): string {
  return JSON.stringify(Object.fromEntries(map));
}

/**
 * The candidate answers: packed (`spans.bin`), or as JSON in segments written before they were
 * packed. Undefined when missing or damaged, as postings and codes are: they are derived from the
 * texts, so the segment still answers, and a merge or a rebuild derives them again.
 */
async function readSpans(dir: string): Promise<SpansLookup | undefined> {
  try {
    if (existsSync(path.join(dir, 'spans.bin'))) {
      const ids = JSON.parse(await readFile(path.join(dir, 'spans-ids.json'), 'utf8')) as string[];
      return PackedSpans.decode(ids, await readFile(path.join(dir, 'spans.bin')));
    }
    return existsSync(path.join(dir, 'spans.json')) ? mapOf<StoredSpan[][]>(await readJson(path.join(dir, 'spans.json'))) : undefined;
  } catch {
    return undefined;
  }
}

/** The stored postings, when present and whole (retrieval builds them otherwise). */
async function readPostings(dir: string, rows: number): Promise<SegmentPostings | undefined> {
  try {
    const terms = JSON.parse(await readFile(path.join(dir, 'postings.json'), 'utf8')) as { rows: string[]; articles?: string[] };
    const paragraphs = Bm25Postings.decode(terms.rows, await readFile(path.join(dir, 'postings-rows.bin')));
    const same = !terms.articles || (terms.articles.length === terms.rows.length && terms.articles.every((t, i) => t === terms.rows[i]));
    const articles = Bm25Postings.decode(same ? terms.rows : terms.articles!, await readFile(path.join(dir, 'postings-articles.bin')), paragraphs);
    const postings = { paragraphs, articles };
    return postings.paragraphs.docs === rows ? postings : undefined;
  } catch {
    return undefined;
  }
}

function readTermLists(dir: string, rows: number): TermLists | undefined {
  try {
    const vocabulary = JSON.parse(readFileSync(path.join(dir, 'terms.json'), 'utf8')) as string[];
    const lists = decodeTermLists(vocabulary, readFileSync(path.join(dir, 'terms.bin')));
    return lists.offsets.length === rows + 1 ? lists : undefined;
  } catch {
    return undefined;
  }
}

/** The paragraphs of the mirror, and its vectors' file when it holds a vector for each of them. */
async function readMirror(dir: string, dimensions: number): Promise<{ paragraphs: ParagraphTable; vectorsFile: string } | undefined> {
  try {
    const paragraphs = await readParagraphs(dir);
    const vectorsFile = path.join(dir, 'vectors.f32');
    return (await stat(vectorsFile)).size === paragraphs.length * dimensions * 4 ? { paragraphs, vectorsFile } : undefined;
  } catch {
    return undefined;
  }
}

/** Paragraph texts joined by NUL (which text never holds): one buffer, cut at load, decoded only when a text is read. */
const SEPARATOR = '\u0000';

interface RowsFile {
  articleIds: string[];
  article: number[];
  positions: number[];
}

async function writeParagraphs(dir: string, paragraphs: Paragraph[]): Promise<void> {
  const index = new Map<string, number>();
  const rows: RowsFile = { articleIds: [], article: [], positions: [] };
  for (const p of paragraphs) {
    let a = index.get(p.articleId);
    if (a === undefined) {
      index.set(p.articleId, (a = rows.articleIds.length));
      rows.articleIds.push(p.articleId);
    }
    rows.article.push(a);
    rows.positions.push(p.position);
  }
  const bytes = Buffer.from(paragraphs.map((p) => p.text.replaceAll(SEPARATOR, ' ')).join(SEPARATOR), 'utf8');
  const starts = startsOf(bytes, paragraphs.length)!;
  await Promise.all([
    writeDurably(path.join(dir, 'rows.json'), JSON.stringify(rows)),
    writeDurably(path.join(dir, 'paragraphs.txt'), bytes),
    writeDurably(path.join(dir, 'paragraph-starts.bin'), Buffer.from(starts.buffer, starts.byteOffset, starts.byteLength)),
  ]);
}

/** Where each text starts in the NUL-separated bytes, and one past the end (as if a separator followed the last); undefined when the count differs. */
function startsOf(bytes: Buffer, count: number): Uint32Array | undefined {
  const starts = new Uint32Array(count + 1);
  let at = 0;
  for (let row = 1; row < count; row++) {
    at = bytes.indexOf(0, at);
    if (at < 0) return undefined;
    starts[row] = ++at;
  }
  if (count > 0 && bytes.indexOf(0, at) >= 0) return undefined;
  starts[count] = bytes.length + 1;
  return starts;
}

/** Closes a segment's texts file once nothing reads from it any more. */
const openTexts = new FinalizationRegistry<number>((fd) => closeSync(fd));

/**
 * A segment's texts, read from disk when asked for: a million paragraphs held in memory took a
 * seventh of the serving process's memory, and only candidates' texts are ever read (a read from
 * the page cache takes about 2 µs). The file is opened at load, so a merge that removes the
 * segment's folder later does not take the texts from a process still answering from it.
 * Segments written before `paragraph-starts.bin` keep their texts in memory.
 */
class SegmentTexts {
  /** The texts in memory (older segments), or the open file they are read from. */
  private readonly bytes?: Buffer;
  private readonly fd?: number;

  constructor(
    private readonly starts: Uint32Array,
    source: { file: string } | { bytes: Buffer },
  ) {
    if ('bytes' in source) this.bytes = source.bytes;
    else openTexts.register(this, (this.fd = openSync(source.file, 'r')));
  }

  text(row: number): string {
    const start = this.starts[row]!;
    const end = this.starts[row + 1]! - 1;
    if (this.bytes) return this.bytes.toString('utf8', start, end);
    if (end <= start) return '';
    const buffer = Buffer.allocUnsafe(end - start);
    const read = readSync(this.fd!, buffer, 0, buffer.length, start);
    return buffer.toString('utf8', 0, read);
  }
}

/** A segment's paragraphs: only candidates' texts are ever decoded. */
async function readParagraphs(dir: string): Promise<ParagraphTable> {
  const rows = JSON.parse(await readFile(path.join(dir, 'rows.json'), 'utf8')) as RowsFile;
  const count = rows.article.length;
  if (rows.positions.length !== count || rows.article.some((a) => !(a >= 0 && a < rows.articleIds.length))) throw new Error(`${dir}: rows.json is damaged`);
  const file = path.join(dir, 'paragraphs.txt');
  const stored = await storedStarts(dir, count, (await stat(file)).size);
  let texts: SegmentTexts;
  if (stored) texts = new SegmentTexts(stored, { file });
  else {
    const bytes = count ? await readFile(file) : Buffer.alloc(0);
    const starts = startsOf(bytes, count);
    if (!starts) throw new Error(`${dir}: paragraphs.txt does not match rows.json`);
    texts = new SegmentTexts(starts, { bytes });
  }
  return new ParagraphTable(rows.articleIds, Int32Array.from(rows.article), Int32Array.from(rows.positions), (row) => texts.text(row));
}

/** The texts' starts as written beside them, when present and consistent with the texts' file (rising, ending one past its end). */
async function storedStarts(dir: string, count: number, textBytes: number): Promise<Uint32Array | undefined> {
  try {
    const raw = await readFile(path.join(dir, 'paragraph-starts.bin'));
    if (raw.byteLength !== (count + 1) * 4) return undefined;
    const starts = new Uint32Array(count + 1);
    new Uint8Array(starts.buffer).set(raw);
    if (starts[0] !== 0 || starts[count] !== textBytes + 1) return undefined;
    for (let row = 0; row < count; row++) if (starts[row + 1]! <= starts[row]!) return undefined;
    return starts;
  } catch {
    return undefined;
  }
}

/** Rebuilds the in-memory mirror from vectra's own file when the mirror is missing or inconsistent. */
async function mirrorFromVectra(dir: string, dimensions: number): Promise<{ paragraphs: ParagraphTable; vectors: Float32Array }> {
  // Imported here: vectra pulls in half a second of dependencies that the normal path never needs.
  const { LocalIndex } = await import('vectra');
  const items = await new LocalIndex<VectraMetadata>(dir).listItems();
  const vectors = new Float32Array(items.length * dimensions);
  const paragraphs = items.map((item, row) => {
    vectors.set(item.vector, row * dimensions);
    return { articleId: item.metadata.articleId, position: item.metadata.position, text: item.metadata.text };
  });
  return { paragraphs: tableOf(paragraphs), vectors };
}

/**
 * Writes vectra's `index.json` (format version 1: items of id, metadata, vector and norm) in one
 * pass. vectra's own `insertItem` checks every existing id on each insert, which makes a first
 * ingest quadratic (minutes at 100,000 paragraphs); the file it reads back is the same.
 */
async function writeVectraIndex(file: string, paragraphs: Paragraph[], vectors: Float32Array, dimensions: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.write('{"version":1,"metadata_config":{},"items":[');
    const chunk: string[] = [];
    for (let row = 0; row < paragraphs.length; row++) {
      const p = paragraphs[row]!;
      const vector = Array.from(vectors.subarray(row * dimensions, (row + 1) * dimensions), (x) => Number(x.toPrecision(9)));
      const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
      const metadata: VectraMetadata = { articleId: p.articleId, position: p.position, text: p.text };
      chunk.push(`${row ? ',' : ''}${JSON.stringify({ id: paragraphId(p), metadata, vector, norm })}`);
      if (chunk.length === 2000) await handle.write(chunk.splice(0).join(''));
    }
    await handle.write(`${chunk.join('')}]}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data);
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The index on disk: immutable segments of paragraph rows, and generations that list them. A
 * generation is small (the articles and which segment holds each one's rows); an ingest writes
 * one new segment for the new and changed articles and a new generation, then switches the
 * `CURRENT` pointer by rename, so a reader always sees a complete generation and a crashed write
 * leaves the previous one in place. Rows of a segment whose article now lives elsewhere (updated)
 * or nowhere (removed) are dead: the manifest's article → segment map is the tombstone list.
 *
 *   <indexDir>/CURRENT                  name of the live generation
 *   <indexDir>/gen-000007/manifest.json model, articles (metadata, content hash, segment)
 *   <indexDir>/gen-000007/segments.json the generation's segments, in row order
 *   <indexDir>/segments/seg-000012/     a segment (see segment.ts): a vectra LocalIndex and its mirror
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ArticlePerson, PeopleByArticle } from '../people/extract.js';
import { readSegment, segmentsOfRows, withLazy, writeDurably, writeSegment } from './segment.js';
import { allocateVectors } from '../embedding/vector-memory.js';
import { concatTermLists } from './term-lists.js';
import type { Generation, IndexedArticle, Manifest, ModelStamp, Paragraph, Segment, SegmentRef, SegmentRows, Snapshot, SpansByArticle, StoredSpan } from './types.js';

const POINTER = 'CURRENT';
const KEEP_GENERATIONS = 2;
const GENERATION_NAME = /^gen-\d{6}$/;
const SEGMENTS = 'segments';
const SEGMENT_NAME = /^seg-(\d{6})$/;

/**
 * Identifies the live generation beyond its folder's name: an index deleted and built again
 * reuses `gen-000001`, so the name alone would hide the new one from a running bot.
 */
export function generationStamp(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  try {
    const manifest = statSync(path.join(dir, 'manifest.json'));
    return `${dir}:${manifest.ino}:${manifest.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** The folder of the live generation, or undefined when no index was built yet. */
export function liveGenerationDir(indexDir: string): string | undefined {
  const pointer = path.join(indexDir, POINTER);
  return existsSync(pointer) ? path.join(indexDir, readFileSync(pointer, 'utf8').trim()) : undefined;
}

/** `manifest.json` as written: ids are keys of a JSON object there, read into a Map (never into an object's properties). */
type ManifestFile = Omit<Manifest, 'articles' | 'version'> & { version: 1 | 2; articles: { [id: string]: IndexedArticle } };

/** Generations written before `source.file` was named `source.location` (it may hold a link): read them as the new name. */
function withSourceLocations(file: ManifestFile): Manifest {
  if (typeof file.articles !== 'object' || file.articles === null || Array.isArray(file.articles)) throw new Error('manifest.json: not a JSON object of articles');
  const manifest: Manifest = { ...file, version: 2, articles: new Map(Object.entries(file.articles)) };
  for (const article of manifest.articles.values()) {
    const source = article.source as { location?: string; file?: string; line?: number };
    if (source.location === undefined && source.file !== undefined) {
      article.source = source.line === undefined ? { location: source.file } : { location: source.file, line: source.line };
    }
  }
  return manifest;
}

/**
 * Reads the live generation's manifest and list of segments, not their rows: what an ingest or a
 * merge needs to plan (an ingest that adds one article never reads the million rows before it).
 * Undefined when no index was built yet; a damaged generation is read around as `readSnapshot` does.
 */
export async function readGeneration(indexDir: string): Promise<Generation | undefined> {
  return readFirstIntact(indexDir, (dir) => readGenerationAt(indexDir, dir));
}

/**
 * Reads the live generation with its rows, or undefined when no index was built yet. Segments
 * already in memory (`loaded`, those of the generation a bot answers from) are reused, not read again.
 */
export async function readSnapshot(indexDir: string, loaded: readonly Segment[] = []): Promise<Snapshot | undefined> {
  return readFirstIntact(indexDir, async (dir) => {
    const generation = await readGenerationAt(indexDir, dir);
    const segments = await loadSegments(generation, loaded);
    return assemble(generation.dir, generation.manifest, segments);
  });
}

/** The segments of a generation with their rows: those in `loaded` as they are, the others read. */
export async function loadSegments(generation: Pick<Generation, 'manifest' | 'segments'>, loaded: readonly Segment[] = []): Promise<Segment[]> {
  const known = new Map(loaded.map((s) => [path.resolve(s.dir), s]));
  const segments: Segment[] = [];
  for (const ref of generation.segments) segments.push(known.get(path.resolve(ref.dir)) ?? (await readSegment(ref.dir, generation.manifest.model.dimensions)));
  return segments;
}

/** Reads the generation `CURRENT` names, or else the newest one that reads, and says what was wrong. */
async function readFirstIntact<T extends { recoveredFrom?: string }>(indexDir: string, read: (dir: string) => Promise<T>): Promise<T | undefined> {
  const live = liveGenerationDir(indexDir);
  if (!live) return undefined;
  const problems: string[] = [];
  const named = path.basename(live);
  if (!GENERATION_NAME.test(named) || path.resolve(path.dirname(live)) !== path.resolve(indexDir)) problems.push(`${POINTER} names ${JSON.stringify(named.slice(0, 40))}, not a generation`);
  for (const dir of await generationsToTry(indexDir, live)) {
    try {
      const result = await read(dir);
      if (problems.length) result.recoveredFrom = problems.join('; ');
      return result;
    } catch (error) {
      problems.push(`${path.basename(dir)}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(`The index in ${indexDir} is damaged and no earlier generation is intact (${problems.join('; ')}).`, 'Rebuild it: npm run ingest -- --rebuild');
}

/** The generation the pointer names (when the name is one), then the others, newest first. */
async function generationsToTry(indexDir: string, live: string): Promise<string[]> {
  const named = GENERATION_NAME.test(path.basename(live)) && path.resolve(path.dirname(live)) === path.resolve(indexDir) ? [live] : [];
  const others = (await readdir(indexDir).catch(() => [] as string[]))
    .filter((entry) => GENERATION_NAME.test(entry))
    .sort()
    .reverse()
    .map((entry) => path.join(indexDir, entry))
    .filter((dir) => dir !== live);
  return [...named, ...others];
}

/** Whether a segment folder stores people and candidate answers (a first-format generation may not). */
function storesEverything(dir: string): boolean {
  return existsSync(path.join(dir, 'people.json')) && existsSync(path.join(dir, 'spans.json'));
}

/** The segments a generation lists, in row order; a first-format generation is its own single segment. */
async function segmentsOf(indexDir: string, dir: string, manifest: Manifest, version: 1 | 2): Promise<SegmentRef[]> {
  if (version === 1) {
    const name = path.basename(dir);
    for (const article of manifest.articles.values()) article.segment = name;
    const rows = [...manifest.articles.values()].reduce((sum, a) => sum + a.paragraphCount, 0);
    return [{ name, dir, rows, complete: storesEverything(dir) }];
  }
  const listed = JSON.parse(await readFile(path.join(dir, 'segments.json'), 'utf8')) as unknown;
  const valid = (entry: unknown): entry is { name: string; rows: number } =>
    typeof entry === 'object' && entry !== null && SEGMENT_NAME.test(String((entry as { name?: unknown }).name)) && Number.isInteger((entry as { rows?: unknown }).rows);
  if (!Array.isArray(listed) || !listed.every(valid)) throw new Error('segments.json: not a list of segments');
  return listed.map(({ name, rows }) => {
    const segmentDir = path.join(indexDir, SEGMENTS, name);
    if (!existsSync(path.join(segmentDir, 'index.json'))) throw new Error(`segment ${name} is missing`);
    return { name, dir: segmentDir, rows, complete: storesEverything(segmentDir) };
  });
}

/** A segment as `segments.json` lists it: its rows, and how many of them are live in that generation. */
export interface ListedSegment {
  name: string;
  rows: number;
  live: number;
}

/**
 * The live generation's segments with their sizes, from `segments.json` alone (no manifest): what
 * deciding whether to merge needs. Undefined when there is no such list to read (no index, a
 * first-format or damaged generation): the caller then reads the whole generation.
 */
export async function listedSegments(indexDir: string): Promise<ListedSegment[] | undefined> {
  const live = liveGenerationDir(indexDir);
  if (!live) return undefined;
  const listed = await readFile(path.join(live, 'segments.json'), 'utf8').then(JSON.parse, () => undefined);
  const valid = (entry: unknown): entry is ListedSegment =>
    typeof entry === 'object' && entry !== null && ['rows', 'live'].every((key) => Number.isInteger((entry as Record<string, unknown>)[key]));
  return Array.isArray(listed) && listed.every(valid) ? listed : undefined;
}

async function readGenerationAt(indexDir: string, dir: string): Promise<Generation> {
  const file = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ManifestFile;
  const manifest = withSourceLocations(file);
  const segments = await segmentsOf(indexDir, dir, manifest, file.version);
  const names = new Set(segments.map((s) => s.name));
  for (const [id, article] of manifest.articles) {
    if (!names.has(article.segment ?? '')) throw new Error(`manifest.json: article ${JSON.stringify(id.slice(0, 80))} has no segment`);
  }
  return { dir, manifest, segments };
}

/**
 * One generation in memory: the live rows of its segments, in segment order. Retrieval and
 * answers see one table of rows; a segment whose rows are all live is copied in one block.
 * Vectors go straight into the scanner's WebAssembly memory. A segment whose rows are all live
 * then keeps a view into the table instead of its own vectors, so a million vectors are held
 * once, not twice (the next assembly copies from the views and moves them to its table). Stems
 * stay with their segment: retrieval keeps one BM25 part per segment.
 */
function assemble(dir: string, manifest: Manifest, segments: Segment[]): Snapshot {
  const dimensions = manifest.model.dimensions;
  const live = (segment: Segment, p: Paragraph) => manifest.articles.get(p.articleId)?.segment === segment.name;
  const liveRows = segments.map((s) => {
    const rows: number[] = [];
    s.paragraphs.forEach((p, row) => live(s, p) && rows.push(row));
    return rows;
  });
  const total = liveRows.reduce((sum, rows) => sum + rows.length, 0);
  const paragraphs: Paragraph[] = new Array(total);
  const vectors = allocateVectors(total, dimensions);
  const spans: SpansByArticle = new Map();
  let at = 0;
  segments.forEach((segment, i) => {
    const rows = liveRows[i]!;
    if (rows.length === segment.paragraphs.length) {
      vectors.set(segment.vectors.subarray(0, rows.length * dimensions), at * dimensions);
      for (let row = 0; row < rows.length; row++) paragraphs[at + row] = segment.paragraphs[row]!;
    } else {
      rows.forEach((row, k) => {
        paragraphs[at + k] = segment.paragraphs[row]!;
        vectors.set(segment.vectors.subarray(row * dimensions, (row + 1) * dimensions), (at + k) * dimensions);
      });
    }
    at += rows.length;
    for (const [id, found] of segment.spans) if (manifest.articles.get(id)?.segment === segment.name) spans.set(id, found);
  });
  at = 0;
  segments.forEach((segment, i) => {
    const rows = liveRows[i]!.length;
    if (rows === segment.paragraphs.length) segment.vectors = vectors.subarray(at * dimensions, (at + rows) * dimensions);
    at += rows;
  });
  const layout = segments.map((segment, i) => ({ segment, rows: liveRows[i]! }));
  // People are gathered on first use (/who), from segments that read them on first use too.
  return withLazy({ dir, manifest, segments, paragraphs, vectors, spans, layout }, 'people', () => {
    const people: PeopleByArticle = new Map();
    for (const segment of segments) for (const [id, found] of segment.people) if (manifest.articles.get(id)?.segment === segment.name) people.set(id, found);
    return people;
  });
}

export interface GenerationChange {
  model: ModelStamp;
  /** Every article of the next generation. */
  articles: Map<string, IndexedArticle>;
  /** Segments written for it by `writeSegments` (new and changed articles, or the live rows of merged segments). */
  written: WrittenSegment[];
}

/** A segment written but not yet listed by any generation, with the articles whose rows it holds. */
export interface WrittenSegment extends SegmentRef {
  articleIds: string[];
}

/**
 * Writes rows as new segments (at most `MAX_SEGMENT_ROWS` rows each) before the generation that
 * will list them, so that a large ingest writes as it goes instead of holding every row at once.
 * They are not live until `writeGeneration` lists them; if it never does (a crash), the next
 * write removes them. Runs under the write lock.
 */
export async function writeSegments(indexDir: string, rows: SegmentRows, dimensions: number): Promise<WrittenSegment[]> {
  const written: WrittenSegment[] = [];
  await mkdir(path.join(indexDir, SEGMENTS), { recursive: true });
  await withFullDiskMessage(indexDir, async () => {
    for (const part of rows.paragraphs.length > 0 ? segmentsOfRows(rows, dimensions) : []) {
      const name = `seg-${String((await latestSegment(indexDir)) + 1).padStart(6, '0')}`;
      const dir = path.join(indexDir, SEGMENTS, name);
      await writeSegment(dir, part, dimensions);
      written.push({ name, dir, rows: part.paragraphs.length, complete: true, articleIds: [...new Set(part.paragraphs.map((p) => p.articleId))] });
    }
  });
  return written;
}

/** A generation just written: its manifest and the segments it lists. */
export interface WrittenGeneration {
  manifest: Manifest;
  segments: SegmentRef[];
}

/**
 * Writes the next generation, whose articles point at the segment holding their rows (a newly
 * written one for the articles it holds, the previous one for the others), then switches
 * `CURRENT` to it and removes what no kept generation lists.
 */
export async function writeGeneration(indexDir: string, previous: Generation | undefined, change: GenerationChange): Promise<WrittenGeneration> {
  const generation = Math.max(previous?.manifest.generation ?? 0, await latestGeneration(indexDir)) + 1;
  return withFullDiskMessage(indexDir, () => writeGenerationAs(indexDir, generation, previous, change));
}

/** A full disk is a message for people, after removing what the failed write left (no generation lists it, so it is only space). */
async function withFullDiskMessage<T>(indexDir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw error;
    await removeUnused(indexDir, 0).catch(() => undefined);
    throw new UserError(`The disk holding ${indexDir} is full: the new articles were not stored, and the index is as it was.`, 'Free some space and run the ingest again.');
  }
}

async function writeGenerationAs(indexDir: string, generation: number, previous: Generation | undefined, change: GenerationChange): Promise<WrittenGeneration> {
  const placed = new Map<string, string>();
  for (const segment of change.written) for (const id of segment.articleIds) placed.set(id, segment.name);
  const articles = new Map<string, IndexedArticle>();
  for (const [id, article] of change.articles) {
    const segment = placed.get(id) ?? previous?.manifest.articles.get(id)?.segment ?? article.segment;
    if (segment === undefined) throw new Error(`article ${id} has no rows to place`);
    articles.set(id, { ...article, segment });
  }
  const stillUsed = new Set([...articles.values()].map((a) => a.segment));
  const segments: SegmentRef[] = (previous?.segments ?? []).filter((s) => stillUsed.has(s.name));
  if (segments.some((s) => !isSegmentDir(indexDir, s.dir) || !s.complete)) throw new Error('a first-format or incomplete segment must be carried into a new segment before it is written over');
  segments.push(...change.written.filter((s) => stillUsed.has(s.name)).map(({ name, dir, rows, complete }) => ({ name, dir, rows, complete })));

  const name = `gen-${String(generation).padStart(6, '0')}`;
  const dir = path.join(indexDir, name);
  const staging = `${dir}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const manifest: Manifest = { version: 2, generation, createdAt: new Date().toISOString(), model: change.model, articles };
  const manifestFile: ManifestFile = { ...manifest, articles: Object.fromEntries(manifest.articles) };
  const live = new Map<string, number>();
  for (const article of articles.values()) live.set(article.segment!, (live.get(article.segment!) ?? 0) + article.paragraphCount);
  const listed: ListedSegment[] = segments.map(({ name: segment, rows }) => ({ name: segment, rows, live: live.get(segment) ?? 0 }));
  await writeDurably(path.join(staging, 'segments.json'), JSON.stringify(listed));
  // Not indented: at a million paragraphs the manifest is tens of MB, read by every ingest and reload.
  await writeDurably(path.join(staging, 'manifest.json'), JSON.stringify(manifestFile));
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  await writeDurably(path.join(indexDir, `${POINTER}.tmp`), `${name}\n`);
  await rename(path.join(indexDir, `${POINTER}.tmp`), path.join(indexDir, POINTER));
  await removeUnused(indexDir, generation);
  return { manifest, segments };
}

function isSegmentDir(indexDir: string, dir: string): boolean {
  return path.resolve(path.dirname(dir)) === path.resolve(indexDir, SEGMENTS);
}

/** Segments the next write must copy into its new segment: a first-format generation (removed with old generations), or one whose people or candidate answers are missing. */
export function segmentsToCarry<S extends SegmentRef>(indexDir: string, generation: { segments: S[] } | undefined): S[] {
  return (generation?.segments ?? []).filter((s) => !isSegmentDir(indexDir, s.dir) || !s.complete);
}

/**
 * The live rows of some segments of a snapshot, as the rows of one new segment: for merging, and
 * for carrying a first-format generation into the segment format. Missing people or candidate
 * answers (generations written before they were stored) are derived from the text.
 */
export function liveRowsOf(
  manifest: Manifest,
  segments: readonly Segment[],
  derive: (texts: string[]) => { people: ArticlePerson[]; spans: StoredSpan[][] },
  keep: (articleId: string) => boolean = () => true,
): SegmentRows {
  const dimensions = manifest.model.dimensions;
  const paragraphs: Paragraph[] = [];
  const chunks: Float32Array[] = [];
  const termRows: { lists: Segment['terms']; rows: number[] }[] = [];
  const people: PeopleByArticle = new Map();
  const spans: SpansByArticle = new Map();
  const texts = new Map<string, string[]>();
  for (const segment of segments) {
    const rows: number[] = [];
    termRows.push({ lists: segment.terms, rows });
    segment.paragraphs.forEach((p, row) => {
      if (manifest.articles.get(p.articleId)?.segment !== segment.name || !keep(p.articleId)) return;
      const text = p.text;
      paragraphs.push({ articleId: p.articleId, position: p.position, text });
      chunks.push(segment.vectors.subarray(row * dimensions, (row + 1) * dimensions));
      rows.push(row);
      if (!texts.has(p.articleId)) texts.set(p.articleId, []);
      texts.get(p.articleId)![p.position] = text;
    });
    for (const id of texts.keys()) {
      if (people.has(id)) continue;
      const stored = segment.complete ? { people: segment.people.get(id), spans: segment.spans.get(id) } : {};
      const derived = stored.people && stored.spans ? undefined : derive(texts.get(id)!.filter((t) => t !== undefined));
      people.set(id, stored.people ?? derived!.people);
      spans.set(id, stored.spans ?? derived!.spans);
    }
  }
  const vectors = new Float32Array(paragraphs.length * dimensions);
  chunks.forEach((chunk, i) => vectors.set(chunk, i * dimensions));
  return { paragraphs, vectors, terms: concatTermLists(termRows), people, spans };
}

/** The highest generation number on disk, so that a rebuild never reuses an old folder name. */
async function latestGeneration(indexDir: string): Promise<number> {
  const numbers = (await readdir(indexDir).catch(() => [] as string[])).map((e) => Number(e.match(/^gen-(\d+)$/)?.[1] ?? 0));
  return Math.max(0, ...numbers);
}

async function latestSegment(indexDir: string): Promise<number> {
  const numbers = (await readdir(path.join(indexDir, SEGMENTS)).catch(() => [] as string[])).map((e) => Number(e.match(/^seg-(\d+)/)?.[1] ?? 0));
  return Math.max(0, ...numbers);
}

/**
 * Removes generations older than the last `KEEP_GENERATIONS`, then segments that no remaining
 * generation lists (replaced by a merge, or left by a crashed write). Runs under the write lock.
 */
async function removeUnused(indexDir: string, current: number): Promise<void> {
  for (const entry of await readdir(indexDir)) {
    const match = entry.match(/^gen-(\d+)(\.tmp)?$/);
    if (match && (match[2] || Number(match[1]) <= current - KEEP_GENERATIONS)) {
      await rm(path.join(indexDir, entry), { recursive: true, force: true });
    }
  }
  const listed = new Set<string>();
  for (const entry of await readdir(indexDir)) {
    if (!GENERATION_NAME.test(entry)) continue;
    const names = await readFile(path.join(indexDir, entry, 'segments.json'), 'utf8').then(JSON.parse, () => undefined);
    // A generation whose list cannot be read keeps every segment: removing one it needs would lose data.
    if (!Array.isArray(names)) return;
    for (const entry of names) listed.add(String((entry as { name?: unknown })?.name));
  }
  for (const entry of await readdir(path.join(indexDir, SEGMENTS)).catch(() => [] as string[])) {
    if (!listed.has(entry)) await rm(path.join(indexDir, SEGMENTS, entry), { recursive: true, force: true });
  }
}

/** Refuses an index built with another model, saying how to rebuild. */
export function assertSameModel(manifest: Manifest, model: ModelStamp, indexDir: string): void {
  const stored = manifest.model;
  if (stored.id === model.id && stored.checksum === model.checksum && stored.dimensions === model.dimensions) return;
  throw new UserError(
    `The index in ${indexDir} was built with the embedding model "${stored.id}" (${stored.dimensions} dimensions, ` +
      `build ${stored.checksum.slice(0, 12)}), but EMBEDDING_MODEL is "${model.id}" (${model.dimensions} dimensions, ` +
      `build ${model.checksum.slice(0, 12)}).`,
    `Rebuild the index with this model: npm run ingest -- --rebuild (or set EMBEDDING_MODEL=${stored.id}).`,
  );
}

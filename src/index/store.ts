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
 *
 * This module reads it; write.ts writes it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { allocateVectors } from '../embedding/vector-memory.js';
import { UserError } from '../errors.js';
import type { PeopleByArticle } from '../people/extract.js';
import { withLazy } from './lazy.js';
import { readSegment } from './segment.js';
import { joinTables } from './paragraph-table.js';
import { copyVectorsInto } from './segment-vectors.js';
import type { Generation, IndexedArticle, Manifest, ModelStamp, Paragraph, Segment, SegmentRef, Snapshot, SpansLookup } from './types.js';

export const POINTER = 'CURRENT';
export const GENERATION_NAME = /^gen-\d{6}$/;
export const SEGMENTS = 'segments';
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
export type ManifestFile = Omit<Manifest, 'articles' | 'version'> & { version: 1 | 2; articles: { [id: string]: IndexedArticle } };

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
    return await assemble(generation.dir, generation.manifest, segments);
  });
}

const SEGMENTS_READ_AT_ONCE = 4;

/** The segments of a generation with their rows: those in `loaded` as they are, the others read. */
export async function loadSegments(generation: Pick<Generation, 'manifest' | 'segments'>, loaded: readonly Segment[] = []): Promise<Segment[]> {
  const known = new Map(loaded.map((s) => [path.resolve(s.dir), s]));
  const segments: Segment[] = new Array(generation.segments.length);
  // A few at a time: one segment's files are read while another's are parsed.
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < segments.length; i = next++) {
      const ref = generation.segments[i]!;
      segments[i] = known.get(path.resolve(ref.dir)) ?? (await readSegment(ref.dir, generation.manifest.model.dimensions));
    }
  };
  await Promise.all(Array.from({ length: SEGMENTS_READ_AT_ONCE }, reader));
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
  return existsSync(path.join(dir, 'people.json')) && (existsSync(path.join(dir, 'spans.bin')) || existsSync(path.join(dir, 'spans.json')));
}

/** The segments a generation lists, in row order; a first-format generation is its own single segment. */
async function segmentsOf(indexDir: string, dir: string, manifest: Manifest, version: 1 | 2): Promise<SegmentRef[]> {
  if (version === 1) {
    const name = path.basename(dir);
    for (const article of manifest.articles.values()) article.segment = name;
    const rows = [...manifest.articles.values()].reduce((sum, a) => sum + a.paragraphCount, 0);
    return [{ name, dir, rows, complete: storesEverything(dir) }];
  }
  return (await readListedSegments(dir)).map(({ name, rows }) => {
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
  return live ? readListedSegments(live).catch(() => undefined) : undefined;
}

/** A generation's `segments.json`, checked entry by entry; throws when it is missing or not such a list. */
export async function readListedSegments(generationDir: string): Promise<ListedSegment[]> {
  const listed = JSON.parse(await readFile(path.join(generationDir, 'segments.json'), 'utf8')) as unknown;
  const valid = (entry: unknown): entry is ListedSegment =>
    typeof entry === 'object' &&
    entry !== null &&
    SEGMENT_NAME.test(String((entry as { name?: unknown }).name)) &&
    ['rows', 'live'].every((key) => Number.isInteger((entry as Record<string, unknown>)[key]));
  if (!Array.isArray(listed) || !listed.every(valid)) throw new Error('segments.json: not a list of segments');
  return listed;
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
 * Vectors go straight into the scanner's WebAssembly memory, read from disk into it when the
 * segment's are not in memory yet (a segment with dead rows reads its own copy to pick from). A segment whose rows are all live
 * then keeps a view into the table instead of its own vectors, so a million vectors are held
 * once, not twice (the next assembly copies from the views and moves them to its table). Stems
 * stay with their segment: retrieval keeps one BM25 part per segment.
 */
async function assemble(dir: string, manifest: Manifest, segments: Segment[]): Promise<Snapshot> {
  const dimensions = manifest.model.dimensions;
  const liveRows = segments.map((segment) => liveRowsOfSegment(manifest, segment));
  const total = liveRows.reduce((sum, rows) => sum + rows.length, 0);
  const paragraphs = joinTables(
    segments.map((s) => s.paragraphs),
    liveRows,
  );
  const vectors = allocateVectors(total, dimensions);
  let at = 0;
  for (const [i, segment] of segments.entries()) {
    const rows = liveRows[i]!;
    if (rows.length === segment.paragraphs.length) {
      await copyVectorsInto(segment, vectors.subarray(at * dimensions, (at + rows.length) * dimensions));
    } else {
      rows.forEach((row, k) => vectors.set(segment.vectors.subarray(row * dimensions, (row + 1) * dimensions), (at + k) * dimensions));
    }
    at += rows.length;
  }
  at = 0;
  segments.forEach((segment, i) => {
    const rows = liveRows[i]!.length;
    if (rows === segment.paragraphs.length) segment.vectors = vectors.subarray(at * dimensions, (at + rows) * dimensions);
    at += rows;
  });
  const layout = segments.map((segment, i) => ({ segment, rows: liveRows[i]! }));
  // People are gathered on first use (/who), from segments that read them on first use too.
  // Each article's candidate answers, from the segment holding its live rows.
  const byName = new Map(segments.map((s) => [s.name, s]));
  const spans: SpansLookup = { get: (id) => byName.get(manifest.articles.get(id)?.segment ?? '')?.spans.get(id) };
  return withLazy({ dir, manifest, segments, paragraphs, vectors, spans, layout }, 'people', () => {
    const people: PeopleByArticle = new Map();
    for (const segment of segments) for (const [id, found] of segment.people) if (manifest.articles.get(id)?.segment === segment.name) people.set(id, found);
    return people;
  });
}

/**
 * A segment's rows whose article this generation keeps in it (and `keep` keeps): one manifest
 * lookup per article, not per row.
 */
export function liveRowsOfSegment(manifest: Manifest, segment: Segment, keep: (articleId: string) => boolean = () => true): Int32Array {
  const table = segment.paragraphs;
  const live = table.articleIds.map((id) => manifest.articles.get(id)?.segment === segment.name && keep(id));
  const rows = new Int32Array(table.length);
  let count = 0;
  for (let row = 0; row < table.length; row++) if (live[table.articleOf(row)]) rows[count++] = row;
  return rows.subarray(0, count);
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

/**
 * Writing the index (see store.ts for its layout): new segments first, then a generation that
 * lists them, then the `CURRENT` pointer, then removing what no kept generation lists. Every
 * write runs under the write lock (lock.ts).
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ArticlePerson, PeopleByArticle } from '../people/extract.js';
import { segmentsOfRows, writeDurably, writeSegment } from './segment.js';
import { GENERATION_NAME, liveRowsOfSegment, POINTER, readListedSegments, SEGMENTS, type ListedSegment, type ManifestFile } from './store.js';
import { concatTermLists } from './term-lists.js';
import type { Generation, IndexedArticle, Manifest, ModelStamp, Paragraph, Segment, SegmentRef, SegmentRows, SpansByArticle, StoredSpan } from './types.js';

/** Generations kept: the live one and the one before, which a reader may still be loading. */
const KEEP_GENERATIONS = 2;

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
    let number = await latestSegment(indexDir);
    for (const part of rows.paragraphs.length > 0 ? segmentsOfRows(rows, dimensions) : []) {
      const name = `seg-${String(++number).padStart(6, '0')}`;
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
  await Promise.all([
    writeDurably(path.join(staging, 'segments.json'), JSON.stringify(listed)),
    // Not indented: at a million paragraphs the manifest is tens of MB, read by every ingest and reload.
    writeDurably(path.join(staging, 'manifest.json'), JSON.stringify(manifestFile)),
  ]);
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
  const spans = new Map<string, StoredSpan[][]>();
  for (const segment of segments) {
    // An article's rows are all in one segment: its texts are complete once the segment is read.
    const texts = new Map<string, string[]>();
    const rows = [...liveRowsOfSegment(manifest, segment, keep)];
    termRows.push({ lists: segment.terms, rows });
    const table = segment.paragraphs;
    for (const row of rows) {
      const articleId = table.articleIdOf(row);
      const position = table.positionOf(row);
      const text = table.textOf(row);
      paragraphs.push({ articleId, position, text });
      chunks.push(segment.vectors.subarray(row * dimensions, (row + 1) * dimensions));
      if (!texts.has(articleId)) texts.set(articleId, []);
      texts.get(articleId)![position] = text;
    }
    for (const id of texts.keys()) {
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
    const segments = await readListedSegments(path.join(indexDir, entry)).catch(() => undefined);
    // A generation whose list cannot be read keeps every segment: removing one it needs would lose data.
    if (!segments) return;
    for (const segment of segments) listed.add(segment.name);
  }
  for (const entry of await readdir(path.join(indexDir, SEGMENTS)).catch(() => [] as string[])) {
    if (!listed.has(entry)) await rm(path.join(indexDir, SEGMENTS, entry), { recursive: true, force: true });
  }
}


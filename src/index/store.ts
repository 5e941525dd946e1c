/**
 * The index on disk: one folder per generation, switched by the `CURRENT` pointer (written last,
 * by rename), so a reader always sees a complete generation and a crashed write leaves the
 * previous one in place.
 *
 *   <indexDir>/CURRENT            name of the live generation
 *   <indexDir>/gen-000007/
 *     index.json                  vectra LocalIndex: the store of record (vector + paragraph per item)
 *     manifest.json               model, articles (metadata and content hashes)
 *     people.json                 the people each article names (for /who)
 *     spans.json                  candidate answers (people, places, dates, numbers, names) per paragraph
 *     terms.json, terms.bin       each paragraph's stems, for BM25 without stemming at load
 *     rows.json, paragraphs.txt, vectors.f32  row-aligned mirror of index.json for fast loading
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { IndexedArticle, Manifest, ModelStamp, Paragraph, Snapshot, SpansByArticle, StoredSpan } from './types.js';
import type { ArticlePerson, PeopleByArticle } from '../people/extract.js';
import { decodeTermLists, encodeTermLists, termListsOf, TermListsBuilder, type TermLists } from './term-lists.js';

type VectraMetadata = { articleId: string; position: number; text: string };

const POINTER = 'CURRENT';
const KEEP_GENERATIONS = 2;
const GENERATION_NAME = /^gen-\d{6}$/;

export function paragraphId(p: Pick<Paragraph, 'articleId' | 'position'>): string {
  return `${p.articleId}#${p.position}`;
}

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
type ManifestFile = Omit<Manifest, 'articles'> & { articles: { [id: string]: IndexedArticle } };

/** A JSON object of things by article id, as a Map: `JSON.parse` keeps `__proto__` as an own key, which `Object.entries` lists. */
function mapOf<T>(object: { [id: string]: T }): Map<string, T> {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new Error('not a JSON object of articles');
  return new Map(Object.entries(object));
}

/** The reverse of `mapOf`: `Object.fromEntries` defines own keys, so `__proto__` is written like any id. */
function jsonOf<T>(map: Map<string, T>): string {
  return JSON.stringify(Object.fromEntries(map));
}

/** Generations written before `source.file` was named `source.location` (it may hold a link): read them as the new name. */
function withSourceLocations(file: ManifestFile): Manifest {
  const manifest: Manifest = { ...file, articles: mapOf(file.articles) };
  for (const article of manifest.articles.values()) {
    const source = article.source as { location?: string; file?: string; line?: number };
    if (source.location === undefined && source.file !== undefined) {
      article.source = source.line === undefined ? { location: source.file } : { location: source.file, line: source.line };
    }
  }
  return manifest;
}

/** Reads the live generation, or undefined when no index was built yet. */
export async function readSnapshot(indexDir: string): Promise<Snapshot | undefined> {
  const live = liveGenerationDir(indexDir);
  if (!live) return undefined;
  const problems: string[] = [];
  const named = path.basename(live);
  if (!GENERATION_NAME.test(named) || path.resolve(path.dirname(live)) !== path.resolve(indexDir)) problems.push(`${POINTER} names ${JSON.stringify(named.slice(0, 40))}, not a generation`);
  for (const dir of await generationsToTry(indexDir, live)) {
    try {
      const snapshot = await readGeneration(dir);
      if (problems.length) snapshot.recoveredFrom = problems.join('; ');
      return snapshot;
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

async function readGeneration(dir: string): Promise<Snapshot> {
  const manifest = withSourceLocations(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ManifestFile);
  const mirror = await readMirror(dir, manifest.model.dimensions);
  const people = existsSync(path.join(dir, 'people.json'))
    ? mapOf(JSON.parse(await readFile(path.join(dir, 'people.json'), 'utf8')) as { [id: string]: ArticlePerson[] })
    : undefined;
  const rows = mirror ?? (await mirrorFromVectra(dir, manifest.model.dimensions));
  const spans = existsSync(path.join(dir, 'spans.json'))
    ? mapOf(JSON.parse(await readFile(path.join(dir, 'spans.json'), 'utf8')) as { [id: string]: StoredSpan[][] })
    : undefined;
  return { dir, manifest, people, spans, ...rows, terms: (await readTermLists(dir, rows.paragraphs.length)) ?? termListsOf(rows.paragraphs.map((p) => p.text)) };
}

async function readTermLists(dir: string, rows: number): Promise<TermLists | undefined> {
  try {
    const vocabulary = JSON.parse(await readFile(path.join(dir, 'terms.json'), 'utf8')) as string[];
    const lists = decodeTermLists(vocabulary, await readFile(path.join(dir, 'terms.bin')));
    return lists.offsets.length === rows + 1 ? lists : undefined;
  } catch {
    return undefined;
  }
}

async function readMirror(dir: string, dimensions: number): Promise<Pick<Snapshot, 'paragraphs' | 'vectors'> | undefined> {
  try {
    const paragraphs = await readParagraphs(dir);
    const bytes = await readFile(path.join(dir, 'vectors.f32'));
    const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    return vectors.length === paragraphs.length * dimensions ? { paragraphs, vectors } : undefined;
  } catch {
    return undefined;
  }
}

/** Paragraph texts joined by NUL (which text never holds) parse ten times faster than JSON objects. */
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
  await writeDurably(path.join(dir, 'rows.json'), JSON.stringify(rows));
  await writeDurably(path.join(dir, 'paragraphs.txt'), paragraphs.map((p) => p.text.replaceAll(SEPARATOR, ' ')).join(SEPARATOR));
}

async function readParagraphs(dir: string): Promise<Paragraph[]> {
  const rows = JSON.parse(await readFile(path.join(dir, 'rows.json'), 'utf8')) as RowsFile;
  const texts = rows.article.length ? (await readFile(path.join(dir, 'paragraphs.txt'), 'utf8')).split(SEPARATOR) : [];
  if (texts.length !== rows.article.length) throw new Error(`${dir}: paragraphs.txt does not match rows.json`);
  return texts.map((text, i) => ({ articleId: rows.articleIds[rows.article[i]!]!, position: rows.positions[i]!, text }));
}

/** Rebuilds the in-memory mirror from vectra's own file when the mirror is missing or inconsistent. */
async function mirrorFromVectra(dir: string, dimensions: number): Promise<Pick<Snapshot, 'paragraphs' | 'vectors'>> {
  // Imported here: vectra pulls in half a second of dependencies that the normal path never needs.
  const { LocalIndex } = await import('vectra');
  const items = await new LocalIndex<VectraMetadata>(dir).listItems();
  const vectors = new Float32Array(items.length * dimensions);
  const paragraphs = items.map((item, row) => {
    vectors.set(item.vector, row * dimensions);
    return { articleId: item.metadata.articleId, position: item.metadata.position, text: item.metadata.text };
  });
  return { paragraphs, vectors };
}

export interface GenerationChange {
  model: ModelStamp;
  articles: Map<string, IndexedArticle>;
  /** Articles whose rows are dropped from the previous generation (updated or removed). */
  dropArticleIds: Set<string>;
  newParagraphs: Paragraph[];
  newVectors: Float32Array[];
  /** The people of every article of the next generation. */
  people: PeopleByArticle;
  /** The candidate answers of every paragraph of the next generation. */
  spans: SpansByArticle;
}

/**
 * Writes the next generation: previous rows minus the dropped articles, plus the new rows, all
 * into a fresh folder; then switches `CURRENT` to it. Returns the new snapshot.
 */
export async function writeGeneration(indexDir: string, previous: Snapshot | undefined, change: GenerationChange): Promise<Snapshot> {
  const generation = Math.max(previous?.manifest.generation ?? 0, await latestGeneration(indexDir)) + 1;
  const name = `gen-${String(generation).padStart(6, '0')}`;
  try {
    return await writeGenerationAs(indexDir, name, generation, previous, change);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw error;
    // The staging folder is what filled the disk: removing it gives the space back.
    await rm(path.join(indexDir, `${name}.tmp`), { recursive: true, force: true }).catch(() => undefined);
    throw new UserError(`The disk holding ${indexDir} is full: the new articles were not stored, and the index is as it was.`, 'Free some space and run the ingest again.');
  }
}

async function writeGenerationAs(indexDir: string, name: string, generation: number, previous: Snapshot | undefined, change: GenerationChange): Promise<Snapshot> {
  const dir = path.join(indexDir, name);
  const staging = `${dir}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });

  const { dimensions } = change.model;
  const keptRows: number[] = [];
  previous?.paragraphs.forEach((p, row) => {
    if (!change.dropArticleIds.has(p.articleId)) keptRows.push(row);
  });
  const paragraphs = [...keptRows.map((row) => previous!.paragraphs[row]!), ...change.newParagraphs];
  const vectors = new Float32Array(paragraphs.length * dimensions);
  keptRows.forEach((row, i) => vectors.set(previous!.vectors.subarray(row * dimensions, (row + 1) * dimensions), i * dimensions));
  change.newVectors.forEach((v, i) => vectors.set(v, (keptRows.length + i) * dimensions));

  const termLists = new TermListsBuilder();
  for (const row of keptRows) termLists.addRow(previous!.terms, row);
  for (const p of change.newParagraphs) termLists.addText(p.text);
  const terms = termLists.build();

  await writeVectraIndex(path.join(staging, 'index.json'), paragraphs, vectors, dimensions);
  await writeDurably(path.join(staging, 'terms.json'), JSON.stringify(terms.vocabulary));
  await writeDurably(path.join(staging, 'terms.bin'), encodeTermLists(terms));
  const manifest: Manifest = { version: 1, generation, createdAt: new Date().toISOString(), model: change.model, articles: change.articles };
  await writeParagraphs(staging, paragraphs);
  await writeDurably(path.join(staging, 'vectors.f32'), new Uint8Array(vectors.buffer));
  await writeDurably(path.join(staging, 'people.json'), jsonOf(change.people));
  await writeDurably(path.join(staging, 'spans.json'), jsonOf(change.spans));
  const manifestFile: ManifestFile = { ...manifest, articles: Object.fromEntries(manifest.articles) };
  await writeDurably(path.join(staging, 'manifest.json'), JSON.stringify(manifestFile, null, 1));
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  await writeDurably(path.join(indexDir, `${POINTER}.tmp`), `${name}\n`);
  await rename(path.join(indexDir, `${POINTER}.tmp`), path.join(indexDir, POINTER));
  await removeOldGenerations(indexDir, generation);
  return { dir, manifest, paragraphs, vectors, people: change.people, spans: change.spans, terms };
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

async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data);
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The highest generation number on disk, so that a rebuild never reuses an old folder name. */
async function latestGeneration(indexDir: string): Promise<number> {
  const numbers = (await readdir(indexDir).catch(() => [] as string[])).map((e) => Number(e.match(/^gen-(\d+)$/)?.[1] ?? 0));
  return Math.max(0, ...numbers);
}

async function removeOldGenerations(indexDir: string, current: number): Promise<void> {
  for (const entry of await readdir(indexDir)) {
    const match = entry.match(/^gen-(\d+)(\.tmp)?$/);
    if (match && (match[2] || Number(match[1]) <= current - KEEP_GENERATIONS)) {
      await rm(path.join(indexDir, entry), { recursive: true, force: true });
    }
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

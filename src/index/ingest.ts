import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { contentHash, sourceReference, type Article, type ParseProblem } from '../articles/article.js';
import { loadArticles } from '../articles/load-articles.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import { typedSpans } from '../articles/spans.js';
import { extractPeople, mergeAliases } from '../people/extract.js';
import type { ArticlePerson, PeopleByArticle } from '../people/extract.js';
import { acquireWriteLock } from './lock.js';
import { MAX_SEGMENT_ROWS } from './segment.js';
import { assertSameModel, loadSegments, readGeneration } from './store.js';
import { liveRowsOf, segmentsToCarry, writeGeneration, writeSegments, type WrittenSegment } from './write.js';
import { TermListsBuilder } from './term-lists.js';
import type { PgStore } from '../postgres/pg-store.js';
import { collectionNamesOf, membershipsOf, SHARED, withMembership, withoutCollection, type Membership } from './collections.js';
import type { Generation, IndexedArticle, ModelStamp, Paragraph, SegmentRows, StoredSpan } from './types.js';

/** Where an ingest writes: the file index in this folder, or Postgres (`DATABASE_URL`). */
export type IndexTarget = string | PgStore;

export interface IngestOptions {
  /** A folder (read recursively) or a single file. */
  source: string;
  /**
   * Embed everything again into a new index (required after changing the embedding model): the
   * articles of `source`, and every other article the index holds (pages, feed items, other
   * folders), from the text it stores.
   */
  rebuild?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Articles dated more than this many days ago are dropped (RETAIN_DAYS); undated ones are kept. */
  retainDays?: number;
  /** The collection the articles join (the shared one by default); one already stored keeps its others. */
  collection?: Membership;
}

export interface IngestReport {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Stored already, and now also in the collection ingested into (counted in `unchanged` or `updated` too). */
  joined: number;
  /** Taken out of a collection (`leaveCollection`), those left in no other counted in `removed` too. */
  left: number;
  /** Paragraphs embedded in this run. */
  embedded: number;
  problems: ParseProblem[];
  /** Articles in the index after the run. */
  articles: number;
  generation: number;
  /** False when nothing changed and nothing was written. */
  wrote: boolean;
  /** What was wrong with the live generation, when this run started from the newest intact one and wrote over it. */
  repaired?: string;
}

/**
 * Brings the index in line with the articles under `source`, incrementally: new and changed
 * articles are embedded, removed ones dropped, the rest kept as they are. Articles from other
 * folders are left alone, and so are those of a file that failed to parse this time.
 */
export async function ingest(target: IndexTarget, embedder: Embedder, options: IngestOptions): Promise<IngestReport> {
  const source = path.resolve(options.source);
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new UserError(`No such folder or file: ${options.source}`);
  const isDir = info.isDirectory();
  return applyArticles(target, embedder, {
    load: () => (isDir ? loadArticles(source) : loadArticles(path.dirname(source), [source])),
    // Articles that came from this folder (or file) and are gone from it are removed.
    removalScope: (file) => (isDir ? path.resolve(file).startsWith(source + path.sep) : path.resolve(file) === source),
    rebuild: options.rebuild,
    onProgress: options.onProgress,
    retainDays: options.retainDays,
    collection: options.collection,
  });
}

/** Adds or updates articles that do not come from a folder (web pages, feed items); removes nothing. */
export async function ingestArticles(
  target: IndexTarget,
  embedder: Embedder,
  articles: Article[],
  problems: ParseProblem[] = [],
  options: Pick<IngestOptions, 'onProgress' | 'retainDays' | 'collection'> = {},
): Promise<IngestReport> {
  const unique = [...new Map(articles.map((a) => [a.id, a])).values()];
  return applyArticles(target, embedder, { load: async () => ({ articles: unique, problems }), ...options });
}

interface Application extends Pick<IngestOptions, 'rebuild' | 'onProgress' | 'retainDays' | 'collection'> {
  load: () => Promise<{ articles: Article[]; problems: ParseProblem[] }>;
  removalScope?: (file: string) => boolean;
  /** Articles taken out of a collection: these, or all of its articles. */
  leave?: { collection: string; ids?: ReadonlySet<string> };
}

/**
 * Takes articles out of a collection (all of its articles when `ids` is omitted): an article in
 * another collection too stays there; one left in none is removed with its rows. One write, as
 * atomic as an ingest's (a generation, or one Postgres transaction per article).
 */
export function leaveCollection(target: IndexTarget, embedder: Embedder, collection: string, ids?: readonly string[]): Promise<IngestReport> {
  return applyArticles(target, embedder, { load: async () => ({ articles: [], problems: [] }), leave: { collection, ...(ids ? { ids: new Set(ids) } : {}) } });
}

function leave(plan: Plan, { collection, ids }: NonNullable<Application['leave']>): void {
  for (const [id, article] of plan.articles) {
    if ((ids && !ids.has(id)) || !collectionNamesOf(article).includes(collection)) continue;
    plan.left += 1;
    const rest = withoutCollection(article, collection);
    if (rest.length) {
      plan.relabelled.push(id);
      plan.articles.set(id, { ...article, collections: rest });
    } else {
      plan.removed.push(id);
      plan.articles.delete(id);
    }
  }
}

function applyArticles(target: IndexTarget, embedder: Embedder, application: Application): Promise<IngestReport> {
  return typeof target === 'string' ? applyToFiles(target, embedder, application) : applyToPostgres(target, embedder, application);
}

/** Under the write lock: compares the articles with the index, embeds what changed, writes the next generation. */
async function applyToFiles(indexDir: string, embedder: Embedder, application: Application): Promise<IngestReport> {
  const release = await acquireWriteLock(indexDir);
  try {
    const model: ModelStamp = { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum };
    const previous = application.rebuild ? undefined : await readGeneration(indexDir);
    if (previous) assertSameModel(previous.manifest, model, indexDir);
    const loaded = await application.load();
    const read = new Set(loaded.articles.map((a) => a.id));
    // A rebuild starts from no generation: the one it replaces is read once, for its texts and its memberships.
    const replaced = application.rebuild ? await readGeneration(indexDir).catch(() => undefined) : undefined;
    if (replaced) loaded.articles.push(...(await storedArticlesKept(replaced, loaded, application.removalScope)));
    const plan = planChanges(previous?.manifest.articles ?? new Map(), loaded, application);
    if (replaced) keepMemberships(replaced.manifest.articles, plan, read, application.collection ?? { name: SHARED });
    const report: IngestReport = {
      ...reportOf(plan, loaded.problems),
      generation: previous?.manifest.generation ?? 0,
      ...(previous?.recoveredFrom ? { repaired: previous.recoveredFrom } : {}),
    };
    const changed = [...plan.added, ...plan.updated];
    // A first-format generation, a segment without people or spans, or a generation read because the live one was damaged, is written again: that heals the index.
    const carried = segmentsToCarry(indexDir, previous);
    const rewrite = previous !== undefined && (carried.length > 0 || previous.recoveredFrom !== undefined);
    if (previous && changed.length === 0 && plan.removed.length === 0 && plan.relabelled.length === 0 && !rewrite) return report;

    const changedIds = new Set(changed.map((a) => a.id));
    const kept = previous && carried.length ? liveRowsOf(previous.manifest, await loadSegments({ ...previous, segments: carried }), derivedFromText, (id) => plan.articles.has(id) && !changedIds.has(id)) : undefined;
    const written = await writeNewSegments(indexDir, embedder, changed, kept, application.onProgress);
    const next = await writeGeneration(indexDir, previous, { model, articles: plan.articles, written: written.segments });
    return { ...report, embedded: written.embedded, generation: next.manifest.generation, wrote: true };
  } finally {
    await release();
  }
}

/**
 * The same comparison against the articles stored in Postgres; each new or changed article is
 * then written with all its rows in one transaction of its own (`PgStore.writeArticles`), so an
 * ingest that stops midway leaves every article whole, and another host's concurrent ingest of
 * the same article never duplicates it. There is no generation: readers see each article as it
 * commits, once they reload.
 */
async function applyToPostgres(store: PgStore, embedder: Embedder, application: Application): Promise<IngestReport> {
  if (application.rebuild) {
    throw new UserError('--rebuild rewrites the file index; a Postgres database holds the vectors of one embedding model.', 'For another model, use another database (DATABASE_URL).');
  }
  const before = await store.articles();
  const loaded = await application.load();
  const plan = planChanges(before, loaded, application);
  const collection = application.collection ?? { name: SHARED };
  const changed = [...plan.added, ...plan.updated];
  const total = changed.reduce((sum, a) => sum + a.paragraphs.length, 0);
  let embedded = 0;
  application.onProgress?.(0, total);
  for (const batch of batchesOf(changed, EMBED_BATCH_ROWS)) {
    const paragraphs = batch.flatMap((a) => a.paragraphs.map((text, position) => ({ articleId: a.id, position, text })));
    const vectors = await embedWithProgress(embedder, paragraphs, (done) => application.onProgress?.(embedded + done, total));
    let at = 0;
    await store.writeArticles(
      batch.map((article) => ({ article, collection, vectors: vectors.slice(at, (at += article.paragraphs.length)), ...derivedFromText(article.paragraphs) })),
    );
    embedded += paragraphs.length;
  }
  // Memberships change in SQL, from what is stored when they commit: a concurrent ingest's additions are kept.
  // Leaving removes the articles left in no collection in its own transaction.
  if (application.leave) await store.leaveCollection(application.leave.collection, application.leave.ids && [...application.leave.ids]);
  else {
    if (plan.relabelled.length) await store.joinCollection(plan.relabelled, collection);
    if (plan.removed.length) await store.removeArticles(plan.removed);
  }
  return { ...reportOf(plan, loaded.problems), embedded, wrote: changed.length > 0 || plan.removed.length > 0 || plan.relabelled.length > 0 };
}

/** What a plan changes, as reported; nothing embedded or written yet. */
function reportOf(plan: Plan, problems: ParseProblem[]): IngestReport {
  return {
    added: plan.added.length,
    updated: plan.updated.length,
    unchanged: plan.unchanged,
    removed: plan.removed.length,
    joined: plan.joined,
    left: plan.left,
    embedded: 0,
    problems,
    articles: plan.articles.size,
    generation: 0,
    wrote: false,
  };
}

/** Paragraphs embedded before their articles are written to Postgres: memory holds one batch of vectors. */
const EMBED_BATCH_ROWS = 2_048;

/** Consecutive articles in batches of about `rows` paragraphs (an article is never split). */
function* batchesOf(articles: Article[], rows: number): Generator<Article[]> {
  let batch: Article[] = [];
  let count = 0;
  for (const article of articles) {
    if (batch.length > 0 && count + article.paragraphs.length > rows) {
      yield batch;
      batch = [];
      count = 0;
    }
    batch.push(article);
    count += article.paragraphs.length;
  }
  if (batch.length > 0) yield batch;
}

/**
 * What a rebuild carries over from the index it replaces: every stored article that this run
 * did not read again, except those gone from the folder being ingested. Their text is in the
 * index, so a model change never loses a page added from Discord or a feed. An index too
 * damaged to read has nothing to carry.
 */
async function storedArticlesKept(stored: Generation, loaded: { articles: Article[]; problems: ParseProblem[] }, removalScope?: (file: string) => boolean): Promise<Article[]> {
  // Only the texts are needed: the segments' rows, not a searchable table of them.
  const read = new Set(loaded.articles.map((a) => a.id));
  const troubled = new Set(loaded.problems.map((p) => path.resolve(p.location)));
  const texts = new Map<string, string[]>();
  for (const segment of await loadSegments(stored)) {
    for (const p of segment.paragraphs) {
      if (stored.manifest.articles.get(p.articleId)?.segment !== segment.name) continue;
      if (!texts.has(p.articleId)) texts.set(p.articleId, []);
      texts.get(p.articleId)![p.position] = p.text;
    }
  }
  const kept: Article[] = [];
  for (const [id, article] of stored.manifest.articles) {
    const location = article.source.location;
    if (read.has(id) || (removalScope?.(location) && !troubled.has(path.resolve(location)))) continue;
    const { hash: _hash, paragraphCount: _count, segment: _segment, ...fields } = article;
    kept.push({ ...fields, paragraphs: (texts.get(id) ?? []).filter((text) => text !== undefined) });
  }
  return kept;
}

/**
 * A rebuild starts from no index, so every article is new to it: each keeps the collections the
 * replaced index gave it, those read again from the source also joining the one ingested into.
 */
function keepMemberships(stored: ReadonlyMap<string, IndexedArticle>, plan: Plan, read: ReadonlySet<string>, collection: Membership): void {
  for (const [id, article] of plan.articles) {
    const before = stored.get(id);
    if (before) {
      plan.articles.set(id, { ...article, collections: read.has(id) ? withMembership(before, collection) : membershipsOf(before), ...(before.addedAt ? { addedAt: before.addedAt } : {}) });
    }
  }
}

interface Plan {
  added: Article[];
  updated: Article[];
  unchanged: number;
  removed: string[];
  /** Stored and unchanged, with other collections than before: only their memberships are written. */
  relabelled: string[];
  joined: number;
  left: number;
  /** Every article of the next generation. */
  articles: Map<string, IndexedArticle>;
}

/** The oldest date kept under `RETAIN_DAYS` (YYYY-MM-DD), or undefined to keep everything. */
function retentionCutoff(retainDays: number | undefined, now = Date.now()): string | undefined {
  return retainDays === undefined ? undefined : new Date(now - retainDays * 86_400_000).toISOString().slice(0, 10);
}

function planChanges(before: ReadonlyMap<string, IndexedArticle>, { articles: loaded, problems }: { articles: Article[]; problems: ParseProblem[] }, application: Application): Plan {
  const { removalScope, collection = { name: SHARED } } = application;
  const keepFrom = retentionCutoff(application.retainDays);
  const now = new Date().toISOString();
  const articles = new Map(before);
  const plan: Plan = { added: [], updated: [], unchanged: 0, removed: [], relabelled: [], joined: 0, left: 0, articles };
  if (application.leave) leave(plan, application.leave);
  const seen = new Set<string>();
  const expired = (article: { date?: string }) => keepFrom !== undefined && article.date !== undefined && article.date < keepFrom;
  for (const [id, article] of before) {
    if (expired(article)) {
      plan.removed.push(id);
      articles.delete(id);
    }
  }
  for (const article of loaded) {
    if (expired(article)) {
      seen.add(article.id);
      if (!before.has(article.id)) problems.push({ ...article.source, reason: `dated ${article.date}, older than RETAIN_DAYS keeps (from ${keepFrom})` });
      continue;
    }
    const hash = contentHash(article);
    const old = before.get(article.id);
    if (old && claimsAnotherSource(old, article)) {
      problems.push({ ...article.source, reason: `its id "${article.id}" belongs to ${sourceReference(old)}, which is not replaced` });
      continue;
    }
    seen.add(article.id);
    const collections = withMembership(old, collection);
    const joins = old !== undefined && collections.length !== membershipsOf(old).length;
    if (joins) plan.joined += 1;
    if (old?.hash === hash) {
      plan.unchanged += 1;
      if (joins) {
        plan.relabelled.push(article.id);
        articles.set(article.id, { ...old, collections });
      }
      continue;
    }
    (old ? plan.updated : plan.added).push(article);
    const { paragraphs, ...rest } = article;
    const addedAt = old ? old.addedAt : now;
    articles.set(article.id, { ...rest, hash, paragraphCount: paragraphs.length, collections, ...(addedAt ? { addedAt } : {}) });
  }
  if (!removalScope) return plan;
  const troubled = new Set(problems.map((p) => path.resolve(p.location)));
  for (const [id, article] of before) {
    if (!seen.has(id) && articles.has(id) && removalScope(article.source.location) && !troubled.has(path.resolve(article.source.location))) {
      plan.removed.push(id);
      articles.delete(id);
    }
  }
  return plan;
}

/**
 * Whether an article would replace one from another file that still exists (`x/seeds/a.md` after
 * `y/seeds/a.md`, or a record carrying a front-matter id): each source keeps its own articles. A
 * page's id is its canonical address, so any fetch of that address may update it.
 */
function claimsAnotherSource(old: IndexedArticle, incoming: Article): boolean {
  const isLink = (location: string) => /^https?:\/\//i.test(location);
  if (isLink(old.source.location) && isLink(incoming.source.location)) return false;
  const oldFile = path.resolve(old.source.location);
  return oldFile !== path.resolve(incoming.source.location) && existsSync(oldFile);
}

/** What an article's text yields besides its rows: the people it names, and each paragraph's candidate answers. */
function derivedFromText(paragraphs: string[]): { people: ArticlePerson[]; spans: StoredSpan[][] } {
  return {
    people: mergeAliases(extractPeople(paragraphs)),
    spans: paragraphs.map((text) => typedSpans(text).map((s): StoredSpan => [s.type, s.start, s.end])),
  };
}

/** What the rows of a new segment derive from their texts: the people and candidate answers of each article, and each row's stems. */
type Derived = Pick<SegmentRows, 'people' | 'spans' | 'terms'>;

function derivedRows(changed: Article[], paragraphs: Paragraph[], carried?: SegmentRows): Derived {
  const people: PeopleByArticle = new Map(carried?.people);
  const spans = new Map<string, StoredSpan[][]>(carried?.spans);
  for (const article of changed) {
    const derived = derivedFromText(article.paragraphs);
    people.set(article.id, derived.people);
    spans.set(article.id, derived.spans);
  }
  const terms = new TermListsBuilder();
  const before = carried?.paragraphs.length ?? 0;
  for (let row = 0; row < before; row++) terms.addRow(carried!.terms, row);
  for (const p of paragraphs) terms.addText(p.text);
  return { people, spans, terms: terms.build() };
}

/** The rows of the segment an ingest writes: the new and changed articles, after any rows carried over from a segment that is being replaced. */
function newSegment(derived: Derived, paragraphs: Paragraph[], vectors: Float32Array[], dimensions: number, carried?: SegmentRows): SegmentRows {
  const before = carried?.paragraphs.length ?? 0;
  const flat = new Float32Array((before + vectors.length) * dimensions);
  if (carried) flat.set(carried.vectors);
  vectors.forEach((v, i) => flat.set(v, (before + i) * dimensions));
  return { paragraphs: [...(carried?.paragraphs ?? []), ...paragraphs], vectors: flat, ...derived };
}

/**
 * Embeds the new and changed articles and writes them as segments, a segment's worth at a time
 * (after any rows carried over), so that memory holds one batch of vectors, not all of them.
 */
async function writeNewSegments(
  indexDir: string,
  embedder: Embedder,
  changed: Article[],
  carried: SegmentRows | undefined,
  onProgress?: (done: number, total: number) => void,
): Promise<{ segments: WrittenSegment[]; embedded: number }> {
  const total = changed.reduce((sum, a) => sum + a.paragraphs.length, 0);
  const segments: WrittenSegment[] = [];
  let embedded = 0;
  let batch: Article[] = [];
  let batchRows = carried?.paragraphs.length ?? 0;
  const flush = async () => {
    const paragraphs: Paragraph[] = batch.flatMap((a) => a.paragraphs.map((text, position) => ({ articleId: a.id, position, text })));
    const carriedHere = segments.length === 0 ? carried : undefined;
    // The model embeds in its own thread while people, candidate answers and stems are derived here.
    const embedding = embedWithProgress(embedder, paragraphs, (done) => onProgress?.(embedded + done, total));
    embedding.catch(() => undefined); // awaited below, once the derivation is done
    const derived = derivedRows(batch, paragraphs, carriedHere);
    const vectors = await embedding;
    embedded += paragraphs.length;
    segments.push(...(await writeSegments(indexDir, newSegment(derived, paragraphs, vectors, embedder.dimensions, carriedHere), embedder.dimensions)));
    batch = [];
    batchRows = 0;
  };
  onProgress?.(0, total);
  for (const article of changed) {
    if (batch.length > 0 && batchRows + article.paragraphs.length > MAX_SEGMENT_ROWS) await flush();
    batch.push(article);
    batchRows += article.paragraphs.length;
  }
  if (batch.length > 0 || (carried && segments.length === 0)) await flush();
  return { segments, embedded };
}

/** All chunks are sent at once, so that the model's thread never waits for this one; progress is reported as chunks come back. */
async function embedWithProgress(embedder: Embedder, paragraphs: Paragraph[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
  const chunk = 256;
  let done = 0;
  const chunks: Promise<Float32Array[]>[] = [];
  for (let start = 0; start < paragraphs.length; start += chunk) {
    const texts = paragraphs.slice(start, start + chunk).map((p) => p.text);
    chunks.push(
      embedder.embed(texts).then((vectors) => {
        done += vectors.length;
        onProgress?.(done, paragraphs.length);
        return vectors;
      }),
    );
  }
  return (await Promise.all(chunks)).flat();
}

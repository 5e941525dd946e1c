import { stat } from 'node:fs/promises';
import path from 'node:path';
import { contentHash, type Article, type ParseProblem } from '../articles/article.js';
import { loadArticles } from '../articles/load-articles.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import { typedSpans } from '../articles/spans.js';
import { extractPeople, mergeAliases } from '../people/extract.js';
import type { PeopleByArticle } from '../people/extract.js';
import { acquireWriteLock } from './lock.js';
import { assertSameModel, readSnapshot, writeGeneration } from './store.js';
import { paragraphsInOrder, type IndexedArticle, type ModelStamp, type Paragraph, type Snapshot, type SpansByArticle, type StoredSpan } from './types.js';

export interface IngestOptions {
  /** A folder (read recursively) or a single file. */
  source: string;
  /** Start from an empty index (required after changing the embedding model). */
  rebuild?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface IngestReport {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
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
export async function ingest(indexDir: string, embedder: Embedder, options: IngestOptions): Promise<IngestReport> {
  const source = path.resolve(options.source);
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new UserError(`No such folder or file: ${options.source}`);
  const isDir = info.isDirectory();
  return applyArticles(indexDir, embedder, {
    load: () => (isDir ? loadArticles(source) : loadArticles(path.dirname(source), [source])),
    // Articles that came from this folder (or file) and are gone from it are removed.
    removalScope: (file) => (isDir ? path.resolve(file).startsWith(source + path.sep) : path.resolve(file) === source),
    rebuild: options.rebuild,
    onProgress: options.onProgress,
  });
}

/** Adds or updates articles that do not come from a folder (web pages, feed items); removes nothing. */
export async function ingestArticles(
  indexDir: string,
  embedder: Embedder,
  articles: Article[],
  problems: ParseProblem[] = [],
  onProgress?: (done: number, total: number) => void,
): Promise<IngestReport> {
  const unique = [...new Map(articles.map((a) => [a.id, a])).values()];
  return applyArticles(indexDir, embedder, { load: async () => ({ articles: unique, problems }), onProgress });
}

interface Application {
  load: () => Promise<{ articles: Article[]; problems: ParseProblem[] }>;
  removalScope?: (file: string) => boolean;
  rebuild?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Under the write lock: compares the articles with the index, embeds what changed, writes the next generation. */
async function applyArticles(indexDir: string, embedder: Embedder, application: Application): Promise<IngestReport> {
  const release = await acquireWriteLock(indexDir);
  try {
    const model: ModelStamp = { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum };
    const previous = application.rebuild ? undefined : await readSnapshot(indexDir);
    if (previous) assertSameModel(previous.manifest, model, indexDir);
    const loaded = await application.load();
    const plan = planChanges(previous, loaded.articles, loaded.problems, application.removalScope);
    const report: IngestReport = {
      added: plan.added.length,
      updated: plan.updated.length,
      unchanged: plan.unchanged,
      removed: plan.removed.length,
      embedded: 0,
      problems: loaded.problems,
      articles: Object.keys(plan.articles).length,
      generation: previous?.manifest.generation ?? 0,
      wrote: false,
      ...(previous?.recoveredFrom ? { repaired: previous.recoveredFrom } : {}),
    };
    const changed = [...plan.added, ...plan.updated];
    // A generation without people or spans, or one read because the live one was damaged, is written again: that heals the index.
    const rewrite = previous !== undefined && (previous.people === undefined || previous.spans === undefined || previous.recoveredFrom !== undefined);
    if (previous && changed.length === 0 && plan.removed.length === 0 && !rewrite) return report;

    const newParagraphs: Paragraph[] = changed.flatMap((a) => a.paragraphs.map((text, position) => ({ articleId: a.id, position, text })));
    const newVectors = await embedWithProgress(embedder, newParagraphs, application.onProgress);
    const next = await writeGeneration(indexDir, previous, {
      model,
      articles: plan.articles,
      dropArticleIds: new Set([...plan.updated.map((a) => a.id), ...plan.removed]),
      newParagraphs,
      newVectors,
      people: nextPeople(previous, plan, changed),
      spans: nextSpans(previous, plan, changed),
    });
    return { ...report, embedded: newParagraphs.length, generation: next.manifest.generation, wrote: true };
  } finally {
    await release();
  }
}

interface Plan {
  added: Article[];
  updated: Article[];
  unchanged: number;
  removed: string[];
  /** Every article of the next generation. */
  articles: Record<string, IndexedArticle>;
}

function planChanges(previous: Snapshot | undefined, loaded: Article[], problems: ParseProblem[], removalScope?: (file: string) => boolean): Plan {
  const before = previous?.manifest.articles ?? {};
  const articles: Record<string, IndexedArticle> = { ...before };
  const plan: Plan = { added: [], updated: [], unchanged: 0, removed: [], articles };
  const seen = new Set<string>();
  for (const article of loaded) {
    const hash = contentHash(article);
    seen.add(article.id);
    const old = before[article.id];
    if (old?.hash === hash) {
      plan.unchanged += 1;
      continue;
    }
    (old ? plan.updated : plan.added).push(article);
    const { paragraphs, ...rest } = article;
    articles[article.id] = { ...rest, hash, paragraphCount: paragraphs.length };
  }
  if (!removalScope) return plan;
  const troubled = new Set(problems.map((p) => path.resolve(p.location)));
  for (const [id, article] of Object.entries(before)) {
    if (!seen.has(id) && removalScope(article.source.location) && !troubled.has(path.resolve(article.source.location))) {
      plan.removed.push(id);
      delete articles[id];
    }
  }
  return plan;
}

/** People of the next generation: kept for unchanged articles, extracted for changed ones. */
function nextPeople(previous: Snapshot | undefined, plan: Plan, changed: Article[]): PeopleByArticle {
  const people: PeopleByArticle = {};
  const changedIds = new Set(changed.map((a) => a.id));
  for (const id of Object.keys(plan.articles)) {
    if (changedIds.has(id)) continue;
    people[id] =
      previous?.people?.[id] ??
      mergeAliases(extractPeople(paragraphsInOrder(previous!.paragraphs, id).map((p) => p.text)));
  }
  for (const article of changed) people[article.id] = mergeAliases(extractPeople(article.paragraphs));
  return people;
}

/** Candidate answers of the next generation: kept for unchanged articles, found for changed ones. */
function nextSpans(previous: Snapshot | undefined, plan: Plan, changed: Article[]): SpansByArticle {
  const spans: SpansByArticle = {};
  const changedIds = new Set(changed.map((a) => a.id));
  for (const id of Object.keys(plan.articles)) {
    if (!changedIds.has(id)) spans[id] = previous?.spans?.[id] ?? storedSpans(paragraphsInOrder(previous!.paragraphs, id).map((p) => p.text));
  }
  for (const article of changed) spans[article.id] = storedSpans(article.paragraphs);
  return spans;
}

function storedSpans(paragraphs: string[]): StoredSpan[][] {
  return paragraphs.map((text) => typedSpans(text).map((s): StoredSpan => [s.type, s.start, s.end]));
}

async function embedWithProgress(embedder: Embedder, paragraphs: Paragraph[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  const chunk = 256;
  onProgress?.(0, paragraphs.length);
  for (let start = 0; start < paragraphs.length; start += chunk) {
    vectors.push(...(await embedder.embed(paragraphs.slice(start, start + chunk).map((p) => p.text))));
    onProgress?.(vectors.length, paragraphs.length);
  }
  return vectors;
}

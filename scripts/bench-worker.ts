/**
 * One measured process of the benchmark (scripts/bench.ts):
 * `<modelsDir> <spawnedAtMs> ingest <source> <indexDir>`: ingests a corpus into an index;
 * `<modelsDir> <spawnedAtMs> add <file> <indexDir>`: ingests one new article as the CLI does (the ingest, then `mergeUntilTidy`);
 * `<modelsDir> <spawnedAtMs> serve <indexDir> <questions.json>`: opens the index and answers, queries
 * it with vectra, then prints `{"ready":true}` and waits for a line `{"question":…}` on stdin (sent
 * once another process has added an article), times `engine.reload()` and checks that the new
 * article answers the question.
 * With `--store postgres`, `<indexDir>` is the address of the Postgres the benchmark serves
 * (`postgres://…`): the same steps write to and answer from it; vectra and segments do not apply.
 * Prints one JSON line with its figures (the last line of its output).
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { loadEmbedder } from '../src/embedding/embedder.js';
import { WINK_MODEL_ID } from '../src/embedding/wink-model.js';
import { Engine } from '../src/engine.js';

const [modelsDir, spawnedAt, mode, a, b] = process.argv.slice(2) as [string, string, string, string?, string?];
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
};
/** Milliseconds since bench.ts spawned this process. */
const sinceSpawn = () => performance.now() + performance.timeOrigin - Number(spawnedAt);

const embedderLoading = loadEmbedder({ modelId: WINK_MODEL_ID, modelsDir });
/** The embedder with its model loaded: ingest figures leave the model's loading out (the serving process's cold start counts it). */
const loadedEmbedder = async () => {
  const embedder = await embedderLoading;
  await embedder.ready;
  return embedder;
};
/** The index folder, or the Postgres store at that address (one connection: PGlite is one session). */
async function targetOf(where: string) {
  if (!where.startsWith('postgres://')) return where;
  const embedder = await loadedEmbedder();
  const { PgStore } = await import('../src/postgres/pg-store.js');
  return PgStore.open(where, { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum }, { max: 1 });
}

if (mode === 'ingest') {
  const embedder = await loadedEmbedder();
  const { ingest } = await import('../src/index/ingest.js');
  const target = await targetOf(b!);
  const started = performance.now();
  const report = await ingest(target, embedder, { source: a! });
  const seconds = (performance.now() - started) / 1000;
  if (typeof target !== 'string') await target.close();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(JSON.stringify({ seconds, embedded: report.embedded, unchanged: report.unchanged, wrote: report.wrote, rss_mb: mb(peakRss) }));
} else if (mode === 'add' && b!.startsWith('postgres://')) {
  // What `npm run ingest -- --dir <file>` does with DATABASE_URL: one transaction, nothing to merge.
  const embedder = await loadedEmbedder();
  const { ingest } = await import('../src/index/ingest.js');
  const target = await targetOf(b!);
  const started = performance.now();
  const report = await ingest(target, embedder, { source: a! });
  const done = performance.now();
  if (typeof target !== 'string') await target.close();
  if (report.added !== 1) throw new Error(`adding ${a} added ${report.added} articles (${JSON.stringify(report.problems)})`);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const seconds = (done - started) / 1000;
  console.log(JSON.stringify({ seconds, ingest_seconds: seconds, merge_seconds: 0, merges: 0, embedded: report.embedded, process_seconds: sinceSpawn() / 1000, read_snapshot_seconds: 0, rss_mb: mb(peakRss) }));
} else if (mode === 'serve' && a!.startsWith('postgres://')) {
  await servePostgres(a!, b!);
} else if (mode === 'add') {
  // What `npm run ingest -- --dir <file>` does once the model is loaded: the ingest, then the merges it triggers.
  const embedder = await loadedEmbedder();
  const { ingest } = await import('../src/index/ingest.js');
  const { mergeUntilTidy } = await import('../src/index/merge.js');
  const { readSnapshot } = await import('../src/index/store.js');
  const started = performance.now();
  const report = await ingest(b!, embedder, { source: a! });
  const ingested = performance.now();
  const merges = await mergeUntilTidy(b!, []);
  const done = performance.now();
  const processSeconds = sinceSpawn() / 1000;
  if (report.added !== 1) throw new Error(`adding ${a} added ${report.added} articles (${JSON.stringify(report.problems)})`);
  // Not part of the figure: one read of the whole live generation, which the ingest and each merge check start with.
  const read = performance.now();
  await readSnapshot(b!);
  const readSeconds = (performance.now() - read) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      seconds: (done - started) / 1000,
      ingest_seconds: (ingested - started) / 1000,
      merge_seconds: (done - ingested) / 1000,
      merges: merges.length,
      embedded: report.embedded,
      process_seconds: processSeconds,
      read_snapshot_seconds: readSeconds,
      rss_mb: mb(peakRss),
    }),
  );
} else if (mode === 'serve') {
  const engine = await Engine.open(embedderLoading, a!);
  const embedder = engine.embedder;
  const questions = JSON.parse(await readFile(b!, 'utf8')) as string[];
  await engine.ask(questions[0]!);
  const coldStartMs = sinceSpawn();
  const { LocalIndex } = await import('vectra');
  const { readSnapshot } = await import('../src/index/store.js');
  const { Retriever } = await import('../src/retrieval/retriever.js');
  const { CandidateFeatures } = await import('../src/answers/rank.js');
  const { retrieve, ask, vectors } = await timedQuestions(engine, questions);
  const servingRss = peakRss;

  // vectra's own query path over the same index and the same query vectors: each segment is a
  // vectra LocalIndex, so a query asks every segment for its top 10 and keeps the best 10 of
  // those; its time is the sum over the segments. Segments are read one at a time (vectra holds
  // a whole index.json in memory), each answering every query.
  const segments = engine.snapshot.segments;
  const largest = segments.reduce((x, y) => (y.paragraphs.length > x.paragraphs.length ? y : x));
  const queryVectors = vectors.map((v) => Array.from(v));
  const vectraMs = queryVectors.map(() => 0);
  const vectraHits: { score: number }[][] = queryVectors.map(() => []);
  let largestSegmentOk = false;
  for (const segment of segments) {
    const vectra = new LocalIndex(segment.dir);
    const items = await vectra.listItems();
    if (segment === largest) largestSegmentOk = (await vectra.isIndexCreated()) && items.length === segment.paragraphs.length;
    for (const [i, vector] of queryVectors.entries()) {
      const t = performance.now();
      vectraHits[i]!.push(...(await vectra.queryItems(vector, '', 10)));
      vectraMs[i]! += performance.now() - t;
    }
  }
  for (const [i, hits] of vectraHits.entries()) {
    const t = performance.now();
    vectraHits[i] = hits.sort((x, y) => y.score - x.score).slice(0, 10);
    vectraMs[i]! += performance.now() - t;
  }

  // Another process adds one article; this one, which loaded the index before, picks it up.
  const before = new Set(engine.snapshot.manifest.articles.keys());
  const segmentsBefore = engine.snapshot.segments;
  console.log(JSON.stringify({ ready: true }));
  const { reloadMs, rank } = await reloadedWithNewArticle(engine, before);
  // Not part of the figure: reading the generation again with every segment already in memory
  // (assembling the rows only), building what the engine builds on it, and reading it with the
  // old segments only (the new one read from disk too).
  let t = performance.now();
  const assembled = (await readSnapshot(engine.indexDir, engine.snapshot.segments))!;
  const assembleMs = performance.now() - t;
  t = performance.now();
  const retriever = new Retriever(assembled);
  const retrieverMs = performance.now() - t;
  t = performance.now();
  new CandidateFeatures(assembled, retriever, embedder.wordVectors);
  const featuresMs = performance.now() - t;
  t = performance.now();
  await readSnapshot(engine.indexDir, segmentsBefore);
  const readMs = performance.now() - t;
  console.log(
    JSON.stringify({
      cold_start_ms: Math.round(coldStartMs),
      retrieve_p50_ms: percentile(retrieve, 0.5),
      retrieve_p95_ms: percentile(retrieve, 0.95),
      ask_p50_ms: percentile(ask, 0.5),
      ask_p95_ms: percentile(ask, 0.95),
      vectra_query_p50_ms: percentile(vectraMs, 0.5),
      vectra_segments: segments.length,
      vectra_largest_segment_ok: largestSegmentOk,
      rss_mb: mb(servingRss),
      questions: questions.length,
      reload_ms: round(reloadMs, 1),
      reload_read_ms: round(readMs, 1),
      reload_assemble_ms: round(assembleMs, 1),
      reload_retriever_ms: round(retrieverMs, 1),
      reload_features_ms: round(featuresMs, 1),
      segments_after_reload: engine.snapshot.segments.length,
      new_article_rank: rank + 1,
    }),
  );
} else {
  throw new Error(`unknown mode ${mode}`);
}
clearInterval(sampler);

/** `serve` against Postgres: cold start, retrieval and /ask, then the reload after another process's add. */
async function servePostgres(url: string, questionsFile: string): Promise<void> {
  const { PgCorpus } = await import('../src/retrieval/pg-corpus.js');
  const store = (await targetOf(url)) as Exclude<Awaited<ReturnType<typeof targetOf>>, string>;
  const engine = await Engine.openPostgres(embedderLoading, await PgCorpus.open(store), '');
  const questions = JSON.parse(await readFile(questionsFile, 'utf8')) as string[];
  await engine.ask(questions[0]!);
  const coldStartMs = sinceSpawn();
  const { retrieve, ask } = await timedQuestions(engine, questions);
  const before = new Set(engine.manifest.articles.keys());
  console.log(JSON.stringify({ ready: true }));
  const { reloadMs, rank } = await reloadedWithNewArticle(engine, before);
  console.log(
    JSON.stringify({
      cold_start_ms: Math.round(coldStartMs),
      retrieve_p50_ms: percentile(retrieve, 0.5),
      retrieve_p95_ms: percentile(retrieve, 0.95),
      ask_p50_ms: percentile(ask, 0.5),
      ask_p95_ms: percentile(ask, 0.95),
      vectra_query_p50_ms: null,
      vectra_segments: 0,
      vectra_largest_segment_ok: null,
      rss_mb: mb(peakRss),
      questions: questions.length,
      reload_ms: round(reloadMs, 1),
      reload_read_ms: round(reloadMs, 1),
      reload_assemble_ms: 0,
      reload_retriever_ms: 0,
      reload_features_ms: 0,
      segments_after_reload: 0,
      new_article_rank: rank + 1,
    }),
  );
  await engine.close();
}

/** Times retrieval alone and a whole /ask (rendered as Discord gets it) for each question; notes the peak RSS. */
async function timedQuestions(engine: Engine, questions: string[]): Promise<{ retrieve: number[]; ask: number[]; vectors: Float32Array[] }> {
  // Loaded after the cold start is measured: the bot has discord.js loaded before its first answer anyway.
  const { renderAskDiscord } = await import('./bench-render.js');
  const retrieve: number[] = [];
  const ask: number[] = [];
  const vectors = await engine.embedder.embed(questions);
  for (const [i, question] of questions.entries()) {
    let t = performance.now();
    await engine.retrieveByVector(question, vectors[i]!, 10);
    retrieve.push(performance.now() - t);
    t = performance.now();
    renderAskDiscord(await engine.ask(question));
    ask.push(performance.now() - t);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { retrieve, ask, vectors };
}

/**
 * Waits for bench.ts's signal that another process added one article, times `engine.reload()`,
 * and checks that the new article answers the question it sends (its passage's rank, 0-based).
 */
async function reloadedWithNewArticle(engine: Engine, before: ReadonlySet<string>): Promise<{ reloadMs: number; rank: number }> {
  const { question } = JSON.parse(await nextLine()) as { question: string };
  const started = performance.now();
  const changed = await engine.reload();
  const reloadMs = performance.now() - started;
  const added = [...engine.manifest.articles.keys()].filter((id) => !before.has(id));
  if (!changed || added.length !== 1) throw new Error(`reload() returned ${changed} and brought ${added.length} new articles, not 1`);
  const answer = await engine.ask(question);
  const rank = answer.kind === 'answer' ? answer.passages.findIndex((p) => p.citation.articleId === added[0]) : -1;
  if (rank < 0) throw new Error(`after reload(), "${question}" is not answered from the new article ${added[0]}: ${JSON.stringify(answer).slice(0, 400)}`);
  return { reloadMs, rank };
}

/** The next line on stdin (the signal from bench.ts). */
function nextLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', (line) => {
      resolve(line);
      lines.close();
      process.stdin.destroy();
    });
    lines.once('close', () => reject(new Error('stdin closed before bench.ts sent the question')));
  });
}

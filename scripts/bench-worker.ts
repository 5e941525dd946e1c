/**
 * One measured process of the benchmark (scripts/bench.ts):
 * `<modelsDir> <spawnedAtMs> ingest <source> <indexDir>` or `<modelsDir> <spawnedAtMs> serve <indexDir> <questions.json>`.
 * Prints one JSON line with its figures.
 */
import { readFile } from 'node:fs/promises';
import { loadEmbedder } from '../src/embedding/embedder.js';
import { WINK_MODEL_ID } from '../src/embedding/wink-model.js';
import { Engine } from '../src/engine.js';

const [modelsDir, spawnedAt, mode, a, b] = process.argv.slice(2) as [string, string, string, string?, string?];
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 1000) / 1000;
};

const embedderLoading = loadEmbedder({ modelId: WINK_MODEL_ID, modelsDir });
if (mode === 'ingest') {
  const embedder = await embedderLoading;
  const { ingest } = await import('../src/index/ingest.js');
  const started = performance.now();
  const report = await ingest(b!, embedder, { source: a! });
  const seconds = (performance.now() - started) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(JSON.stringify({ seconds, embedded: report.embedded, unchanged: report.unchanged, wrote: report.wrote, rss_mb: mb(peakRss) }));
} else {
  const engine = await Engine.open(embedderLoading, a!);
  const embedder = engine.embedder;
  const questions = JSON.parse(await readFile(b!, 'utf8')) as string[];
  await engine.ask(questions[0]!);
  const coldStartMs = performance.now() + performance.timeOrigin - Number(spawnedAt);
  // Loaded after the cold start is measured: the bot has discord.js loaded before its first answer anyway.
  const { renderAskDiscord } = await import('./bench-render.js');
  const { LocalIndex } = await import('vectra');
  const retrieve: number[] = [];
  const ask: number[] = [];
  const vectors = await embedder.embed(questions);
  for (const [i, question] of questions.entries()) {
    let t = performance.now();
    engine.retrieveByVector(question, vectors[i]!, 10);
    retrieve.push(performance.now() - t);
    t = performance.now();
    renderAskDiscord(await engine.ask(question));
    ask.push(performance.now() - t);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const servingRss = peakRss;
  // vectra's own query path, on the same index and the same query vectors.
  const vectra = new LocalIndex(engine.snapshot.dir);
  await vectra.listItems();
  const vectraMs: number[] = [];
  for (const vector of vectors) {
    const t = performance.now();
    await vectra.queryItems(Array.from(vector), '', 10);
    vectraMs.push(performance.now() - t);
  }
  console.log(
    JSON.stringify({
      cold_start_ms: Math.round(coldStartMs),
      retrieve_p50_ms: percentile(retrieve, 0.5),
      retrieve_p95_ms: percentile(retrieve, 0.95),
      ask_p50_ms: percentile(ask, 0.5),
      ask_p95_ms: percentile(ask, 0.95),
      vectra_query_p50_ms: percentile(vectraMs, 0.5),
      rss_mb: mb(servingRss),
      questions: questions.length,
    }),
  );
}
clearInterval(sampler);

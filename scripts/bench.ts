/**
 * npm run bench [-- --sizes 1000,10000,100000] [-- --json] [-- --keep]
 * Builds corpora of growing size from real news text, ingests each into a fresh index with the
 * embedded model, and measures ingest, index size, cold start, retrieval and /ask latency, peak
 * memory, and vectra's own queryItems on the same index, each in its own process; then, while
 * the serving process keeps the index open, another process adds one article (as `npm run ingest`
 * does, merges included) and the serving process times `engine.reload()` picking it up.
 * `--store postgres` runs the same steps against Postgres: PGlite (Postgres in WebAssembly, one
 * single-threaded session) with pgvector, on disk, served on 127.0.0.1 by this process.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { runMain } from '../src/cli/runtime.js';
import { loadDotEnv, parseConfig } from '../src/config/config.js';
import { ensureWinkModel } from '../src/embedding/wink-model.js';
import { UserError } from '../src/errors.js';
import { liveGenerationDir } from '../src/index/store.js';
import { startPglite } from './pglite.js';

const run = promisify(execFile);
const EVAL_DIR = path.resolve('../shared/eval/dev');

interface Source {
  id: string;
  title: string | null;
  url: string | null;
  date: string | null;
  paragraphs: string[];
}

runMain(async () => {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000,100000' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      store: { type: 'string', default: 'files' },
    },
  });
  const store = values.store;
  if (store !== 'files' && store !== 'postgres') throw new UserError(`--store must be "files" or "postgres", not "${store}".`);
  const sizes = values.sizes!.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new UserError('--sizes takes whole numbers of paragraphs, at least 100, e.g. --sizes 1000,10000');
  loadDotEnv();
  const { modelsDir } = parseConfig();
  await ensureWinkModel(modelsDir);
  const sources = await loadSources();
  const questions = await loadQuestions(sources);
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsquote-bench-'));
  const bar = values.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ format: 'bench |{bar}| {value}/{total} steps  {step}', stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar?.start(sizes.length * 6, 0, { step: '' });
  const step = (label: string) => (bar ? bar.increment({ step: label }) : process.stderr.write(`${label}\n`));
  // Where the time of an add and a reload goes: printed as they come, or after the progress bar.
  const notes: string[] = [];
  const note = (line: string) => (bar ? notes.push(line) : process.stderr.write(`${line}\n`));
  const results = [];
  try {
    await writeFile(path.join(work, 'questions.json'), JSON.stringify(questions));
    for (const size of sizes) {
      const corpus = path.join(work, `corpus-${size}.jsonl`);
      const postgres = store === 'postgres' ? await startPglite(path.join(work, `postgres-${size}`)) : undefined;
      const indexDir = postgres?.url ?? path.join(work, `index-${size}`);
      await writeFile(corpus, buildCorpus(sources, size));
      step(`${size}: corpus written`);
      const ingestRun = await worker(['ingest', corpus, indexDir], modelsDir);
      step(`${size}: ingested`);
      const reingest = await worker(['ingest', corpus, indexDir], modelsDir);
      step(`${size}: re-ingested`);
      const articleFile = path.join(work, `new-${size}`, 'harbour-bridge.md');
      await mkdir(path.dirname(articleFile), { recursive: true });
      await writeFile(articleFile, NEW_ARTICLE(new Date().toISOString().slice(0, 10)));
      const { serve, add } = await serveWhileAdding(indexDir, path.join(work, 'questions.json'), articleFile, modelsDir, (label) => step(`${size}: ${label}`));
      const segments = postgres ? 0 : await liveSegmentCount(indexDir);
      if (segments !== serve.segments_after_reload) note(`${size}: the live generation lists ${segments} segments, the reloaded engine has ${serve.segments_after_reload}`);
      note(
        `${size}: add one article ${add.seconds.toFixed(2)} s = ingest ${add.ingest_seconds.toFixed(2)} s + merges ${add.merge_seconds.toFixed(2)} s (${add.merges} merges); ` +
          `the process took ${add.process_seconds.toFixed(2)} s from spawn; one read of the whole index takes ${add.read_snapshot_seconds.toFixed(2)} s; add peak RSS ${add.rss_mb} MB`,
      );
      note(
        `${size}: reload ${serve.reload_ms} ms; reading the generation again takes ${serve.reload_read_ms} ms (${serve.reload_assemble_ms} ms with every segment already in memory), ` +
          `then the retriever (BM25 of paragraphs and articles, dense scanner) ${serve.reload_retriever_ms} ms and the ranking features ${serve.reload_features_ms} ms; ` +
          `the new article is passage ${serve.new_article_rank} of the answer; vectra queried ${serve.vectra_segments} segments`,
      );
      results.push({
        paragraphs: size,
        ingest_per_s: Math.round(ingestRun.embedded / ingestRun.seconds),
        index_mb: Math.round((postgres ? await databaseBytes(postgres.url) : await folderBytes(indexDir)) / 1024 / 102.4) / 10,
        segments,
        cold_start_ms: serve.cold_start_ms,
        retrieve_p50_ms: serve.retrieve_p50_ms,
        retrieve_p95_ms: serve.retrieve_p95_ms,
        ask_p50_ms: serve.ask_p50_ms,
        ask_p95_ms: serve.ask_p95_ms,
        vectra_query_p50_ms: serve.vectra_query_p50_ms,
        vectra_largest_segment_ok: serve.vectra_largest_segment_ok,
        speedup_vs_vectra: serve.vectra_query_p50_ms === null ? null : Math.round((serve.vectra_query_p50_ms / serve.retrieve_p50_ms) * 10) / 10,
        rss_mb: serve.rss_mb,
        ingest_rss_mb: ingestRun.rss_mb,
        reingest_s: Math.round(reingest.seconds * 100) / 100,
        add_one_s: Math.round(add.seconds * 100) / 100,
        reload_ms: serve.reload_ms,
        questions: serve.questions,
      });
      await postgres?.stop();
    }
  } finally {
    bar?.stop();
    for (const line of notes) process.stderr.write(`${line}\n`);
    // --keep leaves the corpora and indexes, to look into them (profiling a cold start, for one).
    if (values.keep) process.stderr.write(`corpora and indexes kept in ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ sizes: results })}\n`);
  else printTable(results);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function worker(args: string[], modelsDir: string): Promise<any> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bench-worker.ts', modelsDir, String(Date.now()), ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/**
 * The serving worker, which loads the index and answers, then (once it says it is ready) an
 * `add` worker adding `articleFile` to the index, then the serving worker again, told the question
 * the new article answers, which times `engine.reload()` and checks the answer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function serveWhileAdding(indexDir: string, questionsFile: string, articleFile: string, modelsDir: string, step: (label: string) => void): Promise<{ serve: any; add: any }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-worker.ts', modelsDir, String(Date.now()), 'serve', indexDir, questionsFile], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = async (what: string) => new Error(`bench-worker serve ${what} (exit code ${await exited}): ${stderr.trim()}`);
  const nextJson = async () => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw await failed('stopped early');
      try {
        return JSON.parse(value);
      } catch {
        // Not one of the worker's JSON lines.
      }
    }
  };
  try {
    const ready = await nextJson();
    if (!ready.ready) throw new Error(`bench-worker serve said ${JSON.stringify(ready)} before it was ready`);
    step('queried');
    const add = await worker(['add', articleFile, indexDir], modelsDir);
    step('one article added');
    child.stdin.end(`${JSON.stringify({ question: NEW_ARTICLE_QUESTION })}\n`);
    const serve = await nextJson();
    if ((await exited) !== 0) throw await failed('failed');
    step('reloaded');
    return { serve, add };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** The article added to a built index: its facts are in no other article, so only it answers the question. */
const NEW_ARTICLE = (date: string) => `---
title: Quenwick reopens the Zorblatt harbour bridge after fourteen months of repairs
date: ${date}
source: Quenwick Courier
---
QUENWICK – The Zorblatt harbour bridge reopened to traffic on Tuesday after fourteen months of repairs that cost 42 million krona, mayor Ilse Vardengaard said.

"The Zorblatt bridge carries eleven thousand cars a day, and the ferries could not replace it," Vardengaard told reporters at the reopening.

Engineers replaced the bridge's corroded steel cables and both of its lifting spans, the city's harbour board said in a statement.
`;
const NEW_ARTICLE_QUESTION = 'How much did the repairs of the Zorblatt bridge cost?';

/** Segments of the live generation, as its `segments.json` lists them. */
async function liveSegmentCount(indexDir: string): Promise<number> {
  const live = liveGenerationDir(indexDir);
  if (!live) throw new Error(`no index in ${indexDir}`);
  return (JSON.parse(await readFile(path.join(live, 'segments.json'), 'utf8')) as string[]).length;
}

async function loadSources(): Promise<Source[]> {
  const sources: Source[] = [];
  const articlesFile = path.join(EVAL_DIR, 'news_articles.jsonl');
  if (existsSync(articlesFile)) {
    for (const line of (await readFile(articlesFile, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { id: string; title: string | null; url: string | null; date: string | null; text: string };
      sources.push({ id: r.id, title: r.title, url: r.url, date: r.date, paragraphs: r.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean) });
    }
  }
  for (const file of await readdir('seeds')) {
    const text = await readFile(path.join('seeds', file), 'utf8');
    sources.push({ id: file, title: null, url: null, date: null, paragraphs: text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 40) });
  }
  return sources;
}

/** At least 200 varied questions: the dev quiz questions and SQuAD ones, else sentences of the corpus turned into questions. */
async function loadQuestions(sources: Source[]): Promise<string[]> {
  const questions: string[] = [];
  for (const file of ['news_qa.jsonl', 'wiki_qa.jsonl']) {
    const full = path.join(EVAL_DIR, file);
    if (!existsSync(full)) continue;
    for (const line of (await readFile(full, 'utf8')).split('\n')) if (line.trim()) questions.push((JSON.parse(line) as { question: string }).question);
  }
  for (let i = 0; questions.length < 200; i++) {
    const paragraph = sources[i % sources.length]!.paragraphs[Math.floor(i / sources.length)] ?? sources[0]!.paragraphs[0]!;
    questions.push(`What happened: ${paragraph.split(/[.!?]/)[0]!.slice(0, 200)}?`);
  }
  return questions.slice(0, 300);
}

/**
 * Replicates the source articles until `size` paragraphs: replica r rotates each paragraph's
 * sentences and shifts its numbers, so texts differ (no duplicate is skipped) while vocabulary
 * and lengths stay those of real news.
 */
function buildCorpus(sources: Source[], size: number): string {
  const lines: string[] = [];
  let count = 0;
  for (let replica = 0; count < size; replica++) {
    for (const source of sources) {
      if (count >= size) break;
      const paragraphs = source.paragraphs.slice(0, size - count).map((p) => perturb(p, replica));
      count += paragraphs.length;
      lines.push(JSON.stringify({ id: `${source.id}-r${replica}`, title: source.title, url: source.url, date: source.date, text: paragraphs.join('\n\n') }));
    }
  }
  return `${lines.join('\n')}\n`;
}

function perturb(paragraph: string, replica: number): string {
  if (replica === 0) return paragraph;
  const sentences = paragraph.split(/(?<=[.!?])\s+/);
  const rotated = [...sentences.slice(replica % sentences.length), ...sentences.slice(0, replica % sentences.length)];
  return rotated.join(' ').replace(/\d+/g, (n) => String(Number(n) + replica)) + (rotated.length === 1 ? ` (${replica})` : '');
}

async function databaseBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pg_database_size(current_database())::float8 AS bytes');
    return rows[0].bytes as number;
  } finally {
    await client.end();
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function printTable(rows: Record<string, number | boolean | null>[]): void {
  const columns = Object.keys(rows[0] ?? {});
  console.log(columns.map((c) => c.padStart(Math.max(c.length, 8))).join(' '));
  for (const row of rows) console.log(columns.map((c) => String(row[c]).padStart(Math.max(c.length, 8))).join(' '));
}

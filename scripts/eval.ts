/**
 * Answer-quality evaluation on a folder holding news_articles.jsonl and news_qa.jsonl
 * (see ../shared/eval/README.md): retrieval Hit@k and MRR@10, quotes, refusals, latency,
 * for the shipped hybrid retrieval and for BM25 alone and dense alone. `--summ`: ROUGE of the
 * summariser against LEAD-3 on summ.jsonl; `--summ --cv`: 5-fold cross-validated (scripts/eval-summaries.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runMain, startRuntime } from '../src/cli/runtime.js';
import { Engine } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { ingest } from '../src/index/ingest.js';
import type { RetrievalMode } from '../src/retrieval/retriever.js';
import { evaluateSummaries } from './eval-summaries.js';

interface QaRow {
  question: string;
  answers: string[];
}

interface Figures {
  hit_at_1: number;
  hit_at_3: number;
  hit_at_5: number;
  hit_at_10: number;
  mrr_at_10: number;
  quote_hit: number;
  refusal_rate: number;
  p50_ms: number;
  p95_ms: number;
}

const MODES: RetrievalMode[] = ['hybrid', 'bm25', 'dense'];

runMain(async () => {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, json: { type: 'boolean', default: false }, summ: { type: 'boolean', default: false }, cv: { type: 'boolean', default: false } },
  });
  if (!values.dir) throw new UserError('Missing option --dir <folder> (for example ../shared/eval/dev).');
  if (values.cv && !values.summ) throw new UserError('--cv applies to --summ only.');
  const dir = path.resolve(values.dir);
  const { embedder, log } = await startRuntime();
  log.level = 'warn';
  if (values.summ) return evaluateSummaries(embedder, path.join(dir, 'summ.jsonl'), values.json ?? false, values.cv ?? false);

  const articlesFile = path.join(dir, 'news_articles.jsonl');
  const qaFile = path.join(dir, 'news_qa.jsonl');
  for (const file of [articlesFile, qaFile]) if (!existsSync(file)) throw new UserError(`--dir: ${file} does not exist`);
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'newsquote-eval-'));
  try {
    await ingest(indexDir, embedder, { source: articlesFile });
    const engine = await Engine.open(embedder, indexDir);
    const qa = await readJsonl<QaRow>(qaFile);
    const results: Record<string, Figures> = {};
    for (const mode of MODES) results[mode] = await evaluate(engine, qa, mode);
    const offTopicFile = path.join(dir, 'wiki_qa.jsonl');
    const offTopic = existsSync(offTopicFile) ? await offTopicRefusalRate(engine, await readJsonl<QaRow>(offTopicFile)) : undefined;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...results, ...(offTopic !== undefined ? { off_topic_refusal_rate: offTopic } : {}) })}\n`);
    } else {
      printTable(results, qa.length);
      if (offTopic !== undefined) console.log(`\nOff-topic questions (wiki_qa.jsonl against the news articles) refused: ${offTopic.toFixed(3)}`);
    }
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
});

async function evaluate(engine: Engine, qa: QaRow[], mode: RetrievalMode): Promise<Figures> {
  const hits = [0, 0, 0, 0];
  let reciprocal = 0;
  let quoteHits = 0;
  let refusals = 0;
  const latencies: number[] = [];
  for (const row of qa) {
    const contains = (text: string) => row.answers.some((a) => text.toLowerCase().includes(a.toLowerCase()));
    const ranked = await engine.retrieve(row.question, 10, mode);
    const first = ranked.findIndex((hit) => contains(engine.snapshot.paragraphs[hit.row]!.text));
    [1, 3, 5, 10].forEach((k, i) => {
      if (first >= 0 && first < k) hits[i]! += 1;
    });
    if (first >= 0) reciprocal += 1 / (first + 1);
    const started = performance.now();
    const answer = await engine.ask(row.question, { mode });
    latencies.push(performance.now() - started);
    if (answer.kind === 'refusal') refusals += 1;
    else if (answer.passages.some((p) => contains(p.quote.join(' ')))) quoteHits += 1;
  }
  const n = qa.length;
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    hit_at_1: round(hits[0]! / n),
    hit_at_3: round(hits[1]! / n),
    hit_at_5: round(hits[2]! / n),
    hit_at_10: round(hits[3]! / n),
    mrr_at_10: round(reciprocal / n),
    quote_hit: round(quoteHits / n),
    refusal_rate: round(refusals / n),
    p50_ms: round(percentile(latencies, 0.5)),
    p95_ms: round(percentile(latencies, 0.95)),
  };
}

async function offTopicRefusalRate(engine: Engine, qa: QaRow[]): Promise<number> {
  let refused = 0;
  for (const row of qa) if ((await engine.ask(row.question)).kind === 'refusal') refused += 1;
  return Math.round((refused / qa.length) * 1000) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
}

export async function readJsonl<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

function printTable(results: Record<string, Figures>, questions: number): void {
  const keys = Object.keys(results.hybrid!) as (keyof Figures)[];
  console.log(`Questions: ${questions}\n`);
  console.log(['metric'.padEnd(14), ...MODES.map((m) => m.padStart(9))].join(''));
  for (const key of keys) console.log([key.padEnd(14), ...MODES.map((m) => String(results[m]![key]).padStart(9))].join(''));
}

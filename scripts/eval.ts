/**
 * Answer-quality evaluation on a folder holding news_articles.jsonl and news_qa.jsonl
 * (see ../shared/eval/README.md), plus the project's everyday questions
 * (tests/everyday/questions.jsonl, those whose article is in the folder or in seeds/):
 * retrieval Hit@k and MRR@10, quotes, answer lines (SQuAD exact match and F1), the three
 * confidence steps, latency, for the shipped hybrid ranking and for BM25 alone and dense alone.
 * `--as-of question` (default) asks each question as of its date; `--as-of none` ignores time.
 * `--cv`: 5-fold cross-validation of the ranking weights and confidence thresholds (`--cv-seed n`: another shuffle of the confidence folds).
 * `--summ`: ROUGE of the summariser against LEAD-3 on summ.jsonl (`--summ --cv`: cross-validated).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIDENCE, evidenceOf } from '../src/answers/confidence.js';
import { RANK_WEIGHTS } from '../src/answers/rank.js';
import { runMain, startRuntime } from '../src/cli/runtime.js';
import { Engine, type AskOptions } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { ingest } from '../src/index/ingest.js';
import { PgCorpus } from '../src/retrieval/pg-corpus.js';
import { PgStore } from '../src/postgres/pg-store.js';
import { startPglite } from './pglite.js';
import type { Paragraph } from '../src/index/types.js';
import type { RetrievalMode } from '../src/retrieval/retriever.js';
import { crossValidate, type Asked, type Question } from './eval-cv.js';
import { answerScores, readJsonl, withIndexIds } from './eval-data.js';
import { evaluateSummaries } from './eval-summaries.js';
import { evaluateFeedback } from './eval-feedback.js';
import { evaluateFollowUps } from './eval-followups.js';
import { evaluateVerify } from './eval-verify.js';
import { loadDotEnv, parseConfig } from '../src/config/config.js';
import { FEEDBACK_FILE } from '../src/discord/feedback.js';

interface Figures {
  hit_at_1: number;
  hit_at_3: number;
  hit_at_5: number;
  hit_at_10: number;
  mrr_at_10: number;
  quote_hit: number;
  answer_em: number;
  answer_f1: number;
  /** Answerable questions refused (the quiz's `refusal_rate` of earlier versions). */
  news_refusal_rate: number;
  refusal_rate: number;
  off_topic_refusal_rate: number;
  off_topic_answer_line_rate: number;
  p50_ms: number;
  p95_ms: number;
}

interface EverydayFigures {
  questions: number;
  unanswerable: number;
  hit_at_1: number;
  hit_at_5: number;
  mrr_at_10: number;
  quote_hit: number;
  answer_em: number;
  answer_f1: number;
  answerable_refused: number;
  unanswerable_refused: number;
  unanswerable_answer_line_rate: number;
}

const MODES: RetrievalMode[] = ['hybrid', 'bm25', 'dense'];
const EVERYDAY_FILE = path.resolve('tests/everyday/questions.jsonl');
/**
 * Everyday questions written afterwards by someone who saw neither the method nor the first set:
 * `fresh.jsonl`, then `third.jsonl` (written by another hand, in other styles: questions without
 * a wh-word, the asking word last, typos). The odd-numbered questions of each join the first set for
 * choosing parameters; the even-numbered ones are held out: reported apart, never used to choose anything.
 */
const LATER_FILES = { fresh: path.resolve('tests/everyday/fresh.jsonl'), third: path.resolve('tests/everyday/third.jsonl') };
const isHeldOut = (q: Question) => Number(/\d+$/.exec(q.id ?? '')?.[0] ?? 1) % 2 === 0;

/** The everyday questions of a file whose article the index holds. */
async function questionsOf(on: Engine, file: string): Promise<Question[]> {
  const ids = [...on.manifest.articles.keys()];
  return existsSync(file) ? withIndexIds(await readJsonl<Question>(file), ids).filter((q) => q.article_id && on.article(q.article_id)) : [];
}

/** The everyday questions parameters are chosen on. */
async function everydayQuestions(on: Engine): Promise<Question[]> {
  const later = await Promise.all(Object.values(LATER_FILES).map((file) => questionsOf(on, file)));
  return [...(await questionsOf(on, EVERYDAY_FILE)), ...later.flatMap((questions) => questions.filter((q) => !isHeldOut(q)))];
}

/** The held-out everyday questions of one later file. */
async function heldOutQuestions(on: Engine, set: keyof typeof LATER_FILES): Promise<Question[]> {
  return (await questionsOf(on, LATER_FILES[set])).filter(isHeldOut);
}
const round = (x: number) => Math.round(x * 1000) / 1000;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      summ: { type: 'boolean', default: false },
      cv: { type: 'boolean', default: false },
      'cv-seed': { type: 'string' },
      'as-of': { type: 'string', default: 'question' },
      store: { type: 'string', default: 'files' },
      feedback: { type: 'boolean', default: false },
      followups: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      file: { type: 'string' },
    },
  });
  if (values.feedback) {
    loadDotEnv();
    return evaluateFeedback(path.resolve(values.file ?? path.join(parseConfig().dataDir, FEEDBACK_FILE)), values.json ?? false);
  }
  if (!values.dir) throw new UserError('Missing option --dir <folder> (for example ../shared/eval/dev).');
  const foldSeed = values['cv-seed'] === undefined ? undefined : Number(values['cv-seed']);
  if (foldSeed !== undefined && !Number.isInteger(foldSeed)) throw new UserError(`--cv-seed must be a whole number, not "${values['cv-seed']}".`);
  const asOfProtocol = values['as-of'];
  if (asOfProtocol !== 'question' && asOfProtocol !== 'none') throw new UserError(`--as-of must be "question" or "none", not "${asOfProtocol}".`);
  const store = values.store;
  if (store !== 'files' && store !== 'postgres') throw new UserError(`--store must be "files" or "postgres", not "${store}".`);
  const dir = path.resolve(values.dir);
  const { config, embedder, log } = await startRuntime();
  log.level = 'warn';
  if (values.summ) return evaluateSummaries(embedder, path.join(dir, 'summ.jsonl'), values.json ?? false, values.cv ?? false);

  const articlesFile = path.join(dir, 'news_articles.jsonl');
  const qaFile = path.join(dir, 'news_qa.jsonl');
  for (const file of [articlesFile, qaFile]) if (!existsSync(file)) throw new UserError(`--dir: ${file} does not exist`);
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'newsquote-eval-'));
  const opened: EvalIndex[] = [];
  const open = async (kind: Store, sources: string[], dir: string) => {
    const index = await openEvalIndex(kind, sources.filter(existsSync), embedder, dir);
    opened.push(index);
    return index.engine;
  };
  try {
    const engine = await open(store, [articlesFile, config.seedsDir], indexDir);
    const indexIds = [...engine.manifest.articles.keys()];
    const quiz = withIndexIds(await readJsonl<Question>(qaFile), indexIds).map((q) => ({ ...q, answerable: true }));
    const offTopicFile = path.join(dir, 'wiki_qa.jsonl');
    const offTopic = existsSync(offTopicFile) ? (await readJsonl<Question>(offTopicFile)).map((q) => ({ ...q, answerable: false, off_topic: true })) : [];
    const everyday = await everydayQuestions(engine);
    const asOf = (q: Question): string | null => (asOfProtocol === 'question' ? (q.question_date ?? q.as_of ?? null) : null);

    if (values.followups) return evaluateFollowUps(engine, quiz, asOf, values.json ?? false);
    if (values.verify) return evaluateVerify(engine, path.join(dir, 'wiki_articles.jsonl'), values.json ?? false);
    if (values.cv) {
      const asked = (on: Engine, questions: Question[]): Promise<Asked[]> => Promise.all(questions.map(async (q) => askOnce(on, q, asOf(q))));
      const seedAlone = existsSync(config.seedsDir) ? await open(store, [config.seedsDir], `${indexDir}-seeds`) : undefined;
      const seedQuestions = seedAlone ? await everydayQuestions(seedAlone) : [];
      const report = crossValidate({
        quiz: await asked(engine, quiz),
        offTopic: await asked(engine, offTopic),
        everyday: await asked(engine, everyday),
        small: seedAlone ? [...(await asked(seedAlone, seedQuestions)), ...(await asked(seedAlone, offTopic))] : [],
      }, foldSeed);
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : report.text);
      return;
    }

    const results: Record<string, Figures> = {};
    for (const mode of MODES) results[mode] = await evaluate(engine, quiz, offTopic, mode, asOf);
    const everydayFigures = everyday.length ? await evaluateEveryday(engine, everyday, asOf) : undefined;
    const heldOutOf = async (set: keyof typeof LATER_FILES) => {
      const questions = await heldOutQuestions(engine, set);
      return questions.length ? await evaluateEveryday(engine, questions, asOf) : undefined;
    };
    const heldOutFigures = await heldOutOf('fresh');
    const heldOutThirdFigures = await heldOutOf('third');
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ ...results, as_of: asOfProtocol, ...(everydayFigures ? { everyday: everydayFigures } : {}), ...(heldOutFigures ? { everyday_held_out: heldOutFigures } : {}), ...(heldOutThirdFigures ? { everyday_held_out_third: heldOutThirdFigures } : {}) })}\n`,
      );
    } else {
      printTable(results, quiz.length, offTopic.length, asOfProtocol);
      if (everydayFigures) printEveryday(everydayFigures, 'tests/everyday/questions.jsonl and the odd questions of fresh.jsonl and third.jsonl');
      if (heldOutFigures) printEveryday(heldOutFigures, 'the even questions of tests/everyday/fresh.jsonl, held out: never tuned on');
      if (heldOutThirdFigures) printEveryday(heldOutThirdFigures, 'the even questions of tests/everyday/third.jsonl, held out: never tuned on');
      if (store === 'postgres') {
        // Beside the Postgres store's figures, the file index's on the same articles and questions.
        const files = await open('files', [articlesFile, config.seedsDir], `${indexDir}-files`);
        const quizFigures = { hybrid: results.hybrid!, files: await evaluate(files, quiz, offTopic, 'hybrid', asOf) };
        printStores(quizFigures, everydayFigures, everyday.length ? await evaluateEveryday(files, everyday, asOf) : undefined);
      }
    }
  } finally {
    for (const index of opened) await index.close();
    for (const dir of [indexDir, `${indexDir}-seeds`, `${indexDir}-files`]) await rm(dir, { recursive: true, force: true });
  }
});

type Store = 'files' | 'postgres';

interface EvalIndex {
  engine: Engine;
  close(): Promise<void>;
}

/** The sources ingested into a fresh file index in `dir`, or into a fresh Postgres (PGlite with pgvector on 127.0.0.1), and the engine over them. */
async function openEvalIndex(store: Store, sources: string[], embedder: Engine['embedder'], dir: string): Promise<EvalIndex> {
  if (store === 'files') {
    for (const source of sources) await ingest(dir, embedder, { source });
    return { engine: await Engine.open(embedder, dir), close: async () => {} };
  }
  const postgres = await startPglite();
  const pg = await PgStore.open(postgres.url, { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum }, { max: 1 });
  for (const source of sources) await ingest(pg, embedder, { source });
  const engine = await Engine.openPostgres(embedder, await PgCorpus.open(pg), dir);
  return {
    engine,
    close: async () => {
      await engine.close();
      await postgres.stop();
    },
  };
}

function printStores(quiz: { hybrid: Figures; files: Figures }, everyday: EverydayFigures | undefined, everydayFiles: EverydayFigures | undefined): void {
  console.log(`
The Postgres store beside the file index (hybrid):
`);
  console.log(['metric'.padEnd(28), 'postgres'.padStart(10), 'files'.padStart(10)].join(''));
  for (const key of ['hit_at_1', 'hit_at_3', 'hit_at_5', 'hit_at_10', 'mrr_at_10', 'quote_hit', 'answer_em', 'off_topic_refusal_rate', 'p50_ms', 'p95_ms'] as const) {
    console.log([key.padEnd(28), String(quiz.hybrid[key]).padStart(10), String(quiz.files[key]).padStart(10)].join(''));
  }
  if (everyday && everydayFiles) {
    for (const key of ['hit_at_1', 'hit_at_5', 'mrr_at_10', 'answer_em'] as const) console.log([`everyday ${key}`.padEnd(28), String(everyday[key]).padStart(10), String(everydayFiles[key]).padStart(10)].join(''));
  }
  console.log('');
}

/** A question's candidates and evidence, computed once for the cross-validation. */
async function askOnce(engine: Engine, q: Question, asOf: string | null): Promise<Asked> {
  const query = engine.searchQuery(q.question);
  const [vector] = await engine.embedder.embed([query]);
  const terms = engine.questionTerms(query, asOf);
  const { candidates, paragraphs } = await engine.candidates(terms, vector!);
  return { question: q, evidence: evidenceOf(candidates), candidates, paragraphText: (row) => paragraphs.textOf(row), articleOf: (row) => paragraphs.articleIdOf(row) };
}


const contains = (answers: string[], text: string) => answers.some((a) => text.toLowerCase().includes(a.toLowerCase()));

/** What one answerable question gave: where its answer ranks (-1 past 10), the answer's refusal, quotes and answer line. */
interface Answered {
  rank: number;
  refused: boolean;
  quoteHit: boolean;
  em: number;
  f1: number;
  ms: number;
}

async function askAnswerable(engine: Engine, q: Question, options: AskOptions, holdsAnswer: (paragraph: Paragraph) => boolean): Promise<Answered> {
  const ranked = await engine.retrieve(q.question, 10, options);
  const rank = ranked.findIndex((hit) => holdsAnswer(hit.paragraph));
  const started = performance.now();
  const answer = await engine.ask(q.question, options);
  const ms = performance.now() - started;
  if (answer.kind === 'refusal') return { rank, refused: true, quoteHit: false, em: 0, f1: 0, ms };
  return { rank, refused: false, quoteHit: answer.passages.some((p) => contains(q.answers, p.quote.join(' '))), ...answerScores(answer.answerLine, q.answers), ms };
}

/** Questions the articles do not answer: how many were refused, and how many got an answer line anyway. */
async function askUnanswered(engine: Engine, questions: Question[], options: (q: Question) => AskOptions): Promise<{ refused: number; lines: number }> {
  const rate = { refused: 0, lines: 0 };
  for (const q of questions) {
    const answer = await engine.ask(q.question, options(q));
    if (answer.kind === 'refusal') rate.refused += 1;
    else if (answer.answerLine) rate.lines += 1;
  }
  const n = Math.max(1, questions.length);
  return { refused: round(rate.refused / n), lines: round(rate.lines / n) };
}

/** Share of the answered questions whose answer ranks within k, and the other averages. */
function answeredFigures(results: Answered[]) {
  const n = Math.max(1, results.length);
  const share = (test: (r: Answered) => boolean) => round(results.filter(test).length / n);
  const mean = (value: (r: Answered) => number) => round(results.reduce((sum, r) => sum + value(r), 0) / n);
  const within = (k: number) => share((r) => r.rank >= 0 && r.rank < k);
  return {
    within,
    mrr_at_10: mean((r) => (r.rank >= 0 ? 1 / (r.rank + 1) : 0)),
    quote_hit: share((r) => r.quoteHit),
    answer_em: mean((r) => r.em),
    answer_f1: mean((r) => r.f1),
    refused: share((r) => r.refused),
  };
}

async function evaluate(engine: Engine, quiz: Question[], offTopic: Question[], mode: RetrievalMode, asOf: (q: Question) => string | null): Promise<Figures> {
  const results: Answered[] = [];
  for (const q of quiz) results.push(await askAnswerable(engine, q, { mode, asOf: asOf(q) }, (paragraph) => contains(q.answers, paragraph.text)));
  const f = answeredFigures(results);
  const off = await askUnanswered(engine, offTopic, (q) => ({ mode, asOf: asOf(q) }));
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    hit_at_1: f.within(1),
    hit_at_3: f.within(3),
    hit_at_5: f.within(5),
    hit_at_10: f.within(10),
    mrr_at_10: f.mrr_at_10,
    quote_hit: f.quote_hit,
    answer_em: f.answer_em,
    answer_f1: f.answer_f1,
    news_refusal_rate: f.refused,
    refusal_rate: f.refused,
    off_topic_refusal_rate: off.refused,
    off_topic_answer_line_rate: off.lines,
    p50_ms: round(percentile(latencies, 0.5)),
    p95_ms: round(percentile(latencies, 0.95)),
  };
}

async function evaluateEveryday(engine: Engine, questions: Question[], asOf: (q: Question) => string | null): Promise<EverydayFigures> {
  const answerable = questions.filter((q) => q.answerable);
  const unanswerable = questions.filter((q) => !q.answerable);
  const results: Answered[] = [];
  for (const q of answerable) {
    const inArticle = (paragraph: Paragraph) => paragraph.articleId === q.article_id && contains(q.answers, paragraph.text);
    results.push(await askAnswerable(engine, q, { asOf: asOf(q) }, inArticle));
  }
  const f = answeredFigures(results);
  const un = await askUnanswered(engine, unanswerable, (q) => ({ asOf: asOf(q) }));
  return {
    questions: answerable.length,
    unanswerable: unanswerable.length,
    hit_at_1: f.within(1),
    hit_at_5: f.within(5),
    mrr_at_10: f.mrr_at_10,
    quote_hit: f.quote_hit,
    answer_em: f.answer_em,
    answer_f1: f.answer_f1,
    answerable_refused: f.refused,
    unanswerable_refused: un.refused,
    unanswerable_answer_line_rate: un.lines,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
}

function printTable(results: Record<string, Figures>, questions: number, offTopic: number, asOf: string): void {
  const keys = Object.keys(results.hybrid!) as (keyof Figures)[];
  console.log(`Quiz questions: ${questions}; off-topic questions (wiki_qa.jsonl): ${offTopic}; as of: ${asOf === 'question' ? "each question's date" : 'no date'}\n`);
  console.log(['metric'.padEnd(28), ...MODES.map((m) => m.padStart(9))].join(''));
  for (const key of keys) console.log([key.padEnd(28), ...MODES.map((m) => String(results[m]![key]).padStart(9))].join(''));
  console.log(`\nRanking weights ${JSON.stringify(RANK_WEIGHTS)}; confidence ${JSON.stringify(CONFIDENCE)}`);
}

function printEveryday(f: EverydayFigures, source: string): void {
  console.log(`\nEveryday questions (${source}): ${f.questions} answerable, ${f.unanswerable} not answered by the articles\n`);
  for (const [key, value] of Object.entries(f)) if (key !== 'questions' && key !== 'unanswerable') console.log(`${key.padEnd(32)}${String(value).padStart(9)}`);
}

/**
 * The engine over the index in Postgres, against a real Postgres (PGlite with pgvector, served on
 * 127.0.0.1 by pglite-socket, reached with the real `pg` client), beside the file index holding
 * the same articles: the same ingest, asking, update, removal and reload cases, and the same
 * answers from both stores.
 */
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embedding/embedder.js';
import { Engine } from '../src/engine.js';
import { ingest } from '../src/index/ingest.js';
import { PgCorpus } from '../src/retrieval/pg-corpus.js';
import { PgStore } from '../src/postgres/pg-store.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

const FIXTURES = path.resolve('tests/ranking');

let db: PGlite;
let server: PGLiteSocketServer;
let embedder: Embedder;
let store: PgStore;
let inPostgres: Engine;
let inFiles: Engine;
let articlesDir: string;
let indexDir: string;
let cleanup: () => Promise<void>;
let questions: { question: string; answer: string; article: string }[];

beforeAll(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  articlesDir = path.join(temp.dir, 'articles');
  indexDir = path.join(temp.dir, 'index');
  await mkdir(articlesDir);
  for (const file of await readdir(path.join(FIXTURES, 'articles'))) await copyFile(path.join(FIXTURES, 'articles', file), path.join(articlesDir, file));
  await copyFile(SEED_FILE, path.join(articlesDir, 'seed.txt'));
  [db, embedder] = await Promise.all([PGlite.create({ extensions: { vector } }), realEmbedder()]);
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  // One connection: PGlite is one session, and two clients' messages outside a transaction could interleave.
  store = await PgStore.open(`postgres://postgres@${server.getServerConn()}/postgres`, { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum }, { max: 1 });
  const [toPostgres] = await Promise.all([ingest(store, embedder, { source: articlesDir }), ingest(indexDir, embedder, { source: articlesDir })]);
  expect(toPostgres).toMatchObject({ added: 6, updated: 0, removed: 0, wrote: true });
  inPostgres = await Engine.openPostgres(embedder, await PgCorpus.open(store), temp.dir);
  inFiles = await Engine.open(embedder, indexDir);
  questions = JSON.parse(await readFile(path.join(FIXTURES, 'questions.json'), 'utf8'));
});

afterAll(async () => {
  await inPostgres?.close();
  await server?.stop();
  await db?.close();
  await cleanup?.();
});

/** What an answer shows, without timings: the line, the passages' articles, positions and quotes. */
async function shown(engine: Engine, question: string, asOf: string | null = null) {
  const answer = await engine.ask(question, { asOf });
  if (answer.kind === 'refusal') return { refusal: answer.message };
  return { line: answer.answerLine, confidence: answer.confidence, passages: answer.passages.map((p) => [p.citation.articleId, p.position, p.quote]) };
}

describe('the engine over Postgres', () => {
  it('answers every fixture question as the file index does: the same ranking, answer line and quotes', async () => {
    for (const q of questions) {
      const [fromPostgres, fromFiles] = await Promise.all([inPostgres.retrieve(q.question, 10, { asOf: null }), inFiles.retrieve(q.question, 10, { asOf: null })]);
      const places = (hits: typeof fromFiles) => hits.map((h) => `${h.paragraph.articleId}#${h.paragraph.position}`);
      expect(places(fromPostgres), q.question).toEqual(places(fromFiles));
      expect(fromPostgres.map((h) => h.score)).toEqual(fromFiles.map((h) => h.score).map((s) => expect.closeTo(s, 9)));
      expect(await shown(inPostgres, q.question), q.question).toEqual(await shown(inFiles, q.question));
    }
    expect(await shown(inPostgres, "Who will head Moscow's team?")).toMatchObject({ line: 'Igor Kostyukov' });
  });

  it('refuses what nothing relates to, leaves out articles after "as of", and fixes typos against the stored words', async () => {
    expect(await shown(inPostgres, 'banana bread recipe')).toEqual({ refusal: expect.stringContaining('do not cover') });
    const before = await inPostgres.ask('how many fans watched the cup final', { asOf: '2026-03-01' });
    if (before.kind === 'answer') for (const p of before.passages) expect(p.citation.articleId).not.toBe('articles/match');
    expect(inPostgres.searchQuery('who is the ferry captian')).toBe('who is the ferry captain');
  });

  it('summarises, lists people and completes titles and names from Postgres', async () => {
    expect(await inPostgres.summarize('seed')).toEqual(await inFiles.summarize('seed'));
    expect(inPostgres.who('Kostyukov')).toEqual(inFiles.who('Kostyukov'));
    expect(inPostgres.suggestArticles('')).toEqual(inFiles.suggestArticles(''));
    expect(inPostgres.suggestPeople('Ush')).toEqual(inFiles.suggestPeople('Ush'));
  });

  it('sees an update and a removal after a reload, and not before; an unchanged ingest writes nothing', async () => {
    expect(await ingest(store, embedder, { source: articlesDir })).toMatchObject({ added: 0, updated: 0, unchanged: 6, wrote: false });
    expect(await inPostgres.reload()).toBe(false);

    const ferry = path.join(articlesDir, 'ferry.md');
    const text = await readFile(ferry, 'utf8');
    await writeFile(ferry, text.replace(/Maria Okafor/g, 'Ingrid Halvorsen'));
    await rm(path.join(articlesDir, 'chip.md'));
    expect(await ingest(store, embedder, { source: articlesDir })).toMatchObject({ added: 0, updated: 1, removed: 1, wrote: true });
    expect(inPostgres.article('articles/chip')).toBeDefined();
    expect(await inPostgres.reload()).toBe(true);
    expect(inPostgres.article('articles/chip')).toBeUndefined();
    expect(await shown(inPostgres, 'who is the ferry captain')).toMatchObject({ line: 'Ingrid Halvorsen' });
    const [figures, people] = [await store.corpusFigures(), inPostgres.who('Maria Okafor')];
    expect(figures.frequencies.get('okafor')).toBeUndefined();
    expect(figures.articles).toBe(5);
    expect(people.kind).toBe('refusal');
  });
});

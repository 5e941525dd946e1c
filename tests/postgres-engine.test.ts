/**
 * The engine over the index in Postgres, against a real Postgres (PGlite with pgvector, served on
 * 127.0.0.1 by pglite-socket, reached with the real `pg` client), beside the file index holding
 * the same articles: the same ingest, asking, update, removal and reload cases, and the same
 * answers from both stores.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/embedding/embedder.js';
import { Engine } from '../src/engine.js';
import { ingest, ingestArticles, leaveCollection } from '../src/index/ingest.js';
import { PgCorpus } from '../src/retrieval/pg-corpus.js';
import { PgStore } from '../src/postgres/pg-store.js';
import { terms } from '../src/articles/terms.js';
import { parseConfig, configuredSecrets } from '../src/config/config.js';
import { realEmbedder, SEED_FILE, TEST_MODELS_DIR, tempDir } from './helpers.js';

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
let root: string;
let questions: { question: string; answer: string; article: string }[];

beforeAll(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  root = temp.dir;
  articlesDir = path.join(temp.dir, 'articles');
  indexDir = path.join(temp.dir, 'index');
  await mkdir(articlesDir);
  for (const file of await readdir(path.join(FIXTURES, 'articles'))) await copyFile(path.join(FIXTURES, 'articles', file), path.join(articlesDir, file));
  await copyFile(SEED_FILE, path.join(articlesDir, 'seed.txt'));
  [db, embedder] = await Promise.all([PGlite.create({ extensions: { vector } }), realEmbedder()]);
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
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

async function shownWith(engine: Engine, question: string, context: { question: string; answerLine: string }[]) {
  const answer = await engine.ask(question, { asOf: null, context });
  return answer.kind === 'answer' ? answer.passages.map((p) => [p.citation.articleId, p.position, p.quote]) : answer.message;
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

  it('applies filters inside Postgres as the file index does, and follow-ups too', async () => {
    const asked = async (engine: Engine, question: string, words: Parameters<Engine['filterOf']>[0]) => {
      const answer = await engine.ask(question, { asOf: '2026-03-11', filter: engine.filterOf(words, '2026-03-11') });
      return answer.kind === 'answer' ? answer.passages.map((p) => `${p.citation.articleId}#${p.position}`) : answer.message;
    };
    for (const [question, words] of [
      ['who is the ferry captain', { outlet: 'harbour herald' }],
      ['how many people were on the first ferry', { since: 'friday' }],
      ['the minerals pact in ottawa', { until: 'mar 5' }],
      ['who signed it', { article: 'critical minerals pact' }],
    ] as const) {
      expect(await asked(inPostgres, question, words), question).toEqual(await asked(inFiles, question, words));
    }
    const context = [{ question: "what's the new minimum wage for fast food workers", answerLine: '$22 an hour' }];
    expect(await shownWith(inPostgres, 'when does it start', context)).toEqual(await shownWith(inFiles, 'when does it start', context));
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

  it("keeps each server's articles to it inside the queries, as the file index does; two servers share one stored copy", async () => {
    const glacier = {
      id: 'https://alpine.example/2026/glacier',
      title: 'Glacier museum opens in Zermatt',
      source: { location: 'https://alpine.example/2026/glacier' },
      date: '2026-03-05',
      captions: [],
      paragraphs: ['A museum carved inside the Gorner glacier opened in Zermatt on Thursday, its curator Ottilie Brandstetter said.'],
    };
    const [a, b] = ['server:200000000000000081', 'server:200000000000000082'];
    const at = '2026-03-06T10:00:00.000Z';
    const inScopes = async (engine: Engine) => {
      const asked = 'Who is the curator of the Gorner glacier museum in Zermatt?';
      const passages = async (view: Engine) => {
        const answer = await view.ask(asked, { asOf: null });
        return answer.kind === 'answer' ? answer.passages.map((p) => `${p.citation.articleId}#${p.position}`) : answer.message;
      };
      return { a: await passages(engine.within(['shared', a])), b: await passages(engine.within(['shared', b])), whoB: engine.within(['shared', b]).who('Ottilie Brandstetter').kind };
    };
    // The file index as Postgres is after the previous case's update and removal.
    await ingest(indexDir, embedder, { source: articlesDir });
    for (const target of [store, indexDir]) await ingestArticles(target, embedder, [glacier], [], { collection: { name: a, by: '300000000000000001', at } });
    await Promise.all([inPostgres.reload(), inFiles.reload()]);
    const seen = await inScopes(inPostgres);
    expect(seen).toEqual(await inScopes(inFiles));
    expect(seen.a).toEqual(expect.arrayContaining([`${glacier.id}#0`]));
    expect(JSON.stringify(seen.b)).not.toContain(glacier.id);
    expect(seen.whoB).toBe('refusal');

    expect(await ingestArticles(store, embedder, [glacier], [], { collection: { name: b, by: '300000000000000002', at } })).toMatchObject({ joined: 1, embedded: 0, wrote: true });
    expect((await store.article(glacier.id))!.collections!.map((m) => m.name)).toEqual([a, b]);
    expect(await leaveCollection(store, embedder, a)).toMatchObject({ left: 1, wrote: true });
    expect((await store.article(glacier.id))!.collections).toEqual([{ name: b, by: '300000000000000002', at }]);
    expect(await leaveCollection(store, embedder, b, [glacier.id])).toMatchObject({ left: 1, removed: 1 });
    expect(await store.article(glacier.id)).toBeUndefined();
    const [stem] = terms('Brandstetter');
    expect(stem).toBeDefined();
    expect((await store.corpusFigures()).frequencies.get(stem!)).toBeUndefined();
    expect(await inPostgres.reload()).toBe(true);
    expect(inPostgres.article(glacier.id)).toBeUndefined();
  });
});

/** `npm start` as a user runs it, its console fed `input`: exit code and everything it printed. */
async function npmStart(env: Record<string, string>, input: string): Promise<{ code: number | null; output: string }> {
  const data = path.join(root, `data-${Math.random().toString(36).slice(2)}`);
  await mkdir(data);
  await symlink(TEST_MODELS_DIR, path.join(data, 'models'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
    env: { ...process.env, CI: 'true', LOG_LEVEL: 'warn', DATA_DIR: data, SEEDS_DIR: path.join(root, 'seeds-only'), DISCORD_TOKEN: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('npm start with DATABASE_URL', () => {
  it('ingests the seeds into Postgres and answers from it in the console', async () => {
    await mkdir(path.join(root, 'seeds-only'), { recursive: true });
    await copyFile(SEED_FILE, path.join(root, 'seeds-only', 'seed.txt'));
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    // One connection: PGlite is one session (a real Postgres takes the default pool of 10).
    const { code, output } = await npmStart({ DATABASE_URL: url, DATABASE_POOL_SIZE: '1' }, "/ask Who will head Moscow's team?\n");
    expect(code, output).toBe(0);
    expect(output).toContain('Igor Kostyukov');
    expect([...(await store.articles()).values()].some((a) => a.source.location.endsWith(path.join('seeds-only', 'seed.txt')))).toBe(true);
  }, 60_000);

  it('stops with one line naming DATABASE_URL, without the password, when Postgres cannot be reached', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, output } = await npmStart({ DATABASE_URL: `postgres://bot:s3cret-pw@127.0.0.1:${port}/news` }, '');
    expect(code).toBe(1);
    expect(output).toMatch(/^error: Cannot use the database at DATABASE_URL \(postgres:\/\/bot@127\.0\.0\.1:\d+\/news\)/m);
    expect(output).not.toContain('s3cret-pw');
  }, 60_000);

  it('refuses a DATABASE_URL that is not a postgres address, naming the variable and not its value; treats its password as a secret', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://root:hunter2@db/news' })).toThrow(/^Invalid configuration: DATABASE_URL: must be a postgres:\/\/ address/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://root:hunter2@db/news' })).not.toThrow(/hunter2/);
    expect(parseConfig({ DATABASE_URL: 'postgresql://u:p@h/d' }).databaseUrl).toBe('postgresql://u:p@h/d');
    expect(configuredSecrets({ DATABASE_URL: 'postgres://bot:p%40ss-w0rd-long@db/news' })).toEqual(expect.arrayContaining(['p%40ss-w0rd-long', 'p@ss-w0rd-long']));
  });

  it('reads SHARDS as a number of shards or "auto", except in a shard, where discord.js sets it', () => {
    const discord = { DISCORD_TOKEN: 'token', DISCORD_CLIENT_ID: '123456789012345678' };
    expect(parseConfig({ ...discord, SHARDS: '2' }).discord?.shards).toBe(2);
    expect(parseConfig({ ...discord, SHARDS: 'auto' }).discord?.shards).toBe('auto');
    expect(parseConfig({ ...discord, SHARDS: '' }).discord?.shards).toBeUndefined();
    expect(() => parseConfig({ ...discord, SHARDS: 'many' })).toThrow(/SHARDS: must be "auto" or a number/);
    expect(parseConfig({ ...discord, SHARDS: '0', SHARDING_MANAGER: 'true' }).discord?.shards).toBeUndefined();
  });
});

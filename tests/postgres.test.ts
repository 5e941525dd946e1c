/**
 * The Postgres store against a real Postgres: PGlite (Postgres 18 in WebAssembly) with pgvector,
 * served on 127.0.0.1 by pglite-socket and reached with the real `pg` client over TCP.
 *
 * PGlite is one backend: the socket server accepts several clients but runs their messages one at
 * a time on that one session, and keeps other clients waiting while one is inside a transaction.
 * Transactions of different clients are therefore serialised, never interleaved, and locks
 * (advisory, row) are always granted at once. Outside a transaction, two clients' extended-protocol
 * messages could interleave, so each store here has a pool of one connection, and the tests that
 * run two clients at once do so only with transactional work.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../src/articles/article.js';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { terms } from '../src/articles/terms.js';
import { typedSpans } from '../src/articles/spans.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { UserError } from '../src/errors.js';
import type { ModelStamp, StoredSpan } from '../src/index/types.js';
import { extractPeople, mergeAliases } from '../src/people/extract.js';
import { PgStore, type ArticleRows } from '../src/postgres/pg-store.js';
import { migrate } from '../src/postgres/schema.js';
import { realEmbedder, SEED_FILE } from './helpers.js';

const QUESTION = "Who will head Moscow's team?";

let db: PGlite;
let server: PGLiteSocketServer;
let url: string;
let embedder: Embedder;
let model: ModelStamp;
let seed: Article;
let store: PgStore;
/** The test's own queries, through the socket like the store's: PGlite's own `query` would bypass the server's queue and could land inside another client's open transaction. */
let sql: pg.Pool;
const opened: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  [db, embedder] = await Promise.all([PGlite.create({ extensions: { vector } }), realEmbedder()]);
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  url = `postgres://postgres@${server.getServerConn()}/postgres`;
  sql = pool();
  model = { id: embedder.modelId, dimensions: embedder.dimensions, checksum: embedder.checksum };
  seed = parseTextArticle(await readFile(SEED_FILE, 'utf8'), '000_82d2434843c5b133.txt');
});

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.close().catch(() => {});
  await server?.stop();
  await db?.close();
});

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max: 1 });
  p.on('error', () => {});
  opened.push({ close: () => p.end() });
  return p;
}

async function openStore(databaseUrl = url, stamp = model): Promise<PgStore> {
  const s = await PgStore.open(databaseUrl, stamp, { max: 1 });
  opened.push(s);
  return s;
}

/** What ingest stores for an article: vectors by the real model, people and spans as `derivedFromText` finds them. */
async function rowsOf(article: Article): Promise<ArticleRows> {
  return {
    article,
    vectors: await embedder.embed(article.paragraphs),
    people: mergeAliases(extractPeople(article.paragraphs)),
    spans: article.paragraphs.map((text) => typedSpans(text).map((s): StoredSpan => [s.type, s.start, s.end])),
  };
}

async function rowCounts(articleId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['articles', 'paragraphs', 'people', 'spans']) {
    const key = table === 'articles' ? 'id' : 'article_id';
    const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} = $1`, [articleId]);
    counts[table] = rows[0]!.n;
  }
  return counts;
}

/** Transaction ids that last wrote the article's rows: unchanged when nothing was rewritten. */
async function rowVersions(articleId: string): Promise<string[]> {
  const { rows } = await sql.query<{ v: string }>(
    `SELECT xmin::text AS v FROM articles WHERE id = $1 UNION ALL (SELECT xmin::text FROM paragraphs WHERE article_id = $1 ORDER BY position)`,
    [articleId],
  );
  return rows.map((r) => r.v);
}

function kostyukovPosition(article: Article): number {
  return article.paragraphs.findIndex((p) => p.includes('Kostyukov'));
}

function edited(article: Article): Article {
  return { ...article, paragraphs: [...article.paragraphs.slice(0, -2), `${article.paragraphs.at(-2)!} Talks resumed on Friday.`] };
}

/** A TCP relay to the database that cuts both sides the moment the client sends `trigger`. */
async function cuttingRelay(trigger: string): Promise<{ url: string; cuts: () => number; close: () => Promise<void> }> {
  const [host, port] = server.getServerConn().split(':') as [string, string];
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (!chunk.includes(trigger)) return void upstream.write(chunk);
      cuts += 1;
      client.destroy();
      upstream.destroy();
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port: relayPort } = relay.address() as net.AddressInfo;
  const handle = {
    url: `postgres://postgres@127.0.0.1:${relayPort}/postgres`,
    cuts: () => cuts,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
  opened.push(handle);
  return handle;
}

describe('the Postgres schema', () => {
  it('applies each migration once when two hosts migrate at once, and nothing the second time', async () => {
    const [first, second] = await Promise.all([migrate(pool(), model), migrate(pool(), model)]);
    expect([...first, ...second].sort()).toEqual([1, 2, 3]);
    expect(await migrate(pool(), model)).toEqual([]);
    const versions = await sql.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    const indexes = await sql.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname IN ('paragraphs_embedding', 'paragraphs_tsv', 'articles_date') ORDER BY indexname`);
    expect(indexes.rows.map((r) => r.indexdef)).toEqual([
      expect.stringContaining('btree (date)'),
      expect.stringMatching(/hnsw \(embedding vector_cosine_ops\)/),
      expect.stringContaining('gin (tsv)'),
    ]);
    store = await openStore();
  });

  it('refuses a store opened with another embedding model, and changes nothing', async () => {
    const other = { id: 'Xenova/all-MiniLM-L6-v2', dimensions: 384, checksum: 'Xenova/all-MiniLM-L6-v2' };
    const refusal = await PgStore.open(url, other, { max: 1 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UserError);
    expect((refusal as UserError).message).toContain(`"${model.id}" (${model.dimensions} dimensions`);
    expect((refusal as UserError).message).toContain('EMBEDDING_MODEL is "Xenova/all-MiniLM-L6-v2" (384 dimensions');
    const stamp = await sql.query<{ value: ModelStamp }>(`SELECT value FROM meta WHERE key = 'model'`);
    expect(stamp.rows[0]!.value).toEqual(model);
  });

  it('says in one line, without the password, when the database cannot be reached', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refusal = await PgStore.open(`postgres://bot:s3cret-pw@127.0.0.1:${port}/news`, model).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UserError);
    expect((refusal as UserError).message).toMatch(/^Cannot use the database at DATABASE_URL \(postgres:\/\/bot@127\.0\.0\.1:\d+\/news\): .*ECONNREFUSED/);
    expect((refusal as UserError).message).not.toContain('s3cret-pw');
  });
});

describe('the Postgres store', () => {
  it('stores the seed article and finds the paragraph naming Kostyukov by vector and by text', async () => {
    const rows = await rowsOf(seed);
    expect(await store.writeArticles([rows])).toEqual(new Map([[seed.id, 'added']]));
    const { paragraphs: _paragraphs, ...fields } = seed;
    expect(await store.article(seed.id)).toEqual({ ...fields, hash: expect.stringMatching(/^[0-9a-f]{32}$/), paragraphCount: seed.paragraphs.length, collections: [{ name: 'shared' }], addedAt: expect.any(String) });
    expect((await store.paragraphsOf(seed.id)).map((p) => p.text)).toEqual(seed.paragraphs);
    expect(await store.peopleOf(seed.id)).toEqual(rows.people);
    expect(await store.spansOf(seed.id)).toEqual(rows.spans);

    const answer = kostyukovPosition(seed);
    const [question] = await embedder.embed([QUESTION]);
    const byVector = await store.candidatesByVector(question!, 3);
    expect(byVector.map((c) => c.position)).toContain(answer);
    expect(byVector[0]!.score).toBeGreaterThan(byVector[2]!.score);
    const byText = await store.candidatesByText(QUESTION, 3);
    expect(byText.map((c) => c.position)).toContain(answer);
    expect(byText[0]).toMatchObject({ articleId: seed.id, position: answer });
  });

  it('stores vectors exactly: the nearest paragraph to a stored vector is itself, at cosine 1', async () => {
    const [vector] = await embedder.embed([seed.paragraphs[kostyukovPosition(seed)]!]);
    const [nearest] = await store.candidatesByVector(vector!, 1);
    expect(nearest).toMatchObject({ articleId: seed.id, position: kostyukovPosition(seed) });
    expect(nearest!.score).toBeCloseTo(1, 6);
  });

  it('leaves an unchanged article as it is (same content hash)', async () => {
    const before = await rowVersions(seed.id);
    expect(await store.writeArticles([await rowsOf(seed)])).toEqual(new Map([[seed.id, 'unchanged']]));
    expect(await rowVersions(seed.id)).toEqual(before);
  });

  it('replaces every row of a changed article', async () => {
    const next = edited(seed);
    const rows = await rowsOf(next);
    const oldHash = (await store.article(seed.id))!.hash;
    expect(await store.writeArticles([rows])).toEqual(new Map([[seed.id, 'updated']]));
    expect((await store.article(seed.id))!.hash).not.toBe(oldHash);
    expect((await store.paragraphsOf(seed.id)).map((p) => p.text)).toEqual(next.paragraphs);
    expect(await store.spansOf(seed.id)).toEqual(rows.spans);
    expect(await store.peopleOf(seed.id)).toEqual(rows.people);
    expect(await rowCounts(seed.id)).toEqual({ articles: 1, paragraphs: next.paragraphs.length, people: rows.people.length, spans: rows.spans.flat().length });
  });

  it('keeps the previous version when a write fails inside its transaction', async () => {
    const before = { article: await store.article(seed.id), paragraphs: await store.paragraphsOf(seed.id), counts: await rowCounts(seed.id) };
    const rows = await rowsOf(seed);
    // pgvector refuses NaN: the paragraphs' insert fails after the article row was already updated.
    const poisoned = { ...rows, vectors: rows.vectors.map((v, i) => (i === 3 ? new Float32Array(v.length).fill(Number.NaN) : v)) };
    await expect(store.writeArticles([poisoned])).rejects.toThrow(/NaN/);
    expect({ article: await store.article(seed.id), paragraphs: await store.paragraphsOf(seed.id), counts: await rowCounts(seed.id) }).toEqual(before);
  });

  it('keeps the previous version when the connection dies mid-write, and the next write converges', async () => {
    const before = { article: await store.article(seed.id), paragraphs: await store.paragraphsOf(seed.id), counts: await rowCounts(seed.id) };
    const relay = await cuttingRelay('INSERT INTO paragraphs');
    const doomed = await openStore(relay.url);
    // By then the transaction has updated the article row and deleted its paragraphs.
    await expect(doomed.writeArticles([await rowsOf(seed)])).rejects.toThrow();
    expect(relay.cuts()).toBe(1);
    expect({ article: await store.article(seed.id), paragraphs: await store.paragraphsOf(seed.id), counts: await rowCounts(seed.id) }).toEqual(before);
    expect(await store.writeArticles([await rowsOf(seed)])).toEqual(new Map([[seed.id, 'updated']]));
    expect((await store.paragraphsOf(seed.id)).map((p) => p.text)).toEqual(seed.paragraphs);
  });

  it('never duplicates or mixes an article that two writers write at once', async () => {
    const other = await openStore();
    const versions = [await rowsOf(seed), await rowsOf(edited(seed))];
    for (let round = 0; round < 4; round++) {
      const [mine, theirs] = round % 2 ? [versions[0]!, versions[1]!] : [versions[1]!, versions[0]!];
      await Promise.all([store.writeArticles([mine]), other.writeArticles([theirs]), other.writeArticles([mine])]);
      const stored = (await store.paragraphsOf(seed.id)).map((p) => p.text);
      const winner = versions.find((v) => v.article.paragraphs.length === stored.length)!;
      expect(stored).toEqual(winner.article.paragraphs);
      expect(await store.spansOf(seed.id)).toEqual(winner.spans);
      expect(await rowCounts(seed.id)).toEqual({ articles: 1, paragraphs: stored.length, people: winner.people.length, spans: winner.spans.flat().length });
    }
  });

  it('leaves out articles dated after "as of" inside the query, and keeps undated ones', async () => {
    await store.writeArticles([await rowsOf(seed)]);
    const later: Article = { ...seed, id: 'later/kostyukov', date: '2026-02-10', title: 'Kostyukov heads the team again', captions: [], paragraphs: ['Admiral Igor Kostyukov will head Moscow’s team at the talks.'] };
    const undated: Article = { ...later, id: 'undated/kostyukov', paragraphs: ['Kostyukov will head Moscow’s team, officials said.'] };
    delete undated.date;
    await store.writeArticles([await rowsOf(later), await rowsOf(undated)]);
    const [question] = await embedder.embed([QUESTION]);
    const articlesOf = (candidates: { articleId: string }[]) => new Set(candidates.map((c) => c.articleId));

    expect(articlesOf(await store.candidatesByVector(question!, 20))).toEqual(new Set([seed.id, later.id, undated.id]));
    expect(articlesOf(await store.candidatesByText(QUESTION, 20))).toEqual(new Set([seed.id, later.id, undated.id]));
    expect(articlesOf(await store.candidatesByVector(question!, 20, { asOf: '2026-01-23' }))).toEqual(new Set([seed.id, undated.id]));
    expect(articlesOf(await store.candidatesByText(QUESTION, 20, { asOf: '2026-01-23' }))).toEqual(new Set([seed.id, undated.id]));
    // With a limit of one the later article would win; filtered afterwards, nothing would be left.
    expect((await store.candidatesByText('Admiral Igor Kostyukov heads the talks', 1, { asOf: '2026-01-22' })).map((c) => c.articleId)).toEqual([undated.id]);
    expect((await store.candidatesByVector(question!, 1, { asOf: '2026-01-22' })).map((c) => c.articleId)).toEqual([undated.id]);
  });

  it('removes every row of removed articles, and only theirs', async () => {
    expect(await store.removeArticles(['later/kostyukov', 'undated/kostyukov', 'never/stored'])).toBe(2);
    for (const id of ['later/kostyukov', 'undated/kostyukov']) expect(await rowCounts(id)).toEqual({ articles: 0, paragraphs: 0, people: 0, spans: 0 });
    expect(await store.article('later/kostyukov')).toBeUndefined();
    expect(await store.paragraphsOf('later/kostyukov')).toEqual([]);
    expect((await rowCounts(seed.id)).paragraphs).toBe(seed.paragraphs.length);
    expect([...(await store.articles()).keys()]).toEqual([seed.id]);
  });

  it('keeps the corpus figures equal to the rows after adds, updates, concurrent writes and removals', async () => {
    const recounted = await sql.query<{ term: string; paragraphs: number; articles: number }>(
      `SELECT t.term, count(DISTINCT (p.article_id, p.position))::int AS paragraphs, count(DISTINCT p.article_id)::int AS articles
       FROM paragraphs p, unnest(string_to_array(p.terms, ' ')) AS t(term) WHERE p.terms <> '' GROUP BY t.term ORDER BY t.term`,
    );
    const kept = await sql.query(`SELECT term, paragraphs, articles FROM term_stats WHERE paragraphs > 0 ORDER BY term`);
    expect(recounted.rows.length).toBeGreaterThan(100);
    expect(kept.rows).toEqual(recounted.rows);
    const figures = await store.corpusFigures();
    expect(figures).toMatchObject({ articles: 1, paragraphs: seed.paragraphs.length, terms: seed.paragraphs.reduce((sum, p) => sum + terms(p).length, 0) });
    expect(figures.frequencies.get('kostyukov')).toEqual([1, 1]);
  });

  it('stores and finds hostile text safely; NUL becomes a space, a lone surrogate U+FFFD', async () => {
    const injection = `'); DROP TABLE paragraphs; --`;
    const hostile: Article = {
      id: `hostile/${injection}\\'"`,
      title: `Robert${injection}`,
      url: `https://example.com/?q=';--`,
      outlet: 'O\'Reilly "Weekly" \\ News',
      date: '2026-01-20',
      source: { location: `feeds/${injection}.jsonl`, line: 7 },
      captions: ['A caption with a NUL\u0000 and a backslash \\'],
      paragraphs: [
        `Quartermaster Zebulon said ${injection} in a 'quoted' "statement" with a backslash \\ and \\' and $1 and %s.`,
        'A NUL\u0000in the middle, a lone surrogate \uD800 here, and an emoji 😀 intact.',
      ],
    };
    const rows = await rowsOf(hostile);
    expect(await store.writeArticles([rows])).toEqual(new Map([[hostile.id, 'added']]));
    expect(await store.writeArticles([rows])).toEqual(new Map([[hostile.id, 'unchanged']]));

    const stored = await store.article(hostile.id);
    expect(stored).toMatchObject({ id: hostile.id, title: hostile.title, url: hostile.url, outlet: hostile.outlet, source: hostile.source, captions: ['A caption with a NUL  and a backslash \\'] });
    expect((await store.paragraphsOf(hostile.id)).map((p) => p.text)).toEqual([
      hostile.paragraphs[0],
      'A NUL in the middle, a lone surrogate \uFFFD here, and an emoji 😀 intact.',
    ]);
    expect(await store.spansOf(hostile.id)).toEqual(rows.spans);

    const found = await store.candidatesByText(`Who is Zebulon? ${injection} \\ ' " \u0000 $1`, 5);
    expect(found[0]).toMatchObject({ articleId: hostile.id, position: 0 });
    const [question] = await embedder.embed([hostile.paragraphs[0]!]);
    expect((await store.candidatesByVector(question!, 1, { asOf: `2026-01-23${injection}` }))[0]?.articleId).toBe(hostile.id);
    expect(await store.candidatesByText(`'"\\ \u0000 ?!`, 5)).toEqual([]);
    expect(await store.article(`x${injection}`)).toBeUndefined();
    const tables = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('articles', 'paragraphs', 'people', 'spans', 'meta', 'schema_migrations')`);
    expect(tables.rows[0]!.n).toBe(6);
    expect((await rowCounts(seed.id)).paragraphs).toBe(seed.paragraphs.length);
  });
});

/**
 * The Postgres schema of the index (issue #14), as versioned migrations the project applies
 * itself: each in its own transaction, recorded in `schema_migrations`, under an advisory lock
 * so that two hosts starting at once apply each migration exactly once.
 *
 * Lexical search uses the `simple` text search configuration over the app's own index terms
 * (`src/articles/terms.ts`: its stop words, Porter stems), stored per paragraph in `terms`,
 * rather than `english` over the raw text: Postgres's Snowball stemmer and stop list differ from
 * the app's (`english` keeps "would", stems otherwise in places), so a paragraph would match a
 * question here and not in the file store's BM25, or the reverse. With the same terms, the
 * paragraphs found are exactly those the app's BM25 scores above zero.
 */
import type pg from 'pg';
import { UserError } from '../errors.js';
import type { ModelStamp } from '../index/types.js';
import { inTransaction } from './transaction.js';

/** Any fixed key, shared by every host that migrates this database. */
const MIGRATION_LOCK = 720_514_014;
/** pgvector indexes at most 2,000 dimensions with HNSW. */
const MAX_INDEXED_DIMENSIONS = 2000;

export interface Migration {
  version: number;
  name: string;
  apply(client: pg.PoolClient, model: ModelStamp): Promise<void>;
}

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/** The embedding dimensions are written into DDL (a column type takes no parameter): only a checked integer is. */
function tablesOf(dimensions: number): string[] {
  return [
    'CREATE EXTENSION IF NOT EXISTS vector',
    'CREATE TABLE meta (key text PRIMARY KEY, value jsonb NOT NULL)',
    String.raw`CREATE TABLE articles (
      id text PRIMARY KEY,
      title text NOT NULL,
      url text,
      outlet text,
      agency text,
      author text,
      date text CHECK (date ~ '^\d{4}-\d{2}-\d{2}$'),
      source_location text NOT NULL,
      source_line integer,
      captions text[] NOT NULL DEFAULT '{}',
      hash text NOT NULL,
      paragraph_count integer NOT NULL CHECK (paragraph_count >= 0)
    )`,
    'CREATE INDEX articles_date ON articles (date)',
    `CREATE TABLE paragraphs (
      article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      position integer NOT NULL,
      text text NOT NULL,
      terms text NOT NULL,
      embedding vector(${dimensions}) NOT NULL,
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
      PRIMARY KEY (article_id, position)
    )`,
    'CREATE INDEX paragraphs_embedding ON paragraphs USING hnsw (embedding vector_cosine_ops)',
    'CREATE INDEX paragraphs_tsv ON paragraphs USING gin (tsv)',
    `CREATE TABLE people (
      article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      mentions integer NOT NULL,
      roles jsonb NOT NULL,
      quotes jsonb NOT NULL,
      PRIMARY KEY (article_id, position)
    )`,
    `CREATE TABLE spans (
      article_id text NOT NULL,
      position integer NOT NULL,
      ordinal integer NOT NULL,
      type text NOT NULL CHECK (type IN ('person', 'place', 'date', 'number', 'name')),
      start integer NOT NULL,
      "end" integer NOT NULL,
      PRIMARY KEY (article_id, position, ordinal),
      FOREIGN KEY (article_id, position) REFERENCES paragraphs (article_id, position) ON DELETE CASCADE
    )`,
  ];
}

/** In order; a migration, once released, is never edited: a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'articles, paragraphs with vectors and terms, people, spans, model stamp',
    async apply(client, model) {
      for (const statement of tablesOf(model.dimensions)) await client.query(statement);
      await client.query(`INSERT INTO meta (key, value) VALUES ('model', $1::jsonb)`, [JSON.stringify(stampOf(model))]);
    },
  },
  {
    version: 2,
    name: 'BM25 figures of the whole corpus: terms per article, documents per term',
    async apply(client) {
      for (const statement of CORPUS_FIGURES) await client.query(statement);
    },
  },
  {
    version: 3,
    name: 'collections: which collections each article belongs to, who added it to each and when; when each article was first stored',
    async apply(client) {
      for (const statement of COLLECTIONS) await client.query(statement);
    },
  },
];

/**
 * Every article stored before is the shared collection's (`src/index/collections.ts`).
 * `collections` is what retrieval filters on; `memberships` adds who added the article and when.
 */
const COLLECTIONS = [
  `ALTER TABLE articles ADD COLUMN collections text[] NOT NULL DEFAULT '{shared}' CHECK (cardinality(collections) > 0)`,
  `ALTER TABLE articles ADD COLUMN memberships jsonb NOT NULL DEFAULT '[{"name": "shared"}]'`,
  'CREATE INDEX articles_collections ON articles USING gin (collections)',
  // When each article was first stored (an update keeps it): what a channel digest calls new.
  'ALTER TABLE articles ADD COLUMN added_at text',
];

/**
 * BM25 scores a paragraph against the whole corpus (how many paragraphs and articles hold each
 * term, their average length), while a question reads only the rows of a few articles: these
 * figures are kept by every write, in its transaction (`pg-store.ts`), and read by every host.
 */
const CORPUS_FIGURES = [
  'ALTER TABLE articles ADD COLUMN term_count integer NOT NULL DEFAULT 0',
  // The order of the articles' last writes: the order of the file index's rows, which breaks ties in ranking.
  'ALTER TABLE articles ADD COLUMN written bigserial',
  // Counts committed writes: a host that reads the same count has nothing to reload.
  `INSERT INTO meta (key, value) VALUES ('writes', '0'::jsonb)`,
  `UPDATE articles a SET term_count = coalesce((SELECT sum(cardinality(string_to_array(p.terms, ' '))) FROM paragraphs p WHERE p.article_id = a.id), 0)`,
  `CREATE TABLE term_stats (
    term text PRIMARY KEY,
    paragraphs integer NOT NULL CHECK (paragraphs >= 0),
    articles integer NOT NULL CHECK (articles >= 0)
  )`,
  `INSERT INTO term_stats (term, paragraphs, articles)
   SELECT t.term, count(DISTINCT (p.article_id, p.position)), count(DISTINCT p.article_id)
   FROM paragraphs p, unnest(string_to_array(p.terms, ' ')) AS t(term)
   WHERE p.terms <> ''
   GROUP BY t.term`,
];

/** Applies the migrations this database lacks; returns the versions applied now (none when it was up to date). */
export async function migrate(pool: pg.Pool, model: ModelStamp, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkDimensions(model.dimensions);
  const applied: number[] = [];
  for (const migration of migrations) if (await applyOnce(pool, migration, model)) applied.push(migration.version);
  return applied;
}

async function applyOnce(pool: pg.Pool, migration: Migration, model: ModelStamp): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    // Held until this transaction ends: another host waits here, then finds the version applied.
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
    if (done.rowCount) return false;
    await assertStoredModel(client, model);
    await migration.apply(client, model);
    await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    return true;
  });
}

/** The model the database's vectors were made with, or undefined before the first migration. */
export async function storedModel(db: pg.Pool | pg.PoolClient): Promise<ModelStamp | undefined> {
  const exists = await db.query(`SELECT to_regclass('meta') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return undefined;
  const { rows } = await db.query(`SELECT value FROM meta WHERE key = 'model'`);
  return rows[0]?.value as ModelStamp | undefined;
}

/** Refuses a model other than the one the stored vectors came from, as the file index does. */
export async function assertStoredModel(db: pg.Pool | pg.PoolClient, model: ModelStamp): Promise<void> {
  const stored = await storedModel(db);
  if (!stored || (stored.id === model.id && stored.dimensions === model.dimensions && stored.checksum === model.checksum)) return;
  throw new UserError(
    `The database at DATABASE_URL holds vectors of the embedding model "${stored.id}" (${stored.dimensions} dimensions, ` +
      `build ${stored.checksum.slice(0, 12)}), but EMBEDDING_MODEL is "${model.id}" (${model.dimensions} dimensions, ` +
      `build ${model.checksum.slice(0, 12)}).`,
    `Use another database for this model (DATABASE_URL), or set EMBEDDING_MODEL=${stored.id}.`,
  );
}

function stampOf(model: ModelStamp): ModelStamp {
  return { id: model.id, dimensions: model.dimensions, checksum: model.checksum };
}

function checkDimensions(dimensions: number): void {
  if (Number.isInteger(dimensions) && dimensions >= 1 && dimensions <= MAX_INDEXED_DIMENSIONS) return;
  throw new UserError(`The embedding model has ${dimensions} dimensions; the Postgres store indexes 1 to ${MAX_INDEXED_DIMENSIONS} (pgvector's HNSW limit).`);
}

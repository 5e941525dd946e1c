/**
 * The index in Postgres with pgvector (issue #14): articles and their rows — paragraphs with
 * vectors and index terms, people, typed spans — written one article per transaction, and the
 * candidates retrieval starts from, found inside the database. Every value travels as a query
 * parameter; the SQL text is constant.
 */
import pg from 'pg';
import { contentHash, type Article } from '../articles/article.js';
import type { SpanType } from '../articles/spans.js';
import { terms } from '../articles/terms.js';
import { UserError } from '../errors.js';
import type { IndexedArticle, ModelStamp, Paragraph, StoredSpan } from '../index/types.js';
import type { ArticlePerson } from '../people/extract.js';
import type { Scope } from '../index/scope.js';
import { SHARED, type Membership } from '../index/collections.js';
import { assertStoredModel, migrate } from './schema.js';
import { inTransaction } from './transaction.js';

/** An article with everything derived from it at ingest. */
export interface ArticleRows {
  article: Article;
  /** The collection it joins (the shared one by default); a stored article keeps its others. */
  collection?: Membership;
  /** One per paragraph, in order, with the model's dimensions. */
  vectors: readonly Float32Array[];
  people: readonly ArticlePerson[];
  /** Per paragraph, in order: its candidate answers. */
  spans: readonly (readonly StoredSpan[])[];
}

export type WriteOutcome = 'added' | 'updated' | 'unchanged';

/** A paragraph found by a candidate query; `score` is the cosine similarity or the ts_rank_cd rank. */
export interface Candidate {
  articleId: string;
  position: number;
  score: number;
}

/** BM25's figures of the whole corpus, kept by every write (`term_stats`, `articles.term_count`). */
export interface CorpusFigures {
  paragraphs: number;
  articles: number;
  /** Index terms of all paragraphs, repeats counted. */
  terms: number;
  /** For each term: how many paragraphs, and how many articles, hold it. */
  frequencies: Map<string, [paragraphs: number, articles: number]>;
}

/** The best paragraphs and articles by BM25, found in the database. */
export interface LexicalCandidates {
  paragraphs: Candidate[];
  articles: { articleId: string; score: number }[];
}

/** An article's stored rows, as a question reads them. */
export interface StoredArticleRows {
  hash: string;
  /** When it was last written, in the order of all writes. */
  written: number;
  paragraphs: Paragraph[];
  terms: string[][];
  spans: StoredSpan[][];
}

export interface PgStoreOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** An idle connection failed (the server went away); the pool has already dropped it. */
  onIdleError?: (error: Error) => void;
}

/** pgvector's largest `hnsw.ef_search`: more candidates than this cannot come from one index scan. */
const MAX_CANDIDATES = 1000;
/** pgvector's default `hnsw.ef_search`, kept as the floor. */
const DEFAULT_EF_SEARCH = 40;

const ARTICLE_COLUMNS = 'id, title, url, outlet, agency, author, date, source_location, source_line, captions, hash, paragraph_count';

/** A new article's collection is the one it is written into; a stored one joins it afterwards (`JOIN_COLLECTION`). */
const UPSERT_ARTICLE = `
  INSERT INTO articles (${ARTICLE_COLUMNS}, collections, memberships, added_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ARRAY[$13::text], jsonb_build_array($14::jsonb), $15)
  ON CONFLICT (id) DO UPDATE SET
    title = excluded.title, url = excluded.url, outlet = excluded.outlet, agency = excluded.agency,
    author = excluded.author, date = excluded.date, source_location = excluded.source_location,
    source_line = excluded.source_line, captions = excluded.captions, hash = excluded.hash,
    paragraph_count = excluded.paragraph_count
    , written = nextval(pg_get_serial_sequence('articles', 'written'))
  WHERE articles.hash IS DISTINCT FROM excluded.hash
  RETURNING (xmax = 0) AS inserted`;

const INSERT_PARAGRAPHS = `
  INSERT INTO paragraphs (article_id, position, text, terms, embedding)
  SELECT $1, (u.ordinality - 1)::int, u.text, u.terms, u.embedding::vector
  FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(text, terms, embedding, ordinality)`;

const INSERT_PEOPLE = `
  INSERT INTO people (article_id, position, name, mentions, roles, quotes)
  SELECT $1, (p.ordinality - 1)::int, p.value->>'name', (p.value->>'mentions')::int, p.value->'roles', p.value->'quotes'
  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS p(value, ordinality)`;

const INSERT_SPANS = `
  INSERT INTO spans (article_id, position, ordinal, type, start, "end")
  SELECT $1, s.position, s.ordinal, s.type, s.start, s."end"
  FROM jsonb_to_recordset($2::jsonb) AS s(position int, ordinal int, type text, start int, "end" int)`;

/**
 * Every write takes this lock first, for its whole transaction: the corpus figures (`term_stats`)
 * that all writes update are then never locked in two orders by two writers (no deadlock), at the
 * cost of one write committing at a time. Writes are short; the embedding is done before.
 */
const WRITE_LOCK = 720_514_015;

/** The article's terms, counted by paragraphs and (once) by article: what its rows add to `term_stats`. */
const TERMS_OF_ARTICLES = `
  SELECT t.term, count(DISTINCT (p.article_id, p.position))::int AS paragraphs, count(DISTINCT p.article_id)::int AS articles
  FROM paragraphs p, unnest(string_to_array(p.terms, ' ')) AS t(term)
  WHERE p.article_id = ANY($1::text[]) AND p.terms <> ''
  GROUP BY t.term`;

const COUNT_TERMS = `
  INSERT INTO term_stats (term, paragraphs, articles)
  SELECT term, paragraphs, articles FROM (${TERMS_OF_ARTICLES}) counted
  ON CONFLICT (term) DO UPDATE SET paragraphs = term_stats.paragraphs + excluded.paragraphs, articles = term_stats.articles + excluded.articles`;

const UNCOUNT_TERMS = `
  UPDATE term_stats s SET paragraphs = s.paragraphs - counted.paragraphs, articles = s.articles - counted.articles
  FROM (${TERMS_OF_ARTICLES}) counted
  WHERE s.term = counted.term`;

/** Adds a collection to articles not in it yet; returns the ids that joined. */
const JOIN_COLLECTION = `
  UPDATE articles SET collections = array_append(collections, $2::text), memberships = memberships || jsonb_build_array($3::jsonb)
  WHERE id = ANY($1::text[]) AND NOT ($2::text = ANY(collections))
  RETURNING id`;

/** The articles of collection $1 ($2: only these ids, or all when null) that belong to no other: they go with it. */
const ONLY_IN_COLLECTION = `
  SELECT id FROM articles
  WHERE collections = ARRAY[$1::text] AND ($2::text[] IS NULL OR id = ANY($2::text[]))
  FOR UPDATE`;

/** Takes collection $1 from its other articles ($2: only these ids, or all when null). */
const LEAVE_COLLECTION = `
  UPDATE articles SET
    collections = array_remove(collections, $1::text),
    memberships = (SELECT coalesce(jsonb_agg(m), '[]'::jsonb) FROM jsonb_array_elements(memberships) AS m WHERE m->>'name' <> $1::text)
  WHERE $1::text = ANY(collections) AND cardinality(collections) > 1 AND ($2::text[] IS NULL OR id = ANY($2::text[]))`;

const COUNT_WRITE = `UPDATE meta SET value = to_jsonb(value::text::bigint + 1) WHERE key = 'writes'`;

const COUNT_ARTICLE_TERMS = `
  UPDATE articles a SET term_count = coalesce((SELECT sum(cardinality(string_to_array(p.terms, ' '))) FROM paragraphs p WHERE p.article_id = a.id), 0)
  WHERE a.id = $1`;

/**
 * The articles of a scope (`src/index/scope.ts`), with its six values as parameters from
 * $first: those dated after "as of" (undated ones stay, as in the file index), outside since and
 * until (undated ones go), of another outlet or another article are left out, before the limit.
 */
function inScope(first: number): string {
  const [asOf, since, until, outlet, article] = [0, 1, 2, 3, 4].map((i) => `$${first + i}::text`);
  const collections = `$${first + 5}::text[]`;
  return `(${asOf} IS NULL OR a.date IS NULL OR a.date <= ${asOf}) AND (${since} IS NULL OR a.date >= ${since}) AND (${until} IS NULL OR a.date <= ${until})
    AND (${outlet} IS NULL OR lower(a.outlet) = lower(${outlet})) AND (${article} IS NULL OR a.id = ${article})
    AND (${collections} IS NULL OR a.collections && ${collections})`;
}

function scopeValues(scope: Scope = {}): (string | string[] | null)[] {
  const values: (string | string[] | null)[] = [scope.asOf, scope.since, scope.until, scope.outlet, scope.articleId].map((value) => (value === undefined ? null : storable(value)));
  return [...values, scope.collections ? scope.collections.map(storable) : null];
}

const BY_VECTOR = `
  SELECT p.article_id, p.position, 1 - (p.embedding <=> $1::vector) AS score
  FROM paragraphs p JOIN articles a ON a.id = p.article_id
  WHERE ${inScope(3)}
  ORDER BY p.embedding <=> $1::vector
  LIMIT $2`;

/**
 * The question's terms become an OR query of quoted lexemes (a quote or backslash inside one is
 * doubled, as tsquery input wants), so nothing in them is read as a tsquery operator. Both sides
 * go through the same `simple` parser, so the lexemes match the stored ones exactly.
 */
const BY_TEXT = String.raw`
  SELECT p.article_id, p.position, ts_rank_cd(p.tsv, q.query) AS score
  FROM (
    SELECT (
      SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
      FROM unnest(tsvector_to_array(to_tsvector('simple', $1::text))) AS t(lexeme)
    ) AS query
  ) q
  JOIN paragraphs p ON p.tsv @@ q.query
  JOIN articles a ON a.id = p.article_id
  WHERE ${inScope(3)}
  ORDER BY score DESC, p.article_id, p.position
  LIMIT $2`;

/**
 * Exact BM25 (k1 1.2, b 0.75, as `src/retrieval/bm25.ts`) of the paragraphs and of the articles
 * sharing a term with the question, with the idf of each term given ($2 paragraphs, $3 articles)
 * from the whole corpus's figures: the best $5 paragraphs ('p') and the best $6 articles ('a'),
 * within the scope of $8 to $13.
 * The full-text index finds the paragraphs; the terms are then counted exactly from `terms`.
 */
const BY_BM25 = String.raw`
  WITH q AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[]) AS q(term, idf, article_idf)),
  matched AS (
    SELECT p.article_id, p.position, p.terms
    FROM paragraphs p JOIN articles a ON a.id = p.article_id
    WHERE p.tsv @@ (
      SELECT string_agg('''' || replace(replace(lexeme, '', '\'), '''', '''''') || '''', ' | ')::tsquery
      FROM unnest(tsvector_to_array(to_tsvector('simple', array_to_string($1::text[], ' ')))) AS t(lexeme)
    ) AND ${inScope(8)}
  ),
  counts AS (
    SELECT m.article_id, m.position, t.term, count(*)::float8 AS tf, cardinality(string_to_array(m.terms, ' '))::float8 AS len
    FROM matched m, unnest(string_to_array(m.terms, ' ')) AS t(term)
    WHERE t.term = ANY($1::text[])
    GROUP BY m.article_id, m.position, t.term, m.terms
  ),
  by_paragraph AS (
    SELECT 'p' AS kind, c.article_id, c.position, sum(q.idf * c.tf * 2.2 / (c.tf + 0.3 + 0.9 * c.len / $4::float8)) AS score
    FROM counts c JOIN q USING (term)
    GROUP BY c.article_id, c.position
    ORDER BY score DESC, c.article_id, c.position
    LIMIT $5
  ),
  by_article AS (
    SELECT 'a' AS kind, c.article_id, -1 AS position, sum(q.article_idf * c.tf * 2.2 / (c.tf + 0.3 + 0.9 * a.term_count / $7::float8)) AS score
    FROM (SELECT article_id, term, sum(tf) AS tf FROM counts GROUP BY article_id, term) c JOIN q USING (term) JOIN articles a ON a.id = c.article_id
    GROUP BY c.article_id
    ORDER BY score DESC, c.article_id
    LIMIT $6
  )
  SELECT * FROM by_paragraph UNION ALL SELECT * FROM by_article`;

/** The cosine of $1 with every paragraph of these articles, computed where the vectors are. */
const COSINES_OF_ARTICLES = `
  SELECT article_id, position, 1 - (embedding <=> $1::vector) AS score FROM paragraphs WHERE article_id = ANY($2::text[])`;

const ROWS_OF_ARTICLES = `
  SELECT p.article_id, p.position, p.text, p.terms, a.hash, a.written
  FROM paragraphs p JOIN articles a ON a.id = p.article_id
  WHERE p.article_id = ANY($1::text[])
  ORDER BY a.written, p.position`;

const SPANS_OF_ARTICLES = `
  SELECT article_id, position, type, start, "end" FROM spans
  WHERE article_id = ANY($1::text[])
  ORDER BY article_id, position, ordinal`;

const SPANS_OF = `
  SELECT p.position, s.type, s.start, s."end"
  FROM paragraphs p LEFT JOIN spans s ON s.article_id = p.article_id AND s.position = p.position
  WHERE p.article_id = $1
  ORDER BY p.position, s.ordinal`;

export class PgStore {
  private constructor(
    private readonly pool: pg.Pool,
    readonly model: ModelStamp,
  ) {}

  /** Connects, applies any pending migration, and refuses a database made with another model. */
  static async open(databaseUrl: string, model: ModelStamp, options: PgStoreOptions = {}): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: options.max ?? 10 });
    pool.on('error', options.onIdleError ?? (() => {}));
    try {
      await migrate(pool, model);
      await assertStoredModel(pool, model);
    } catch (error) {
      await pool.end();
      throw asUserError(error, databaseUrl);
    }
    return new PgStore(pool, model);
  }

  /**
   * Writes each article with all its rows in one transaction. An article whose content hash is
   * stored already is left as it is; a changed one has its rows replaced. Its row stays locked
   * from the upsert to the commit, so a concurrent writer of the same article waits, then sees
   * the committed hash.
   */
  async writeArticles(rows: readonly ArticleRows[]): Promise<Map<string, WriteOutcome>> {
    const outcomes = new Map<string, WriteOutcome>();
    for (const r of rows) outcomes.set(r.article.id, await this.writeArticle(r));
    return outcomes;
  }

  private async writeArticle(rows: ArticleRows): Promise<WriteOutcome> {
    this.checkRows(rows);
    const { article } = rows;
    const id = storable(article.id);
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const collection = rows.collection ?? { name: SHARED };
      const joining = [[id], storable(collection.name), storableJson(collection)];
      const upserted = await client.query(UPSERT_ARTICLE, [...articleValues(article, contentHash(article)), storable(collection.name), storableJson(collection), new Date().toISOString()]);
      if (upserted.rowCount === 0) {
        if ((await client.query(JOIN_COLLECTION, joining)).rowCount) await client.query(COUNT_WRITE);
        return 'unchanged';
      }
      if (!upserted.rows[0].inserted) await client.query(JOIN_COLLECTION, joining);
      await client.query(UNCOUNT_TERMS, [[id]]);
      await client.query('DELETE FROM paragraphs WHERE article_id = $1', [id]);
      await client.query('DELETE FROM people WHERE article_id = $1', [id]);
      await client.query(INSERT_PARAGRAPHS, [id, article.paragraphs.map(storable), article.paragraphs.map((p) => terms(p).join(' ')), rows.vectors.map(vectorLiteral)]);
      await client.query(INSERT_PEOPLE, [id, storableJson(rows.people)]);
      await client.query(INSERT_SPANS, [id, JSON.stringify(spanRecords(rows.spans))]);
      await client.query(COUNT_TERMS, [[id]]);
      await client.query(COUNT_ARTICLE_TERMS, [id]);
      await client.query(COUNT_WRITE);
      return upserted.rows[0].inserted ? 'added' : 'updated';
    });
  }

  private checkRows({ article, vectors, spans }: ArticleRows): void {
    const paragraphs = article.paragraphs.length;
    if (vectors.length !== paragraphs || spans.length !== paragraphs) {
      throw new Error(`${article.id}: ${paragraphs} paragraphs, ${vectors.length} vectors, ${spans.length} span lists`);
    }
    const wrong = vectors.find((v) => v.length !== this.model.dimensions);
    if (wrong) throw new Error(`${article.id}: a vector of ${wrong.length} dimensions, the model has ${this.model.dimensions}`);
  }

  /** Removes articles with all their rows, in one transaction; returns how many were stored. */
  async removeArticles(ids: readonly string[]): Promise<number> {
    const stored = ids.map(storable);
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      await client.query(UNCOUNT_TERMS, [stored]);
      const result = await client.query('DELETE FROM articles WHERE id = ANY($1::text[])', [stored]);
      if (result.rowCount) await client.query(COUNT_WRITE);
      return result.rowCount ?? 0;
    });
  }

  /** Adds a collection to stored articles (those in it already are left as they are); returns how many joined. */
  async joinCollection(ids: readonly string[], collection: Membership): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const joined = await client.query(JOIN_COLLECTION, [ids.map(storable), storable(collection.name), storableJson(collection)]);
      if (joined.rowCount) await client.query(COUNT_WRITE);
      return joined.rowCount ?? 0;
    });
  }

  /**
   * Takes articles out of a collection (these, or all of its articles), in one transaction: an
   * article in no other collection then is removed with its rows.
   */
  async leaveCollection(collection: string, ids?: readonly string[]): Promise<{ left: number; removed: number }> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const which = [storable(collection), ids ? ids.map(storable) : null];
      const orphans = (await client.query(ONLY_IN_COLLECTION, which)).rows.map((r) => r.id as string);
      if (orphans.length) {
        await client.query(UNCOUNT_TERMS, [orphans]);
        await client.query('DELETE FROM articles WHERE id = ANY($1::text[])', [orphans]);
      }
      const kept = (await client.query(LEAVE_COLLECTION, which)).rowCount ?? 0;
      if (orphans.length || kept) await client.query(COUNT_WRITE);
      return { left: orphans.length + kept, removed: orphans.length };
    });
  }

  /** The stored content hash of each of these ids that is stored: what an ingest compares before embedding. */
  async hashesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.pool.query('SELECT id, hash FROM articles WHERE id = ANY($1::text[])', [ids.map(storable)]);
    return new Map(rows.map((r) => [r.id as string, r.hash as string]));
  }

  async article(id: string): Promise<IndexedArticle | undefined> {
    const { rows } = await this.pool.query(`SELECT ${ARTICLE_COLUMNS}, memberships, added_at FROM articles WHERE id = $1`, [storable(id)]);
    return rows[0] ? indexedArticle(rows[0]) : undefined;
  }

  /** Every article, by id. */
  async articles(): Promise<Map<string, IndexedArticle>> {
    const { rows } = await this.pool.query(`SELECT ${ARTICLE_COLUMNS}, memberships, added_at FROM articles ORDER BY id`);
    return new Map(rows.map((r) => [r.id as string, indexedArticle(r)]));
  }

  /** An article's paragraphs, in article order. */
  async paragraphsOf(articleId: string): Promise<Paragraph[]> {
    const { rows } = await this.pool.query('SELECT article_id, position, text FROM paragraphs WHERE article_id = $1 ORDER BY position', [storable(articleId)]);
    return rows.map((r) => ({ articleId: r.article_id, position: r.position, text: r.text }));
  }

  async peopleOf(articleId: string): Promise<ArticlePerson[]> {
    const { rows } = await this.pool.query('SELECT name, mentions, roles, quotes FROM people WHERE article_id = $1 ORDER BY position', [storable(articleId)]);
    return rows.map((r) => ({ name: r.name, mentions: r.mentions, roles: r.roles, quotes: r.quotes }));
  }

  /** Each paragraph's candidate answers, by position (an empty list for a paragraph without any). */
  async spansOf(articleId: string): Promise<StoredSpan[][]> {
    const { rows } = await this.pool.query(SPANS_OF, [storable(articleId)]);
    const spans: StoredSpan[][] = [];
    for (const r of rows) {
      const list = (spans[r.position] ??= []);
      if (r.type !== null) list.push([r.type as SpanType, r.start, r.end]);
    }
    return spans;
  }

  /**
   * The `limit` paragraphs nearest to a unit vector by cosine, nearest first. HNSW is approximate:
   * the search list is widened to the limit, and an iterative scan keeps going while the date
   * filter leaves out rows, so a filtered query still fills its limit.
   */
  async candidatesByVector(vector: Float32Array, limit: number, scope?: Scope): Promise<Candidate[]> {
    if (vector.length !== this.model.dimensions) throw new Error(`a query vector of ${vector.length} dimensions, the model has ${this.model.dimensions}`);
    const count = candidateCount(limit);
    const rows = await inTransaction(this.pool, async (client) => {
      await client.query(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true)`, [String(Math.max(DEFAULT_EF_SEARCH, count))]);
      return (await client.query(BY_VECTOR, [vectorLiteral(vector), count, ...scopeValues(scope)])).rows;
    });
    // A paragraph of unknown words has the zero vector, whose cosine is undefined (NaN): 0, as the dense scan gives.
    return rows.map((r) => candidate(r, Number.isNaN(r.score) ? 0 : r.score));
  }

  /** The `limit` paragraphs sharing the most with a question's terms (any of them), by ts_rank_cd. */
  async candidatesByText(question: string, limit: number, scope?: Scope): Promise<Candidate[]> {
    const stems = terms(question);
    if (stems.length === 0) return [];
    const { rows } = await this.pool.query(BY_TEXT, [stems.join(' '), candidateCount(limit), ...scopeValues(scope)]);
    return rows.map((r) => candidate(r, r.score));
  }

  /** How many writes (an article added, changed or removed) have committed: unchanged, nothing to reload. */
  async writeCount(): Promise<number> {
    const { rows } = await this.pool.query(`SELECT value::text::bigint AS writes FROM meta WHERE key = 'writes'`);
    return Number(rows[0]?.writes ?? 0);
  }

  /** The whole corpus's BM25 figures: counts from `articles`, document frequencies from `term_stats`. */
  async corpusFigures(): Promise<CorpusFigures> {
    const [totals, terms] = await Promise.all([
      this.pool.query('SELECT count(*)::int AS articles, coalesce(sum(paragraph_count), 0)::float8 AS paragraphs, coalesce(sum(term_count), 0)::float8 AS terms FROM articles WHERE paragraph_count > 0'),
      this.pool.query('SELECT term, paragraphs, articles FROM term_stats WHERE paragraphs > 0'),
    ]);
    const { articles, paragraphs, terms: termCount } = totals.rows[0];
    return { articles, paragraphs, terms: termCount, frequencies: new Map(terms.rows.map((r) => [r.term as string, [r.paragraphs as number, r.articles as number]])) };
  }

  /**
   * The `paragraphs` best paragraphs and `articles` best articles by BM25 for these stems, given
   * each stem's idf among paragraphs and among articles and the average lengths of both.
   */
  async candidatesByBm25(
    stems: readonly { term: string; idf: number; articleIdf: number }[],
    averageLength: { paragraph: number; article: number },
    limits: { paragraphs: number; articles: number },
    scope?: Scope,
  ): Promise<LexicalCandidates> {
    if (stems.length === 0) return { paragraphs: [], articles: [] };
    const { rows } = await this.pool.query(BY_BM25, [
      stems.map((s) => s.term),
      stems.map((s) => s.idf),
      stems.map((s) => s.articleIdf),
      averageLength.paragraph,
      candidateCount(limits.paragraphs),
      candidateCount(limits.articles),
      averageLength.article,
      ...scopeValues(scope),
    ]);
    return {
      paragraphs: rows.filter((r) => r.kind === 'p').map((r) => candidate(r, r.score)),
      articles: rows.filter((r) => r.kind === 'a').map((r) => ({ articleId: r.article_id as string, score: r.score as number })),
    };
  }

  /** The cosine of a unit vector with each paragraph of these articles, by article id and position (0 for a paragraph of no known word). */
  async cosinesOf(vector: Float32Array, ids: readonly string[]): Promise<Map<string, number[]>> {
    const { rows } = await this.pool.query(COSINES_OF_ARTICLES, [vectorLiteral(vector), ids.map(storable)]);
    const cosines = new Map<string, number[]>();
    for (const r of rows) {
      let list = cosines.get(r.article_id);
      if (!list) cosines.set(r.article_id, (list = []));
      list[r.position] = Number.isNaN(r.score) ? 0 : r.score;
    }
    return cosines;
  }

  /** Every stored row of these articles, but their vectors (an article not stored is absent from the map). */
  async rowsOfArticles(ids: readonly string[]): Promise<Map<string, StoredArticleRows>> {
    const stored = ids.map(storable);
    const [paragraphs, spans] = await Promise.all([this.pool.query(ROWS_OF_ARTICLES, [stored]), this.pool.query(SPANS_OF_ARTICLES, [stored])]);
    const byArticle = new Map<string, StoredArticleRows>();
    for (const r of paragraphs.rows) {
      let set = byArticle.get(r.article_id);
      if (!set) byArticle.set(r.article_id, (set = { hash: r.hash, written: Number(r.written), paragraphs: [], terms: [], spans: [] }));
      set.paragraphs.push({ articleId: r.article_id, position: r.position, text: r.text });
      set.terms.push(r.terms === '' ? [] : (r.terms as string).split(' '));
      set.spans.push([]);
    }
    for (const r of spans.rows) byArticle.get(r.article_id)?.spans[r.position]?.push([r.type as SpanType, r.start, r.end]);
    return byArticle;
  }

  /** Every article's people, by article id. */
  async allPeople(): Promise<Map<string, ArticlePerson[]>> {
    const { rows } = await this.pool.query('SELECT article_id, name, mentions, roles, quotes FROM people ORDER BY article_id, position');
    const people = new Map<string, ArticlePerson[]>();
    for (const r of rows) {
      let list = people.get(r.article_id);
      if (!list) people.set(r.article_id, (list = []));
      list.push({ name: r.name, mentions: r.mentions, roles: r.roles, quotes: r.quotes });
    }
    return people;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}


function candidate(row: { article_id: string; position: number }, score: number): Candidate {
  return { articleId: row.article_id, position: row.position, score };
}

function candidateCount(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`a candidate limit must be a positive integer, not ${limit}`);
  return Math.min(limit, MAX_CANDIDATES);
}

/**
 * Postgres text cannot hold NUL, and its JSON refuses lone surrogates: NUL becomes a space (as
 * the file index's paragraphs.txt does) and a lone surrogate U+FFFD (what the driver's UTF-8
 * encoding makes of one in a text parameter anyway). Both keep the text's length, so span
 * offsets stay valid. Ids go through it too, reads included, so a lookup finds what was written.
 */
function storable(text: string): string {
  return text.replace(/\u0000/g, ' ').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? storable(v) : v));
}

const optional = (text: string | undefined) => (text === undefined ? null : storable(text));

function articleValues(article: Article, hash: string): unknown[] {
  return [
    storable(article.id),
    storable(article.title),
    optional(article.url),
    optional(article.outlet),
    optional(article.agency),
    optional(article.author),
    optional(article.date),
    storable(article.source.location),
    article.source.line ?? null,
    article.captions.map(storable),
    hash,
    article.paragraphs.length,
  ];
}

/** pgvector's text form; a float32 printed by JavaScript reads back as the same float32. */
function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

function spanRecords(spans: readonly (readonly StoredSpan[])[]): { position: number; ordinal: number; type: SpanType; start: number; end: number }[] {
  return spans.flatMap((list, position) => list.map(([type, start, end], ordinal) => ({ position, ordinal, type, start, end })));
}

function indexedArticle(row: Record<string, unknown>): IndexedArticle {
  const article: IndexedArticle = {
    id: row.id as string,
    title: row.title as string,
    source: row.source_line === null ? { location: row.source_location as string } : { location: row.source_location as string, line: row.source_line as number },
    captions: row.captions as string[],
    hash: row.hash as string,
    paragraphCount: row.paragraph_count as number,
    collections: row.memberships as Membership[],
  };
  if (row.added_at) article.addedAt = row.added_at as string;
  for (const key of ['url', 'outlet', 'agency', 'author', 'date'] as const) if (row[key] !== null) article[key] = row[key] as string;
  return article;
}

/** Connection and permission failures are the operator's to fix: one line naming the server, never the password. */
function asUserError(error: unknown, databaseUrl: string): unknown {
  if (error instanceof UserError) return error;
  const code = (error as { code?: unknown }).code;
  const operational = typeof code === 'string' && (/^E[A-Z]+$/.test(code) || /^(08|28|3D)/.test(code) || code === '42501' || code === '58P01' || code === '0A000');
  if (!operational) return error;
  return new UserError(
    `Cannot use the database at DATABASE_URL (${displayUrl(databaseUrl)}): ${(error as Error).message}`,
    'Check that Postgres runs there, that the user may connect and create tables, and that the pgvector extension is installed.',
  );
}

function displayUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    return 'not a valid address';
  }
}

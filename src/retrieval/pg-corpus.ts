/**
 * The index in Postgres as answers read it (issue #14). Every host keeps in memory only what is
 * small: the articles' descriptions, their people, and the corpus's BM25 figures. The rows
 * (texts, vectors, stems, candidate answers) stay in the database; a question reads the rows of
 * the articles its candidates come from, the same candidates the file index's retrieval starts
 * from: the best paragraphs by BM25 and by cosine (HNSW) and the best articles by BM25, each
 * computed inside Postgres. Retrieval, ranking, quotes and refusals then run on those rows as on
 * the file index, with the whole corpus's BM25 figures, so both stores give the same answers.
 */
import type { PeopleByArticle } from '../people/extract.js';
import { snapshotOfRows, type ArticleRowSet } from '../index/rows-snapshot.js';
import type { IndexedArticle, Manifest, ModelStamp, Paragraph, Snapshot } from '../index/types.js';
import { idfOf, type CorpusStats } from './bm25.js';
import type { Corpus } from './corpus.js';
import type { Scope } from '../index/scope.js';
import { ARTICLE_POOL, POOL, Retriever, type WholeCorpus } from './retriever.js';
import type { CorpusFigures, PgStore, StoredArticleRows } from '../postgres/pg-store.js';

/** Articles whose rows are kept between questions (the most recently read ones). */
const CACHED_ARTICLES = 2_000;

/** What a question reads: its rows as a snapshot, the whole corpus's BM25 figures, and the question's cosine with each row. */
interface QuestionRows {
  snapshot: Snapshot;
  whole: WholeCorpus;
  dense: Float32Array;
}

export class PgCorpus implements Corpus {
  private readonly cache = new Map<string, StoredArticleRows>();

  private constructor(
    readonly store: PgStore,
    public manifest: Manifest,
    public people: PeopleByArticle,
    public whole: WholeCorpus,
    /** The store's write count when this was read: read before the rest, so a write in between is read again at the next reload. */
    private writes: number,
  ) {}

  get target(): PgStore {
    return this.store;
  }

  get vocabulary() {
    return this.whole.paragraphs;
  }

  async retrieverFor(stems: readonly string[], vector: Float32Array, scopes: readonly Scope[], weights?: ReadonlyMap<string, number>): Promise<Retriever> {
    const rows = await this.rowsFor(stems, vector, scopes, weights);
    return new Retriever(rows.snapshot, rows.whole, rows.dense);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  static async open(store: PgStore): Promise<PgCorpus> {
    const writes = await store.writeCount();
    const [articles, people, figures] = await Promise.all([store.articles(), store.allPeople(), store.corpusFigures()]);
    return new PgCorpus(store, manifestOf(store.model, articles), people, wholeCorpusOf(figures), writes);
  }

  /** Reads the articles' descriptions, people and figures again when a write committed since; returns whether one did. */
  async reload(): Promise<boolean> {
    const writes = await this.store.writeCount();
    if (writes === this.writes) return false;
    const [articles, people, figures] = await Promise.all([this.store.articles(), this.store.allPeople(), this.store.corpusFigures()]);
    this.manifest = manifestOf(this.store.model, articles, this.manifest.generation + 1);
    this.people = people;
    this.whole = wholeCorpusOf(figures);
    this.writes = writes;
    return true;
  }

  /**
   * The rows a question is answered from: those of every article holding one of its best
   * paragraphs by BM25 or by cosine, or among its best articles by BM25, within each scope.
   * Articles stored since the last reload are left out until it (as the file index does).
   */
  private async rowsFor(stems: readonly string[], vector: Float32Array, scopes: readonly Scope[], weights?: ReadonlyMap<string, number>): Promise<QuestionRows> {
    const { paragraphs, articles } = this.whole;
    const unique = [...new Set(stems)].filter((term) => paragraphs.documentFrequency(term) > 0);
    const terms = unique.map((term) => ({ term, idf: idf(paragraphs, term) * (weights?.get(term) ?? 1), articleIdf: idf(articles, term) * (weights?.get(term) ?? 1) }));
    const found = await Promise.all(
      scopes.map(async (scope) => {
        const [lexical, nearest] = await Promise.all([
          this.store.candidatesByBm25(terms, { paragraph: paragraphs.averageLength, article: articles.averageLength }, { paragraphs: POOL, articles: ARTICLE_POOL }, scope),
          this.store.candidatesByVector(vector, POOL, scope),
        ]);
        return [...lexical.paragraphs, ...lexical.articles, ...nearest];
      }),
    );
    const ids = new Set(found.flat().map((c) => c.articleId).filter((id) => this.manifest.articles.has(id)));
    const [rows, cosines] = await Promise.all([this.rowsOf([...ids]), this.store.cosinesOf(vector, [...ids])]);
    const snapshot = snapshotOfRows(this.manifest, rows, this.people);
    const dense = Float32Array.from(snapshot.paragraphs, (p) => cosines.get(p.articleId)?.[p.position] ?? 0);
    return { snapshot, whole: this.whole, dense };
  }

  /** An article's paragraphs in order. */
  async paragraphsOf(articleId: string): Promise<Paragraph[]> {
    return (await this.rowsOf([articleId])).get(articleId)?.paragraphs ?? [];
  }

  private async rowsOf(ids: readonly string[]): Promise<Map<string, ArticleRowSet>> {
    const fresh = (id: string) => {
      const cached = this.cache.get(id);
      return cached && cached.hash === this.manifest.articles.get(id)?.hash ? cached : undefined;
    };
    const missing = ids.filter((id) => !fresh(id));
    if (missing.length) for (const [id, rows] of await this.store.rowsOfArticles(missing)) this.cache.set(id, rows);
    const found: [string, StoredArticleRows][] = [];
    for (const id of ids) {
      const rows = this.cache.get(id);
      if (!rows) continue;
      // Most recently read last: the first keys are the ones to drop.
      this.cache.delete(id);
      this.cache.set(id, rows);
      found.push([id, rows]);
    }
    for (const id of this.cache.keys()) {
      if (this.cache.size <= CACHED_ARTICLES) break;
      this.cache.delete(id);
    }
    // In the order of their writes, as the file index holds its rows: ties in ranking fall the same way.
    return new Map<string, ArticleRowSet>(found.sort((a, b) => a[1].written - b[1].written));
  }
}

function manifestOf(model: ModelStamp, articles: Map<string, IndexedArticle>, generation = 1): Manifest {
  return { version: 2, generation, createdAt: new Date().toISOString(), model, articles };
}

function idf(stats: CorpusStats, term: string): number {
  const df = stats.documentFrequency(term);
  return df === 0 ? 0 : idfOf(stats.documents, df);
}

function wholeCorpusOf(figures: CorpusFigures): WholeCorpus {
  const statsOf = (documents: number, which: 0 | 1): CorpusStats => {
    let idfSum = 0;
    for (const counts of figures.frequencies.values()) idfSum += idfOf(documents, counts[which]);
    return {
      documents,
      averageLength: figures.terms / Math.max(1, documents) || 1,
      documentFrequency: (term) => figures.frequencies.get(term)?.[which] ?? 0,
      meanIdf: idfSum / Math.max(1, figures.frequencies.size) || 1,
    };
  };
  return { paragraphs: statsOf(figures.paragraphs, 0), articles: statsOf(figures.articles, 1) };
}

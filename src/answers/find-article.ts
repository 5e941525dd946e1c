import path from 'node:path';
import Fuse from 'fuse.js';
import type { IndexedArticle } from '../index/types.js';
import { shortId } from '../articles/make-article.js';
import { words } from '../articles/terms.js';

export type ArticleMatch = { kind: 'found'; article: IndexedArticle } | { kind: 'not-found'; suggestions: IndexedArticle[] };

/** Finds an article by id (whole or its last part), file name or (fuzzily) title. */
export function findArticle(articles: IndexedArticle[], query: string, search: Fuse<IndexedArticle> = articleSearch(articles)): ArticleMatch {
  const wanted = query.trim().toLowerCase();
  const exact = articles.find(
    (a) => a.id.toLowerCase() === wanted || shortId(a.id).toLowerCase() === wanted || path.basename(a.source.location).toLowerCase() === wanted || a.title.toLowerCase() === wanted,
  );
  if (exact) return { kind: 'found', article: exact };
  const byWords = bestByWordOverlap(articles, query);
  if (byWords) return { kind: 'found', article: byWords };
  const results = search.search(query, { limit: 5 });
  const best = results[0];
  if (best && (best.score ?? 1) <= 0.35) return { kind: 'found', article: best.item };
  return { kind: 'not-found', suggestions: results.slice(0, 3).map((r) => r.item) };
}

/** The article whose title holds the largest share (at least 60%) of the query's words, word order aside. */
function bestByWordOverlap(articles: IndexedArticle[], query: string): IndexedArticle | undefined {
  const wanted = new Set(words(query));
  if (wanted.size === 0) return undefined;
  let best: { article: IndexedArticle; share: number } | undefined;
  for (const article of articles) {
    const title = new Set(words(article.title));
    const share = [...wanted].filter((w) => title.has(w)).length / wanted.size;
    if (share >= 0.6 && share > (best?.share ?? 0)) best = { article, share };
  }
  return best?.article;
}

/** Titles and ids searchable by prefix or fuzzily: also serves autocompletion. */
export function articleSearch(articles: IndexedArticle[]): Fuse<IndexedArticle> {
  return new Fuse(articles, {
    keys: [{ name: 'title', weight: 3 }, 'id', 'source.location'],
    includeScore: true,
    ignoreLocation: true,
    threshold: 0.5,
  });
}

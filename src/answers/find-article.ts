import path from 'node:path';
import type { IndexedArticle } from '../index/types.js';
import { shortId } from '../articles/make-article.js';
import { words } from '../articles/terms.js';
import { Shortlist } from '../retrieval/shortlist.js';

export type ArticleMatch = { kind: 'found'; article: IndexedArticle } | { kind: 'not-found'; suggestions: IndexedArticle[] };

/** Finds an article by id (whole or its last part), file name or (fuzzily) title. */
export function findArticle(articles: IndexedArticle[], query: string, titles: Shortlist<IndexedArticle> = titleShortlist(articles)): ArticleMatch {
  const wanted = query.trim().toLowerCase();
  const exact = articles.find(
    (a) => a.id.toLowerCase() === wanted || shortId(a.id).toLowerCase() === wanted || path.basename(a.source.location).toLowerCase() === wanted || a.title.toLowerCase() === wanted,
  );
  if (exact) return { kind: 'found', article: exact };
  const byWords = bestByWordOverlap(articles, query);
  if (byWords) return { kind: 'found', article: byWords };
  const results = titles.search(query, 5);
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

/** Titles, ids and file names, searchable fuzzily within bounds: also serves autocompletion. */
export function titleShortlist(articles: readonly IndexedArticle[]): Shortlist<IndexedArticle> {
  return new Shortlist(articles, (a) => `${a.title} ${a.id} ${a.source.location}`, {
    keys: [{ name: 'title', weight: 3 }, 'id', 'source.location'],
    includeScore: true,
    ignoreLocation: true,
    threshold: 0.5,
  });
}

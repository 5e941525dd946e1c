import { isVisible } from './collections.js';
import type { IndexedArticle } from './types.js';

/**
 * Which articles a question may be answered from, applied inside retrieval (before ranking, so a
 * filtered answer is ranked as well as an unfiltered one), by both stores.
 */
export interface Scope {
  /** YYYY-MM-DD, the moment of asking: articles dated after it did not exist yet (undated ones count). */
  asOf?: string;
  /** YYYY-MM-DD, inclusive: only articles dated from then (undated ones are left out). */
  since?: string;
  /** YYYY-MM-DD, inclusive: only articles dated until then (undated ones are left out). */
  until?: string;
  /** Only this outlet's articles (compared without case). */
  outlet?: string;
  /** Only this article. */
  articleId?: string;
  /** Only articles of these collections (`collections.ts`): what a server or channel may see. */
  collections?: readonly string[];
}

/** Whether an article may answer within the scope. */
export function inScope(article: IndexedArticle | undefined, scope: Scope): boolean {
  if (!article) return false;
  const { date } = article;
  if (scope.asOf !== undefined && date !== undefined && date > scope.asOf) return false;
  if (scope.since !== undefined && (date === undefined || date < scope.since)) return false;
  if (scope.until !== undefined && (date === undefined || date > scope.until)) return false;
  if (scope.outlet !== undefined && article.outlet?.toLowerCase() !== scope.outlet.toLowerCase()) return false;
  if (scope.articleId !== undefined && article.id !== scope.articleId) return false;
  return isVisible(article, scope.collections);
}

/** Whether the scope leaves anything out at all. */
export function isEverything(scope: Scope): boolean {
  return Object.values(scope).every((value) => value === undefined);
}

/** One string per scope, to cache what is derived from it. */
export function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.asOf, scope.since, scope.until, scope.outlet?.toLowerCase(), scope.articleId, scope.collections]);
}

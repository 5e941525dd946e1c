/** Orderings of the index's data: an article's paragraphs in article order, articles newest first. */
import type { IndexedArticle, Paragraph } from './types.js';

/** An article's paragraphs, in article order. */
export function paragraphsInOrder(paragraphs: Iterable<Paragraph>, articleId: string): Paragraph[] {
  return [...paragraphs].filter((p) => p.articleId === articleId).sort(byPosition);
}

export function byPosition(a: Paragraph, b: Paragraph): number {
  return a.position - b.position;
}

/** Articles newest first (by date; undated last), ties by title. */
export function newestFirst<T extends Pick<IndexedArticle, 'date' | 'title'>>(articles: readonly T[]): T[] {
  return [...articles].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.title.localeCompare(b.title));
}

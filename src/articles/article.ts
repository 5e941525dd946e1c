import { createHash } from 'node:crypto';

/** One news article, parsed and cleaned: only `paragraphs` is answer material. */
export interface Article {
  /** Stable id: given by the source (front matter, record id) or derived from the file name. */
  id: string;
  title: string;
  url?: string;
  /** The publication (CNN, The Straits Times…), when recognisable. */
  outlet?: string;
  /** The news agency credited for the story (Reuters, AFP…), when credited. */
  agency?: string;
  author?: string;
  /** Publication date as YYYY-MM-DD. */
  date?: string;
  /** Where the article came from, for citations when there is no url: a file path (and a line, for JSONL), or the link a page was fetched from. */
  source: { location: string; line?: number };
  paragraphs: string[];
  /** Photo captions and credits: kept apart, never quoted as an answer. */
  captions: string[];
}

/** A file or record that could not be ingested, with the reason. */
export interface ParseProblem {
  /** The file path, or the link of a page or feed. */
  location: string;
  line?: number;
  reason: string;
}

/** Hash of everything an answer shows: a change to any of it re-ingests the article. */
export function contentHash(article: Article): string {
  const { id, title, url, outlet, agency, author, date, paragraphs, captions } = article;
  return createHash('sha256')
    .update(JSON.stringify({ id, title, url, outlet, agency, author, date, paragraphs, captions }))
    .digest('hex')
    .slice(0, 32);
}

/** The citation shown when an article has no link: its file (and line), and its outlet. */
export function sourceReference(article: Pick<Article, 'source'>): string {
  return article.source.line ? `${article.source.location}:${article.source.line}` : article.source.location;
}

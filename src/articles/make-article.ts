import type { Article } from './article.js';
import { cleanBody, normaliseDate, outletFromUrl, titleFromLead } from './newswire.js';

export interface ArticleFields {
  id: string;
  title?: string | null;
  url?: string | null;
  outlet?: string | null;
  author?: string | null;
  date?: unknown;
  source: Article['source'];
  rawParagraphs: string[];
}

/** Builds a clean article from a parser's fields; throws a reason when nothing answerable is left. */
export function makeArticle(fields: ArticleFields): Article {
  const body = cleanBody(fields.rawParagraphs);
  if (body.paragraphs.length === 0) throw new Error('no article text (empty, or only boilerplate and captions)');
  const url = validUrl(fields.url);
  const article: Article = {
    id: fields.id,
    title: fields.title?.trim() || titleFromLead(body.paragraphs),
    source: fields.source,
    paragraphs: body.paragraphs,
    captions: body.captions,
  };
  const outlet = fields.outlet?.trim() || body.outlet || outletFromUrl(url);
  const date = normaliseDate(fields.date);
  if (url) article.url = url;
  if (outlet) article.outlet = outlet;
  if (body.agency) article.agency = body.agency;
  if (fields.author?.trim()) article.author = fields.author.trim();
  if (date) article.date = date;
  return article;
}

function validUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The id of a file's article: its path without extension, in lower-case letters, digits, dashes
 * and underscores, folders kept ("seeds/talks"). Callers pass the path from the ingest folder's
 * own name down, so that `a/news.md` and `b/news.md` never share an id.
 */
export function idFromFileName(relativePath: string): string {
  const withoutExtension = relativePath.replace(/\.[^./]+$/, '');
  const parts = withoutExtension.split('/').map((part) => part.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase());
  return parts.filter(Boolean).join('/') || 'article';
}

/** The last part of an id, as a person would name the article: "seeds/talks" → "talks", "feeds/wire#r1" → "r1". */
export function shortId(id: string): string {
  return id.slice(Math.max(id.lastIndexOf('#'), id.lastIndexOf('/')) + 1);
}

/**
 * The id of an article whose source names it (a record's `id`, a front-matter `id`): kept after
 * its file's id, so that a record can never claim the article of another file.
 */
export function givenId(file: string, id: string): string {
  return `${idFromFileName(file)}#${id}`;
}

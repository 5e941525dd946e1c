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

/** An id from a file name: lower-case letters, digits, dashes and underscores. */
export function idFromFileName(relativePath: string): string {
  const withoutExtension = relativePath.replace(/\.[^./]+$/, '');
  return withoutExtension.normalize('NFKD').replace(/[^\w/-]+/g, '-').replace(/\//g, '--').replace(/^-+|-+$/g, '').toLowerCase() || 'article';
}

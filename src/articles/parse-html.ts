import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { Article } from './article.js';
import { idFromFileName, makeArticle } from './make-article.js';
import { normaliseParagraph } from './newswire.js';

/** Parses an HTML page with Readability: main text as paragraphs, title, byline, site name, date, canonical link. */
export function parseHtmlArticle(html: string, location: string, pageUrl?: string): Article {
  const { document } = parseHTML(html);
  const meta = (selector: string) => document.querySelector(selector)?.getAttribute('content')?.trim() || undefined;
  const canonical =
    document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? meta('meta[property="og:url"]') ?? pageUrl;
  const jsonLd = jsonLdArticle(document);
  const readable = new Readability(document as unknown as Document).parse();
  if (!readable?.content) throw new Error('no readable article text in the page');
  const { document: content } = parseHTML(`<html><body>${readable.content}</body></html>`);
  let blocks = [...content.querySelectorAll('p, li, blockquote')].map((node) => normaliseParagraph(node.textContent ?? ''));
  if (blocks.length === 0) blocks = [normaliseParagraph(readable.textContent ?? '')];
  return makeArticle({
    id: idFromFileName(location),
    title: readable.title || meta('meta[property="og:title"]'),
    url: canonical ? new URL(canonical, pageUrl ?? 'http://invalid/').href.replace(/^http:\/\/invalid\//, '') : undefined,
    outlet: readable.siteName || meta('meta[property="og:site_name"]'),
    author: readable.byline || jsonLd.author,
    date: readable.publishedTime || jsonLd.datePublished || meta('meta[property="article:published_time"]') || meta('meta[name="date"]'),
    source: { location },
    rawParagraphs: blocks.filter(Boolean),
  });
}

function jsonLdArticle(document: ReturnType<typeof parseHTML>['document']): { datePublished?: string; author?: string } {
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      const data = JSON.parse(script.textContent ?? '') as unknown;
      const items = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
      for (const item of items) {
        if (typeof item?.datePublished === 'string') {
          const author = item.author as { name?: string } | { name?: string }[] | undefined;
          const name = Array.isArray(author) ? author[0]?.name : author?.name;
          return { datePublished: item.datePublished, author: name };
        }
      }
    } catch {
      // a malformed JSON-LD block is common on the web and not fatal: the date comes from elsewhere
    }
  }
  return {};
}

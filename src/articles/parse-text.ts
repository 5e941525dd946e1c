import matter from 'gray-matter';
import type { Article } from './article.js';
import { givenId, idFromFileName, makeArticle } from './make-article.js';
import { splitParagraphs } from './newswire.js';

/**
 * The newsletter export format of the seeds: a first line `date YYYY-MM-DD` then the text. Matched
 * once, where the text's first word starts: a /^\s*date/m read every run of blank lines again from
 * each of its lines (40,000 of them took seconds).
 */
const DATE_HEADER = /^date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*(.*)/;

/** Parses `.txt` and `.md`: front matter (title, url, source, date, author), a date header, or plain paragraphs. */
export function parseTextArticle(content: string, file: string): Article {
  const text = content.replace(/^\uFEFF/, '');
  if (/^---\r?\n/.test(text)) return parseFrontMatter(text, file);
  const start = text.search(/\S/);
  const header = start < 0 ? null : text.slice(start).match(DATE_HEADER);
  if (header) {
    const rest = text.slice(start + header[0].length);
    return makeArticle({
      id: idFromFileName(file),
      date: header[1],
      source: { location: file },
      rawParagraphs: [header[2] ?? '', ...splitParagraphs(rest)].filter(Boolean),
    });
  }
  const { title, paragraphs } = markdownTitle(splitParagraphs(text));
  return makeArticle({ id: idFromFileName(file), title, source: { location: file }, rawParagraphs: paragraphs });
}

function parseFrontMatter(text: string, file: string): Article {
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(text);
  } catch (error) {
    throw new Error(`invalid front matter: ${(error as Error).message.split('\n')[0]}`);
  }
  const data = parsed.data as { [key: string]: unknown };
  const id = stringField(data.id);
  const { title, paragraphs } = markdownTitle(splitParagraphs(parsed.content));
  return makeArticle({
    id: id === undefined ? idFromFileName(file) : givenId(file, id),
    title: stringField(data.title) ?? title,
    url: stringField(data.url) ?? stringField(data.link),
    outlet: stringField(data.source) ?? stringField(data.outlet),
    author: stringField(data.author) ?? stringField(data.byline),
    date: data.date,
    source: { location: file },
    rawParagraphs: paragraphs,
  });
}

/** A leading Markdown heading is the title; other headings are dropped from the body. */
function markdownTitle(paragraphs: string[]): { title?: string; paragraphs: string[] } {
  const first = paragraphs[0]?.match(/^#\s+(.+)$/);
  const body = (first ? paragraphs.slice(1) : paragraphs).filter((p) => !/^#{1,6}\s/.test(p));
  return { title: first?.[1]?.trim(), paragraphs: body };
}

function stringField(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

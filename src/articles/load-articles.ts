import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { contentHash, type Article, type ParseProblem } from './article.js';
import { extractHtmlArticle } from './html-worker.js';
import { parseJsonlFile, parseRecordFile } from './parse-records.js';
import { parseTextArticle } from './parse-text.js';

export const ARTICLE_EXTENSIONS = ['.txt', '.md', '.markdown', '.html', '.htm', '.jsonl', '.json'] as const;
/** Larger files are refused rather than read whole into memory (JSONL is streamed, record by record). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface LoadedArticles {
  articles: Article[];
  problems: ParseProblem[];
  /** Files read (with or without problems). */
  files: number;
}

/** Reads every article file under `dir` (recursively), or only the given files; a bad file becomes a problem, never an exception. */
export async function loadArticles(dir: string, only?: string[]): Promise<LoadedArticles> {
  const result: LoadedArticles = { articles: [], problems: [], files: 0 };
  const seenIds = new Map<string, string>();
  const seenContent = new Map<string, string>();
  const root = await realpath(dir).catch(() => path.resolve(dir));
  for (const absolute of only ?? (await listArticleFiles(dir))) {
    const file = displayPath(absolute);
    result.files += 1;
    // Files named one by one were chosen by the operator; those found in a folder must stay in it.
    const outside = only ? undefined : await outsideOf(root, absolute);
    const parsed = outside
      ? { articles: [], problems: [{ location: file, reason: `a link to ${outside}, outside ${displayPath(root)}: not read` }] }
      : await parseFile(absolute, file, idPathOf(dir, absolute));
    result.problems.push(...parsed.problems);
    for (const article of parsed.articles) {
      const where = article.source.line ? `${file}:${article.source.line}` : file;
      const hash = contentHash({ ...article, id: '' });
      if (seenIds.has(article.id)) {
        result.problems.push({ ...article.source, reason: `duplicate id "${article.id}" (first in ${seenIds.get(article.id)})` });
      } else if (seenContent.has(hash)) {
        result.problems.push({ ...article.source, reason: `same article as ${seenContent.get(hash)}` });
      } else {
        seenIds.set(article.id, where);
        seenContent.set(hash, where);
        result.articles.push(article);
      }
    }
  }
  return result;
}

/**
 * Where a file really is when a symbolic link takes it out of the folder being read
 * (`seeds/passwd.txt → /etc/passwd`); undefined when it is inside (or cannot be resolved, which
 * reading it will report).
 */
async function outsideOf(root: string, file: string): Promise<string | undefined> {
  const real = await realpath(file).catch(() => undefined);
  if (real === undefined) return undefined;
  return real === root || real.startsWith(root + path.sep) ? undefined : real;
}

/**
 * The path an article's id is made from: the ingest folder's own name, then the file's path in
 * it ("seeds/talks.md"), so that two folders' `news.md` stay two articles.
 */
function idPathOf(dir: string, file: string): string {
  const folder = path.resolve(dir);
  return [path.basename(folder) || 'root', ...path.relative(folder, path.resolve(file)).split(path.sep)].join('/');
}

/** Paths as the user would type them: relative to the working directory when inside it. */
function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') ? absolute : relative;
}

/** Supported files in a stable order; hidden entries skipped, symlinked folders not followed (no loops). */
export async function listArticleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listArticleFiles(full)));
    // Pipes and devices are listed too, so that they are reported rather than silently passed over.
    else if (isArticleFile(entry.name)) files.push(full);
  }
  return files;
}

function isArticleFile(name: string): boolean {
  return (ARTICLE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());
}

async function parseFile(absolute: string, file: string, idPath: string): Promise<{ articles: Article[]; problems: ParseProblem[] }> {
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return { articles: [], problems: [{ location: file, reason: 'not a regular file' }] };
    const extension = path.extname(absolute).toLowerCase();
    if (extension === '.jsonl') {
      if (info.size === 0) return { articles: [], problems: [{ location: file, reason: 'empty file' }] };
      return await parseJsonlFile(absolute, file, idPath);
    }
    if (info.size > MAX_FILE_BYTES) {
      return { articles: [], problems: [{ location: file, reason: `too large (${info.size} bytes; the limit is ${MAX_FILE_BYTES})` }] };
    }
    const content = decodeText(await readFile(absolute));
    if (extension === '.json') return parseRecordFile(content, file, idPath);
    const article = extension === '.html' || extension === '.htm' ? await extractHtmlArticle(content, idPath) : parseTextArticle(content, idPath);
    article.source = { location: file };
    return { articles: [article], problems: [] };
  } catch (error) {
    return { articles: [], problems: [{ location: file, reason: reasonOf(error) }] };
  }
}

function decodeText(bytes: Buffer): string {
  if (bytes.length === 0) throw new Error('empty file');
  if (bytes.subarray(0, 8192).includes(0)) throw new Error('binary content, not text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('not valid UTF-8 text');
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'ENOENT') return 'file vanished or broken link';
  return (error as Error).message;
}

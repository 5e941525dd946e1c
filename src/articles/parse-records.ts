import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Article, ParseProblem } from './article.js';
import { givenId, makeArticle } from './make-article.js';
import { splitParagraphs } from './newswire.js';

/** Longest record id kept: it becomes part of the article's id, shown in logs and replies. */
const MAX_ID_LENGTH = 200;

const recordSchema = z.object({
  id: z.union([z.string().min(1).max(MAX_ID_LENGTH), z.number()]).transform(String),
  title: z.string().nullish(),
  url: z.string().nullish(),
  date: z.string().nullish(),
  source: z.string().nullish(),
  outlet: z.string().nullish(),
  author: z.string().nullish(),
  authors: z.array(z.string()).nullish(),
  text: z.string(),
});

export interface ParsedRecords {
  articles: Article[];
  problems: ParseProblem[];
}

/** Parses `.jsonl` (one record per line) or `.json` (one record, an array, or `{articles: […]}`). */
/** `idPath` is the file's path from the ingest folder's name down, which its records' ids are kept under. */
export function parseRecordFile(content: string, file: string, idPath = file): ParsedRecords {
  const result: ParsedRecords = { articles: [], problems: [] };
  if (file.endsWith('.jsonl')) {
    content.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      addRecord(result, () => JSON.parse(line), file, idPath, index + 1);
    });
    return result;
  }
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (error) {
    result.problems.push({ location: file, reason: `invalid JSON: ${(error as Error).message}` });
    return result;
  }
  const records = Array.isArray(data) ? data : (data as { articles?: unknown[] })?.articles ?? [data];
  records.forEach((record, index) => addRecord(result, () => record, file, idPath, undefined, index));
  return result;
}

/** Longest JSONL record read; a longer line is reported, not held in memory whole. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * Reads a `.jsonl` file line by line, so its size is not bounded by memory: each line is
 * checked (UTF-8, length, JSON, fields) and reported by number when bad.
 */
export async function parseJsonlFile(path: string, file: string, idPath = file): Promise<ParsedRecords> {
  const result: ParsedRecords = { articles: [], problems: [] };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines = createInterface({ input: createReadStream(path, { encoding: 'latin1' }), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number += 1;
    if (raw.trim() === '') continue;
    if (raw.length > MAX_RECORD_BYTES) {
      result.problems.push({ location: file, line: number, reason: `record too large (${raw.length} bytes; the limit is ${MAX_RECORD_BYTES})` });
      continue;
    }
    let line: string;
    try {
      line = decoder.decode(Buffer.from(raw, 'latin1'));
    } catch {
      result.problems.push({ location: file, line: number, reason: 'not valid UTF-8 text' });
      continue;
    }
    addRecord(result, () => JSON.parse(line.replace(/^\uFEFF/, '')), file, idPath, number);
  }
  return result;
}

function addRecord(result: ParsedRecords, read: () => unknown, file: string, idPath: string, line?: number, index?: number): void {
  const where = (reason: string): ParseProblem =>
    line !== undefined ? { location: file, line, reason } : { location: file, reason: index !== undefined ? `record ${index}: ${reason}` : reason };
  let raw: unknown;
  try {
    raw = read();
  } catch (error) {
    result.problems.push(where(`invalid JSON: ${(error as Error).message}`));
    return;
  }
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    result.problems.push(where(`field ${issue.path.join('.') || '(record)'}: ${issue.message}`));
    return;
  }
  const record = parsed.data;
  try {
    result.articles.push(
      makeArticle({
        id: givenId(idPath, record.id),
        title: record.title,
        url: record.url,
        outlet: record.outlet ?? record.source,
        author: record.author ?? record.authors?.join(', '),
        date: record.date,
        source: line !== undefined ? { location: file, line } : { location: file },
        rawParagraphs: splitParagraphs(record.text),
      }),
    );
  } catch (error) {
    result.problems.push(where((error as Error).message));
  }
}

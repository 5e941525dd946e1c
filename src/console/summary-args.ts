import { parseArgs } from 'node:util';
import { SUMMARY_SENTENCES } from '../engine.js';
import { UserError } from '../errors.js';

export interface SummaryRequest {
  article?: string;
  topic?: string;
  sentences: number;
}

export const SUMMARY_USAGE = 'Usage: summary ["<article>"] [--sentences N] | summary --topic "<words>"';

/** Parses `["<article>"] [--sentences N] [--topic "<words>"]`, shared by the CLI and the console. */
export function parseSummaryArgs(args: string[]): SummaryRequest {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { sentences: { type: 'string' }, topic: { type: 'string' } } });
  } catch (error) {
    throw new UserError((error as Error).message, SUMMARY_USAGE);
  }
  const { values, positionals } = parsed;
  const sentences = values.sentences === undefined ? SUMMARY_SENTENCES.default : Number(values.sentences);
  if (!Number.isInteger(sentences) || sentences < SUMMARY_SENTENCES.min || sentences > SUMMARY_SENTENCES.max) {
    throw new UserError(`--sentences must be a whole number from ${SUMMARY_SENTENCES.min} to ${SUMMARY_SENTENCES.max}.`);
  }
  const article = positionals.join(' ').trim() || undefined;
  if (values.topic !== undefined && article) throw new UserError('Give an article or a --topic, not both.', SUMMARY_USAGE);
  return { article, topic: values.topic, sentences };
}

/** Splits a console line into arguments, keeping "quoted phrases" together. */
export function splitCommandLine(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

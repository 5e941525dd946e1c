import { parseArgs } from 'node:util';
import { summaryRequest, type SummaryRequest } from '../answers/summary-request.js';
import { UserError } from '../errors.js';

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
  const given = { article: positionals.join(' '), topic: values.topic, sentences: values.sentences === undefined ? undefined : Number(values.sentences) };
  try {
    return summaryRequest(given, { sentences: '--sentences', topic: '--topic' });
  } catch (error) {
    throw error instanceof UserError ? new UserError(error.message, SUMMARY_USAGE) : error;
  }
}

/** Splits a console line into arguments, keeping "quoted phrases" together. */
export function splitCommandLine(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

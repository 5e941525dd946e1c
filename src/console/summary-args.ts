import { parseArgs } from 'node:util';
import type { FilterWords } from '../answers/filters.js';
import { summaryRequest, type SummaryRequest } from '../answers/summary-request.js';
import { UserError } from '../errors.js';
import { checkedCollection } from '../index/collections.js';

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

/**
 * Takes the filter flags (`--since "this week"`, `--outlet=Reuters`…) of `names` out of a
 * command's arguments; the rest is the command's own. A flag without its value is refused.
 */
export function takeFilterArgs(args: readonly string[], names: readonly (keyof FilterWords)[]): { filter: FilterWords; rest: string[] } {
  const filter: FilterWords = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = names.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (!name) {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
    if (value === undefined || value.trim() === '') throw new UserError(`--${name} needs a value, for example --${name} "${EXAMPLES[name]}".`);
    filter[name] = value;
  }
  return { filter, rest };
}

const EXAMPLES: Record<keyof FilterWords, string> = { since: 'this week', until: 'yesterday', outlet: 'Reuters', article: 'Port strike' };

/** Splits a console line into arguments, keeping "quoted phrases" together. */
export function splitCommandLine(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * Takes `--collection <name>` flags (repeated, or comma-separated) out of a command's arguments:
 * the collections to answer from (`shared`, `server:<server id>`); undefined when none is given
 * (every article, as the operator sees them).
 */
export function takeCollectionArgs(args: readonly string[]): { collections: string[] | undefined; rest: string[] } {
  const names: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== '--collection' && !arg.startsWith('--collection=')) {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
    if (value === undefined || value.trim() === '') throw new UserError('--collection needs a value: "shared" or "server:<server id>".');
    names.push(...value.split(',').map((name) => name.trim()).filter(Boolean));
  }
  return { collections: names.length ? names.map(checkedCollectionArg) : undefined, rest };
}

function checkedCollectionArg(name: string): string {
  try {
    return checkedCollection(name);
  } catch (error) {
    throw new UserError(`--collection: ${(error as Error).message}.`);
  }
}

export const VERIFY_USAGE = 'Usage: verify "<quote>" [--person "<name>"]';

/** Parses `"<quote>" [--person <name>]`, shared by the CLI and the console. */
export function parseVerifyArgs(args: string[]): { quote: string; person?: string } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { person: { type: 'string' } } });
  } catch (error) {
    throw new UserError((error as Error).message, VERIFY_USAGE);
  }
  const quote = parsed.positionals.join(' ').trim();
  if (!quote) throw new UserError('Give the quote to check.', VERIFY_USAGE);
  return { quote, ...(parsed.values.person?.trim() ? { person: parsed.values.person.trim() } : {}) };
}

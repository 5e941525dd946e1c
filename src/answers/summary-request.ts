import { UserError } from '../errors.js';

/** Sentences in an article summary: the bounds and the default everywhere (Discord, console, CLI). */
export const SUMMARY_SENTENCES = { min: 3, max: 7, default: 4 } as const;

/** What a person asked to summarise: one article (the newest when none is named), or a topic across articles. */
export type SummaryRequest = { kind: 'article'; article?: string; sentences: number } | { kind: 'topic'; topic: string };

/**
 * The one validator of summary requests from Discord, the console and the CLI. `names` says how
 * the caller spells its options, so the message names the option the person typed.
 */
export function summaryRequest(
  given: { article?: string; topic?: string; sentences?: number },
  names: { sentences: string; topic: string } = { sentences: 'sentences', topic: 'topic' },
): SummaryRequest {
  const article = given.article?.trim() || undefined;
  if (given.topic !== undefined) {
    if (article) throw new UserError(`Give an article or a ${names.topic}, not both.`);
    if (given.sentences !== undefined) throw new UserError(`${names.sentences} applies to one article, not to a ${names.topic} digest.`);
    return { kind: 'topic', topic: given.topic };
  }
  return { kind: 'article', article, sentences: checkedSentenceCount(given.sentences ?? SUMMARY_SENTENCES.default, names.sentences) };
}

export function checkedSentenceCount(count: number, name = 'sentences'): number {
  if (!Number.isInteger(count) || count < SUMMARY_SENTENCES.min || count > SUMMARY_SENTENCES.max) {
    throw new UserError(`${name} must be a whole number from ${SUMMARY_SENTENCES.min} to ${SUMMARY_SENTENCES.max}.`);
  }
  return count;
}

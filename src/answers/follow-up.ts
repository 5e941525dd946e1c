/**
 * Follow-ups: a question asked after another ("and what did he say about it?"), answered with
 * the earlier ones as context. Its own words decide the answer; the earlier questions' words
 * (and answer lines) weigh in at `CONTEXT_WEIGHT` in both BM25 and the question's vector, and
 * "he", "she", "him", "her" stand for the person the conversation is about.
 */
import { typedSpans } from '../articles/spans.js';
import { answerType } from './answer-type.js';

/** An earlier question of the conversation, and the answer line it got. */
export interface Turn {
  question: string;
  answerLine?: string;
}

/** Follow-ups in one chain: a conversation longer than that starts anew with /ask. */
export const MAX_FOLLOW_UPS = 5;
/** How much the earlier questions' words count beside the follow-up's own (1): chosen by CV (README, "Follow-ups"). */
export const CONTEXT_WEIGHT = 0.9;

const PERSON_PRONOUN = /\b(?:he|she|him|her|his|hers)\b/gi;

/** The follow-up with its personal pronouns replaced by the person the conversation is about, if there is one. */
export function resolvedFollowUp(question: string, context: readonly Turn[]): string {
  const person = personOf(context);
  if (!person) return question;
  return question.replace(PERSON_PRONOUN, (pronoun) => (/^(his|hers)$/i.test(pronoun) ? `${person}'s` : person));
}

/** The earlier turns as one text: what the context's words and vector come from. */
export function contextText(context: readonly Turn[]): string {
  return context.map((turn) => [turn.question, turn.answerLine].filter(Boolean).join(' ')).join(' ');
}

/** The person of the latest turn that has one: its answer when it asked "who", else the first person its question names. */
function personOf(context: readonly Turn[]): string | undefined {
  for (const turn of [...context].reverse()) {
    if (turn.answerLine && answerType(turn.question) === 'person') return turn.answerLine;
    const named = typedSpans(turn.question).find((span) => span.type === 'person');
    if (named) return turn.question.slice(named.start, named.end);
  }
  return undefined;
}

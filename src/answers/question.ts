import { UserError } from '../errors.js';

export const MAX_QUESTION_LENGTH = 300;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Discord mentions (`<@id>`, `<@&id>`, `<#id>`, `@everyone`, `@here`) and custom emoji carry no question. */
const MENTIONS = /<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b/g;

/** A question as the engine takes it: invisible characters removed, whitespace collapsed, bounded. */
export function cleanQuestion(raw: string): string {
  const question = raw.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  if (!question) throw new UserError('Ask a question: the text was empty.');
  if (question.length > MAX_QUESTION_LENGTH) {
    throw new UserError(`The question is too long (${question.length} characters; at most ${MAX_QUESTION_LENGTH}).`);
  }
  if (!/[\p{L}\p{N}]/u.test(searchText(question))) throw new UserError('Ask a question in words: this one has no letters or digits.');
  return question;
}

/** The words to search for: the question without mentions and custom emoji. */
export function searchText(question: string): string {
  return question.replace(MENTIONS, ' ').replace(/\s+/g, ' ').trim();
}

import { splitSentences } from '../articles/sentences.js';

const ELLIPSIS = '…';

/**
 * Shortens text to `max` characters at a sentence boundary (at a word boundary when even the
 * first sentence is too long), marking the cut with an ellipsis.
 */
export function truncateAtSentence(text: string, max: number): string {
  if (text.length <= max) return text;
  const budget = max - ELLIPSIS.length;
  let end = 0;
  for (const sentence of splitSentences(text)) {
    const sentenceEnd = sentence.start + sentence.text.length;
    if (sentenceEnd > budget) break;
    end = sentenceEnd;
  }
  if (end > 0) return `${text.slice(0, end)} ${ELLIPSIS}`.slice(0, max);
  const cut = text.slice(0, budget);
  const space = cut.lastIndexOf(' ');
  return `${space > budget / 2 ? cut.slice(0, space) : cut}${ELLIPSIS}`;
}

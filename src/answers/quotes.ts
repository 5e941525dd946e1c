import { photoCreditStart } from '../articles/newswire.js';
import { splitSentences } from '../articles/sentences.js';

export interface SentenceScore {
  text: string;
  score: number;
}

/** A sentence that holds an expected answer is worth this much more coverage: it is the one to quote. */
const ANSWER_BONUS = 0.3;

/**
 * Scores each sentence of a paragraph against the question: coverage of the question's words
 * (near-synonyms included), plus half its embedding similarity (given, in the order of
 * `splitSentences`), plus a bonus when it holds one of the expected answers.
 */
export function scoreSentences(sentences: string[], similarities: number[], coverageOf: (text: string) => number, answers: readonly string[]): SentenceScore[] {
  return sentences.map((text, i) => ({
    text,
    score: coverageOf(text) + 0.5 * Math.max(0, similarities[i] ?? 0) + (answers.some((a) => text.includes(a)) ? ANSWER_BONUS : 0),
  }));
}

/**
 * The one or two sentences to quote, in article order: the best one, plus its neighbour when that
 * one scores nearly as well or when the best one leans on it ("He said…").
 */
export function pickQuote(scored: SentenceScore[]): string[] {
  if (scored.length <= 1) return scored.map((s) => s.text);
  let best = 0;
  scored.forEach((s, i) => {
    if (s.score > scored[best]!.score) best = i;
  });
  const neighbours = [best - 1, best + 1].filter((i) => i >= 0 && i < scored.length);
  const second = neighbours.sort((a, b) => scored[b]!.score - scored[a]!.score)[0]!;
  const leansOnPrevious = best > 0 && /^(He|She|They|It|This|That|These|Those|But|And)\b/.test(scored[best]!.text);
  const close = scored[second]!.score >= 0.75 * scored[best]!.score;
  if (leansOnPrevious) return [scored[best - 1]!.text, scored[best]!.text];
  if (close) return second < best ? [scored[second]!.text, scored[best]!.text] : [scored[best]!.text, scored[second]!.text];
  return [scored[best]!.text];
}

/** A paragraph's sentences, a caption's photo credit ("… Game 6. John Bazemore/AP") left out. */
export function sentencesOf(paragraph: string): string[] {
  return splitSentences(paragraph.slice(0, photoCreditStart(paragraph)).trimEnd()).map((s) => s.text);
}

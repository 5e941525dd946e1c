import { splitSentences } from '../articles/sentences.js';
import type { Bm25Index } from '../retrieval/bm25.js';
import { terms } from '../articles/terms.js';

/** Share of the question's weight (idf) that a text contains: 1 when every question term appears. */
export function termCoverage(bm25: Bm25Index, questionTerms: readonly string[], text: string): number {
  const wanted = new Set(questionTerms);
  const present = new Set(terms(text));
  let total = 0;
  let found = 0;
  for (const term of wanted) {
    const weight = bm25.idf(term) || 1;
    total += weight;
    if (present.has(term)) found += weight;
  }
  return total === 0 ? 0 : found / total;
}

export interface SentenceScore {
  text: string;
  score: number;
}

/**
 * Scores each sentence of a paragraph against the question: idf-weighted term coverage plus
 * cosine similarity of their embeddings (given, in the same order as `splitSentences`).
 */
export function scoreSentences(
  bm25: Bm25Index,
  questionTerms: readonly string[],
  sentences: string[],
  similarities: number[],
): SentenceScore[] {
  return sentences.map((text, i) => ({ text, score: termCoverage(bm25, questionTerms, text) + 0.5 * Math.max(0, similarities[i] ?? 0) }));
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

export function sentencesOf(paragraph: string): string[] {
  return splitSentences(paragraph).map((s) => s.text);
}

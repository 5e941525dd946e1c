import { readFile } from 'node:fs/promises';
import { shortId } from '../src/articles/make-article.js';

/** Questions name articles by the data's own ids; an index keeps each under its file ("dev/news_articles#rtqa-…"). */
export function withIndexIds<Q extends { article_id?: string }>(questions: Q[], ids: Iterable<string>): Q[] {
  const byShortId = new Map([...ids].map((id) => [shortId(id), id]));
  return questions.map((q) => {
    const id = q.article_id === undefined ? undefined : byShortId.get(q.article_id);
    return id === undefined ? q : { ...q, article_id: id };
  });
}

export async function readJsonl<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

/** SQuAD's normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function f1Of(prediction: string, truth: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const t = normalizeAnswer(truth).split(' ').filter(Boolean);
  const counts = new Map<string, number>();
  for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of p) {
    const left = counts.get(w) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(w, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / t.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Exact match and F1 of an answer line against the gold answers (best over them); no answer line scores 0. */
export function answerScores(prediction: string | undefined, answers: string[]): { em: number; f1: number } {
  if (!prediction || answers.length === 0) return { em: 0, f1: 0 };
  return {
    em: Math.max(...answers.map((a) => (normalizeAnswer(a) === normalizeAnswer(prediction) ? 1 : 0))),
    f1: Math.max(...answers.map((a) => f1Of(prediction, a))),
  };
}

/** Numbers in [0, 1) from a seed, the same every run (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fold of each item for cross-validation: its position after a seeded Fisher-Yates shuffle, mod `folds`. */
export function seededFolds(count: number, folds: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fold = new Array<number>(count);
  order.forEach((item, position) => (fold[item] = position % folds));
  return fold;
}

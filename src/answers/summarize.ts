/**
 * Extractive summaries: sentences ranked by centrality (continuous LexRank, Erkan & Radev 2004)
 * over their embeddings, blended with a lead-position prior, near-duplicates dropped, and the
 * chosen sentences returned in article order.
 */

export interface SummaryOptions {
  sentences: number;
  /** Weight of the lead prior against centrality (0..1). */
  leadWeight?: number;
}

const DAMPING = 0.85;
const ITERATIONS = 40;
const NEAR_DUPLICATE = 0.9;
const MIN_WORDS = 6;
/**
 * Tuned on the dev split (README, "Summaries"): centrality alone scores well below LEAD-3 on
 * news; a lead prior decaying over about three sentences, weighted 0.7, and a penalty on
 * sentences under 15 words beat it on ROUGE-1, -2 and -L.
 */
export const DEFAULT_LEAD_WEIGHT = 0.7;
const LEAD_DECAY = 3;
const FULL_LENGTH_WORDS = 15;

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** LexRank scores (stationary distribution of the similarity graph), scaled so the best is 1. */
export function centrality(vectors: Float32Array[]): number[] {
  const n = vectors.length;
  if (n === 0) return [];
  const weights = vectors.map((a, i) => vectors.map((b, j) => (i === j ? 0 : Math.max(0, dot(a, b)))));
  const rowSums = weights.map((row) => row.reduce((s, x) => s + x, 0));
  let rank = new Array<number>(n).fill(1 / n);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = new Array<number>(n).fill((1 - DAMPING) / n);
    for (let i = 0; i < n; i++) {
      if (rowSums[i] === 0) {
        for (let j = 0; j < n; j++) next[j]! += (DAMPING * rank[i]!) / n;
        continue;
      }
      for (let j = 0; j < n; j++) next[j]! += (DAMPING * rank[i]! * weights[i]![j]!) / rowSums[i]!;
    }
    rank = next;
  }
  const best = Math.max(...rank);
  return rank.map((r) => r / best);
}

/** Indices of the sentences to keep, in article order. */
export function selectSentences(sentences: string[], vectors: Float32Array[], options: SummaryOptions): number[] {
  const leadWeight = options.leadWeight ?? DEFAULT_LEAD_WEIGHT;
  const central = centrality(vectors);
  const scores = sentences.map((sentence, i) => {
    const lead = Math.exp(-i / LEAD_DECAY);
    const length = Math.min(1, sentence.split(/\s+/).length / FULL_LENGTH_WORDS);
    return ((1 - leadWeight) * central[i]! + leadWeight * lead) * length;
  });
  const order = sentences.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const chosen: number[] = [];
  const eligible = (i: number) => sentences[i]!.split(/\s+/).length >= MIN_WORDS && !sentences[i]!.trim().endsWith('?');
  for (const pass of [eligible, () => true]) {
    for (const i of order) {
      if (chosen.length >= options.sentences) break;
      if (chosen.includes(i) || !pass(i)) continue;
      if (chosen.some((j) => dot(vectors[i]!, vectors[j]!) > NEAR_DUPLICATE)) continue;
      chosen.push(i);
    }
  }
  return chosen.sort((a, b) => a - b);
}

/**
 * How sure an answer is, in three steps rather than a wall: the articles answer it (an answer
 * line when the answer is a name, place, date or number), they relate to it (the closest passages,
 * labelled as such), or they say nothing about it (a plain refusal). Refusing a question the
 * articles answer is the worst outcome, so refusal needs the strongest evidence of all.
 */
import { rankScore, type Candidate, type RankWeights } from './rank.js';

/**
 * Thresholds, chosen by cross-validation on the dev quiz, the off-topic (SQuAD) questions and the
 * everyday set, asked of the dev corpus and of the seed article alone (README, "Evaluation").
 * Lexical evidence (the best paragraph's raw BM25 in units of the corpus's mean idf) is in the
 * grid; cross-validation now weighs it 0, leaving coverage weighted by general English rarity,
 * which means the same on a corpus of one article or of a million.
 */
export const CONFIDENCE = {
  /** Relatedness is lexical evidence times `lexicalWeight` plus the best coverage of the question's words times `coverageWeight`. */
  lexicalWeight: 0,
  coverageWeight: 6,
  /** Below this relatedness, nothing in the articles relates: a refusal. */
  related: 2.8,
  /** Without an answer line, the first passage must cover this share of the question (near-synonyms included) to answer it. */
  answerSoft: 0.8,
};

export type Verdict = 'answer' | 'related' | 'off-topic';

/** How many of the best candidates are looked at for evidence. */
const EVIDENCE_DEPTH = 10;

/**
 * Lexical evidence separates the quiz's long questions from off-topic ones (AUC 0.98 on dev);
 * the best coverage of the question's words separates everyday short questions from them (0.91),
 * with a word that no article uses weighing as much as the rarest word.
 */
export function evidenceOf(ranked: readonly Candidate[], meanIdf: number): { lexical: number; coverage: number; topSoft: number } {
  const top = ranked.slice(0, EVIDENCE_DEPTH);
  return {
    lexical: Math.max(0, ...top.map((c) => c.hit.bm25)) / meanIdf,
    coverage: Math.max(0, ...top.map((c) => c.coverage.generalSoft)),
    topSoft: ranked[0]?.coverage.soft ?? 0,
  };
}

export function judge(ranked: readonly Candidate[], meanIdf: number, thresholds = CONFIDENCE): Verdict {
  if (ranked.length === 0) return 'off-topic';
  const evidence = evidenceOf(ranked, meanIdf);
  if (thresholds.lexicalWeight * evidence.lexical + thresholds.coverageWeight * evidence.coverage < thresholds.related) return 'off-topic';
  return evidence.topSoft >= thresholds.answerSoft ? 'answer' : 'related';
}

/** Titles and honorifics that the answer line leaves out ("Admiral Igor Kostyukov" → "Igor Kostyukov"). */
const LEADING_TITLE = /^(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?|Admiral|General|President|Prime Minister|Senator|Governor|Judge)\s+/;

/** What predicts that the first passage's best answer is right (see `LINE_MODEL`). */
export interface LineEvidence {
  /** Coverage of the question by the words around the answer. */
  context: number;
  /** Share of the article's paragraphs that mention it. */
  salience: number;
  /** Its context less the next answer's in the same passage: one clear answer, not a list. */
  margin: number;
  /** The first passage's ranking score less the second's. */
  gap: number;
  /** How well it counts what a "how many" question counts (1 otherwise). */
  fit: number;
}

export const LINE_FEATURES = ['context', 'salience', 'margin', 'gap', 'fit'] as const;

/**
 * A logistic model of the probability that the answer line is right, fitted by `npm run eval --
 * --cv` on the dev quiz, the everyday questions and the questions the articles do not answer
 * (README, "Evaluation"); the line is shown above `threshold`, the probability at which a line
 * costs less than none under the evaluation's costs (a wrong line costs twice a missing one).
 */
export const LINE_MODEL: LineModel = {
  weights: { context: 3.509, salience: 0.548, margin: 1.395, gap: 6.383, fit: 1.457 },
  bias: -4.133,
  threshold: 0.58,
};

export interface LineModel {
  weights: Record<(typeof LINE_FEATURES)[number], number>;
  bias: number;
  threshold: number;
}

/** The first passage's best answer with the evidence for it, if it has one. */
export function lineEvidence(ranked: readonly Candidate[], weights?: RankWeights): { text: string; evidence: LineEvidence } | undefined {
  const [first, second] = ranked;
  const best = first?.answers[0];
  if (!first || !best) return undefined;
  return {
    text: best.text,
    evidence: {
      context: best.context,
      salience: best.salience,
      margin: best.context - (first.answers[1]?.context ?? 0),
      gap: second ? rankScore(first.features, weights) - rankScore(second.features, weights) : 1,
      fit: best.fit,
    },
  };
}

export function lineProbability(evidence: LineEvidence, model: LineModel = LINE_MODEL): number {
  let z = model.bias;
  for (const feature of LINE_FEATURES) z += model.weights[feature] * evidence[feature];
  return 1 / (1 + Math.exp(-z));
}

/**
 * The answer line: the expected-type answer of the first passage, shown only when the model
 * above says it is more likely right than not by the costs' margin. None otherwise: a wrong bold
 * answer is worse than none.
 */
export function chooseAnswer(ranked: readonly Candidate[], model: LineModel = LINE_MODEL, weights?: RankWeights): string | undefined {
  const found = lineEvidence(ranked, weights);
  if (!found || lineProbability(found.evidence, model) < model.threshold) return undefined;
  return found.text.replace(LEADING_TITLE, '').trim() || undefined;
}

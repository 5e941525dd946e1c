/**
 * How sure an answer is, in three steps rather than a wall: the articles answer it (an answer
 * line when the answer is a name, place, date or number), they relate to it (the closest passages,
 * labelled as such), or they say nothing about it (a plain refusal). Refusing a question the
 * articles answer is the worst outcome, so refusal needs the strongest evidence of all.
 */
import { ANSWER_CHOICE, preferredAnswers, rankScore, type Answer as RankedAnswer, type Candidate, type RankWeights } from './rank.js';

/** What tells a question the articles relate to from one about something else (see `CONFIDENCE.related`). */
export interface Evidence {
  /**
   * The best passage's share of the question's words, near-synonyms counted by their similarity,
   * each word weighted by its rarity in general English rather than in the articles: the same on
   * a corpus of one article or of a million.
   */
  coverage: number;
  /** The first passage's coverage of the question, near-synonyms included (weighted by idf in the articles). */
  topSoft: number;
  /** The best passage's `anchor`: the rarest question word it holds exactly, against the rarest of all, by rarity in general English. */
  anchor: number;
}

export const RELATED_FEATURES = ['coverage', 'anchor'] as const;

export interface LogisticModel<F extends string> {
  weights: Record<F, number>;
  bias: number;
  threshold: number;
}

/**
 * Chosen by 5-fold cross-validation (`npm run eval -- --cv`) on the dev quiz, the off-topic (SQuAD)
 * questions and the everyday set, asked of the dev corpus and of the seed article alone (README,
 * "Evaluation"). `related` is a logistic model of "the articles relate to this question"; below its
 * threshold the question is refused. Its evidence: the coverage, and the anchor (the question's
 * rare words held exactly). Raw BM25 in units of the corpus's mean idf, the best cosine, the best
 * article's coverage and the share of the question held exactly were measured as further evidence:
 * each refused short everyday questions on the seed alone ("what time did the putin sitdown kick
 * off") to refuse more off-topic ones.
 */
export const CONFIDENCE: { related: LogisticModel<(typeof RELATED_FEATURES)[number]>; answerSoft: number } = {
  related: { weights: { coverage: 9.108, anchor: 2.37 }, bias: -7.715, threshold: 0.15 },
  /** Without an answer line, the first passage must cover this share of the question (near-synonyms included) to answer it. */
  answerSoft: 0.55,
};

export type Verdict = 'answer' | 'related' | 'off-topic';

/** How many of the best candidates are looked at for evidence. */
const EVIDENCE_DEPTH = 10;

export function evidenceOf(ranked: readonly Candidate[]): Evidence {
  return {
    coverage: Math.max(0, ...ranked.slice(0, EVIDENCE_DEPTH).map((c) => c.coverage.generalSoft)),
    topSoft: ranked[0]?.coverage.soft ?? 0,
    anchor: Math.max(0, ...ranked.slice(0, EVIDENCE_DEPTH).map((c) => c.coverage.anchor)),
  };
}

export function probability<F extends string>(model: LogisticModel<F>, values: Record<F, number>): number {
  let z = model.bias;
  for (const feature in model.weights) z += model.weights[feature] * values[feature];
  return 1 / (1 + Math.exp(-z));
}

export function judge(ranked: readonly Candidate[], evidence: Evidence, thresholds = CONFIDENCE): Verdict {
  if (ranked.length === 0 || probability(thresholds.related, evidence) < thresholds.related.threshold) return 'off-topic';
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
  /** Its context less the best rival's in the same passage, a rival counting as well as it fits the kind asked (see `rivalry`): one clear answer, not a list. */
  margin: number;
  /** The first passage's ranking score less the second's. */
  gap: number;
  /** How well it counts what a "how many" question counts (1 otherwise). */
  fit: number;
  /** The first passage's share of the question by the words' rarity in its article: a passage without the question's "women" answers another contest. */
  local: number;
  /** Its context by the question's own words and their WordNet synonyms alone (see `Answer.firm`). */
  firm: number;
}

export const LINE_FEATURES = ['context', 'salience', 'margin', 'gap', 'fit', 'local', 'firm'] as const;

/**
 * A logistic model of the probability that the answer line is right, fitted by `npm run eval --
 * --cv` on the dev quiz, the everyday questions and the questions the articles do not answer
 * (README, "Evaluation"); the line is shown above `threshold`, the probability at which a line
 * costs less than none under the evaluation's costs (a wrong line costs twice a missing one).
 */
export const LINE_MODEL: LineModel = {
  weights: { context: -2.092, salience: 0.259, margin: 1.706, gap: 3.914, fit: 2.403, local: 2.057, firm: 5.142 },
  bias: -5.596,
  threshold: 0.65,
};

export type LineModel = LogisticModel<(typeof LINE_FEATURES)[number]>;

/** The first passage's best answer with the evidence for it, if it has one. */
export function lineEvidence(ranked: readonly Candidate[], weights?: RankWeights, salience = ANSWER_CHOICE.salience): { text: string; evidence: LineEvidence } | undefined {
  const [first, second] = ranked;
  if (!first) return undefined;
  const [best, ...others] = preferredAnswers(first.answers, salience);
  if (!best) return undefined;
  return {
    text: best.text,
    evidence: {
      context: best.context,
      salience: best.salience,
      margin: best.context - Math.max(0, ...others.map((other) => other.context * rivalry(other, best))),
      gap: second ? rankScore(first.features, weights) - rankScore(second.features, weights) : 1,
      fit: best.fit,
      local: first.features.local,
      firm: best.firm,
    },
  };
}

/** How much another candidate competes with the best: in full when it fits the kind asked as well, not at all when it is of another kind ("Russia" for "which city"). */
function rivalry(other: RankedAnswer, best: RankedAnswer): number {
  return best.fit > 0 ? Math.min(1, other.fit / best.fit) : 1;
}

/**
 * The answer line: the expected-type answer of the first passage, shown only when the model
 * above says it is more likely right than not by the costs' margin. None otherwise: a wrong bold
 * answer is worse than none.
 */
export function chooseAnswer(ranked: readonly Candidate[], model: LineModel = LINE_MODEL, weights?: RankWeights): string | undefined {
  const found = lineEvidence(ranked, weights);
  if (!found || probability(model, found.evidence) < model.threshold) return undefined;
  return found.text.replace(LEADING_TITLE, '').trim() || undefined;
}

/**
 * How sure an answer is, in three steps rather than a wall: the articles answer it (an answer
 * line when the answer is a name, place, date or number), they relate to it (the closest passages,
 * labelled as such), or they say nothing about it (a plain refusal). Refusing a question the
 * articles answer is the worst outcome, so refusal needs the strongest evidence of all.
 */
import type { Candidate } from './rank.js';

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
  answerSoft: 0.75,
  /** The question's words around an answer must cover this share of it for the answer line. */
  lineContext: 0.53,
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

/**
 * The answer line: the expected-type answer of the first passage with the question's words
 * closest around it, shown only when they match enough of the question (`lineContext`). None
 * otherwise: a wrong bold answer is worse than none. Answers of the second and third passages were
 * measured too; they are right far less often (24% and 7% on the everyday questions, against 60%).
 */
export function chooseAnswer(ranked: readonly Candidate[], thresholds = CONFIDENCE): string | undefined {
  const best = ranked[0]?.answers[0];
  if (!best || best.context < thresholds.lineContext) return undefined;
  return best.text.replace(LEADING_TITLE, '').trim() || undefined;
}

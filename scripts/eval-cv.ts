/**
 * 5-fold cross-validation of the ranking weights (`RANK_WEIGHTS`) and the confidence thresholds
 * (`CONFIDENCE`): for each fold, the grid point that does best on the other four folds is scored
 * on the held-out fold. Candidates and their features are computed once per question.
 */
import { CONFIDENCE, judge, LINE_FEATURES, lineEvidence, probability, RELATED_FEATURES, type Evidence, type LineEvidence, type LineModel, type Verdict } from '../src/answers/confidence.js';
import { answerScores, seededFolds } from './eval-data.js';
import { preferredAnswers, rankScore, type Candidate, type RankWeights } from '../src/answers/rank.js';

export interface Question {
  id?: string;
  question: string;
  answers: string[];
  answerable: boolean;
  /** A question about something else entirely (the SQuAD questions): it should be refused. */
  off_topic?: boolean;
  article_id?: string;
  question_date?: string;
  as_of?: string;
  type?: string;
}

export interface Asked {
  question: Question;
  /** What its confidence is judged by (the evidence of the hybrid ranking's candidates). */
  evidence: Evidence;
  /** In the hybrid retrieval's order, with their features. */
  candidates: Candidate[];
  paragraphText(row: number): string;
  articleOf(row: number): string;
}

const FOLDS = 5;
/**
 * The ranking's CV figures are the mean over this many partitions into folds: with 77 quiz
 * questions one fold's choice can flip between two far-apart grid points that do equally well on
 * its other four folds, which moved a single partition's quiz Hit@1 by 0.04 for changes that left
 * every in-sample figure as it was.
 */
const RANK_REPEATS = 5;
/**
 * The weights tried. Salience and the paragraph's share of the question (`synonyms`) were
 * measured over wider grids in earlier rounds and always chosen at 0, recency always at 0.4;
 * their grids are kept short so that the search stays within a few minutes.
 */
const GRID = {
  recent: [0, 0.2, 0.4],
  typed: [0, 0.05, 0.1, 0.2, 0.4],
  salience: [0],
  synonyms: [0],
  context: [0, 0.05, 0.1, 0.2, 0.4],
  dense: [0, 0.02, 0.04, 0.08, 0.12, 0.16, 0.24, 0.32],
  local: [0, 0.05, 0.1, 0.2, 0.4],
};
const ANSWER_SOFT = range(0.3, 0.9, 0.05);
/** Weights of salience in the answer line's choice among a passage's candidates (`ANSWER_CHOICE`). */
const CHOICE_SALIENCE = [0, 0.1, 0.2, 0.3, 0.5, 0.8];
const PROBABILITIES = range(0.02, 0.9, 0.01);
/** L2 penalty of the logistic models (on standardised features). */
const L2 = 0.01;
/**
 * What each mistake costs when choosing thresholds: refusing a question the articles answer is the
 * worst, an answer line on a question they do not answer the second worst.
 */
const COST = { answerableRefused: 30, offTopicAnswered: 2, lineWithoutAnswer: 3, answerableWithoutLine: 1, wrongLine: 2 };

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let x = from; x <= to + 1e-9; x += step) values.push(Math.round(x * 100) / 100);
  return values;
}

function reranked(asked: Asked, weights: RankWeights): Candidate[] {
  return asked.candidates
    .map((c) => ({ c, s: rankScore(c.features, weights) }))
    .sort((a, b) => b.s - a.s)
    .map(({ c }) => c);
}

/** Rank (0-based) of the first candidate holding an answer (in the question's article, when it names one); -1 when none. */
function firstHit(asked: Asked, ranking: Candidate[]): number {
  const { answers, article_id } = asked.question;
  return ranking.slice(0, 10).findIndex((c) => {
    if (article_id && asked.articleOf(c.hit.row) !== article_id) return false;
    const text = asked.paragraphText(c.hit.row).toLowerCase();
    return answers.some((a) => text.includes(a.toLowerCase()));
  });
}

interface RankFigures {
  hit_at_1: number;
  hit_at_5: number;
  mrr_at_10: number;
}

function rankFigures(questions: Asked[], weightsOf: (i: number) => RankWeights): RankFigures {
  let h1 = 0;
  let h5 = 0;
  let rr = 0;
  questions.forEach((q, i) => {
    const first = firstHit(q, reranked(q, weightsOf(i)));
    if (first === 0) h1 += 1;
    if (first >= 0 && first < 5) h5 += 1;
    if (first >= 0) rr += 1 / (first + 1);
  });
  const n = Math.max(1, questions.length);
  return { hit_at_1: r3(h1 / n), hit_at_5: r3(h5 / n), mrr_at_10: r3(rr / n) };
}

const RANK_AXES = ['recent', 'typed', 'salience', 'synonyms', 'context', 'dense', 'local'] as const;

/**
 * Each grid point's weights, and each question's reciprocal rank of its first hit under them (0
 * for none in the first 10), computed once: each fold's choice then only adds them up.
 */
interface GridRanks {
  points: RankWeights[];
  /** `reciprocal[p][q]`, for the questions in the order given. */
  reciprocal: Float64Array[];
}

function gridRanks(questions: Asked[]): GridRanks {
  // The last axis varies fastest.
  const points = RANK_AXES.reduce<Partial<RankWeights>[]>((partial, axis) => partial.flatMap((w) => GRID[axis].map((v) => ({ ...w, [axis]: v }))), [{}]) as RankWeights[];
  const reciprocal = points.map((weights) =>
    Float64Array.from(questions, (q) => {
      const first = firstHit(q, reranked(q, weights));
      return first >= 0 ? 1 / (first + 1) : 0;
    }),
  );
  return { points, reciprocal };
}

/**
 * The grid point with the best MRR@10 (to three decimals, the first of equals) over the questions
 * `members` (indices into the grid's questions), the quiz and the everyday questions weighing the
 * same (otherwise the larger set alone would choose: the product serves both kinds of question).
 */
function bestWeights(grid: GridRanks, members: readonly number[], isQuiz: readonly boolean[]): RankWeights {
  const sets = [members.filter((q) => isQuiz[q]), members.filter((q) => !isQuiz[q])].filter((set) => set.length > 0);
  let best = grid.points[0]!;
  let bestScore = -1;
  grid.reciprocal.forEach((rr, p) => {
    const score = sets.reduce((sum, set) => sum + r3(set.reduce((total, q) => total + rr[q]!, 0) / set.length), 0) / sets.length;
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = grid.points[p]!;
    }
  });
  return best;
}

type Thresholds = typeof CONFIDENCE;

interface Judged {
  evidence: Evidence;
  answers: string[];
  answerable: boolean;
  onTopic: boolean;
  ranking: Candidate[];
}

function cost(items: Judged[], thresholds: Thresholds): number {
  let total = 0;
  for (const item of items) {
    const verdict: Verdict = judge(item.ranking, item.evidence, thresholds);
    if (item.answerable && verdict === 'off-topic') total += COST.answerableRefused;
    if (item.answerable && verdict === 'related') total += COST.answerableWithoutLine;
    // An off-topic question is charged for not being refused, whichever way it is labelled.
    if (!item.answerable && item.onTopic && verdict === 'answer') total += COST.lineWithoutAnswer;
    if (!item.onTopic && verdict !== 'off-topic') total += COST.offTopicAnswered;
  }
  return total;
}

/**
 * The relatedness model (logistic, "the articles relate to this question", fitted on every question
 * that is not off-topic against the off-topic ones), then its threshold and `answerSoft` of least cost.
 */
function bestThresholds(items: Judged[]): Thresholds {
  const weights = fitLogistic(
    items.map((item) => RELATED_FEATURES.map((f) => item.evidence[f])),
    items.map((item) => (item.onTopic ? 1 : 0)),
  );
  const fitted = { weights: Object.fromEntries(RELATED_FEATURES.map((f, j) => [f, weights.w[j]!])) as Thresholds['related']['weights'], bias: weights.b };
  let best: Thresholds = { ...CONFIDENCE };
  let bestCost = Infinity;
  for (const threshold of PROBABILITIES)
    for (const answerSoft of ANSWER_SOFT) {
      const thresholds = { related: { ...fitted, threshold }, answerSoft };
      const c = cost(items, thresholds);
      if (c < bestCost) {
        bestCost = c;
        best = thresholds;
      }
    }
  return best;
}

/**
 * Logistic regression by gradient descent on standardised features with a small L2 penalty;
 * the weights are returned in raw units, rounded.
 */
function fitLogistic(rows: number[][], labels: number[]): { w: number[]; b: number } {
  const width = rows[0]?.length ?? 0;
  const n = Math.max(1, rows.length);
  const mean = Array.from({ length: width }, (_, j) => rows.reduce((sum, row) => sum + row[j]!, 0) / n);
  const spread = Array.from({ length: width }, (_, j) => Math.sqrt(rows.reduce((sum, row) => sum + (row[j]! - mean[j]!) ** 2, 0) / n) || 1);
  const z = rows.map((row) => row.map((x, j) => (x - mean[j]!) / spread[j]!));
  const w = new Array<number>(width).fill(0);
  let b = 0;
  for (let step = 0; step < 3000; step++) {
    const gradient = new Array<number>(width).fill(0);
    let gradientB = 0;
    z.forEach((row, i) => {
      const error = 1 / (1 + Math.exp(-(b + row.reduce((sum, x, j) => sum + x * w[j]!, 0)))) - labels[i]!;
      row.forEach((x, j) => (gradient[j]! += error * x));
      gradientB += error;
    });
    w.forEach((_, j) => (w[j]! -= 0.5 * (gradient[j]! / n + L2 * w[j]!)));
    b -= (0.5 * gradientB) / n;
  }
  return { w: w.map((x, j) => r3(x / spread[j]!)), b: r3(b - w.reduce((sum, x, j) => sum + (x * mean[j]!) / spread[j]!, 0)) };
}

/** A question's answer line, whether it would be right, and the evidence the line model weighs. */
interface LineItem {
  answerable: boolean;
  /** About something the articles cover (the quiz and the everyday questions), not a SQuAD question. */
  onTopic: boolean;
  /** Refused as off-topic (by the thresholds of its fold): no line is shown whatever the model says. */
  refused: boolean;
  found?: { text: string; evidence: LineEvidence };
  right: boolean;
}

/** Whether the first passage's preferred candidate, with this weight of salience, answers the question. */
function choiceRight(item: Judged, salience: number): boolean {
  const best = item.ranking[0] && preferredAnswers(item.ranking[0].answers, salience)[0];
  return Boolean(best && answerScores(best.text, item.answers).f1 >= 0.5);
}

/** The weight of salience that makes the answer line's candidate right most often (ties: the smaller weight). */
function bestChoice(items: Judged[]): number {
  const answerable = items.filter((item) => item.answerable);
  let best = 0;
  let bestRight = -1;
  for (const salience of CHOICE_SALIENCE) {
    const right = answerable.filter((item) => choiceRight(item, salience)).length;
    if (right > bestRight) {
      bestRight = right;
      best = salience;
    }
  }
  return best;
}

function lineItemsOf(items: Judged[], weights: RankWeights, thresholdsOf: (i: number) => Thresholds, salienceOf: (i: number) => number): LineItem[] {
  return items.map((item, i) => {
    const found = lineEvidence(item.ranking, weights, salienceOf(i));
    const refused = judge(item.ranking, item.evidence, thresholdsOf(i)) === 'off-topic';
    return { answerable: item.answerable, onTopic: item.onTopic, refused, ...(found ? { found } : {}), right: Boolean(found && item.answerable && answerScores(found.text, item.answers).f1 >= 0.5) };
  });
}

const shows = (item: LineItem, model: LineModel) => Boolean(!item.refused && item.found && probability(model, item.found.evidence) >= model.threshold);

function lineCost(items: LineItem[], model: LineModel): number {
  let total = 0;
  for (const item of items) {
    if (!shows(item, model)) total += item.answerable ? COST.answerableWithoutLine : 0;
    else if (!item.answerable) total += COST.lineWithoutAnswer;
    else if (!item.right) total += COST.wrongLine;
  }
  return total;
}

/**
 * Logistic regression of "the line is right" on the evidence (gradient descent on standardised
 * features with a small L2 penalty, returned in raw units), then the threshold of least cost.
 */
function fitLine(items: LineItem[]): LineModel {
  const withEvidence = items.filter((item) => item.found && !item.refused);
  const fitted = fitLogistic(
    withEvidence.map((item) => LINE_FEATURES.map((f) => item.found!.evidence[f])),
    withEvidence.map((item) => (item.right ? 1 : 0)),
  );
  const weights = Object.fromEntries(LINE_FEATURES.map((f, j) => [f, fitted.w[j]!])) as LineModel['weights'];
  let best: LineModel = { weights, bias: fitted.b, threshold: 0.5 };
  let bestCost = Infinity;
  for (const threshold of PROBABILITIES) {
    const c = lineCost(items, { weights, bias: fitted.b, threshold });
    if (c < bestCost) {
      bestCost = c;
      best = { weights, bias: fitted.b, threshold };
    }
  }
  return best;
}

function lineRates(items: LineItem[], judged: Judged[], modelOf: (i: number) => LineModel) {
  let answerable = 0;
  let em = 0;
  let f1 = 0;
  let shown = 0;
  let right = 0;
  let unanswerable = 0;
  let unLines = 0;
  let onTopicUnanswerable = 0;
  let onTopicUnLines = 0;
  items.forEach((item, i) => {
    const show = shows(item, modelOf(i));
    if (item.answerable) {
      answerable += 1;
      if (show) {
        shown += 1;
        const s = answerScores(item.found!.text, judged[i]!.answers);
        em += s.em;
        f1 += s.f1;
        if (item.right) right += 1;
      }
    } else {
      unanswerable += 1;
      if (show) unLines += 1;
      if (item.onTopic) {
        onTopicUnanswerable += 1;
        if (show) onTopicUnLines += 1;
      }
    }
  });
  return {
    answer_em: r3(em / answerable),
    answer_f1: r3(f1 / answerable),
    lines_shown: r3(shown / answerable),
    lines_right: r3(right / Math.max(1, shown)),
    unanswerable_lines: r3(unLines / Math.max(1, unanswerable)),
    on_topic_unanswerable_lines: r3(onTopicUnLines / Math.max(1, onTopicUnanswerable)),
  };
}

function verdictRates(items: Judged[], thresholdsOf: (i: number) => Thresholds) {
  const count = { answerable: 0, answerableRefused: 0, answerableAnswered: 0, offTopic: 0, offTopicRefused: 0, unanswerable: 0, unanswerableLine: 0 };
  items.forEach((item, i) => {
    const verdict = judge(item.ranking, item.evidence, thresholdsOf(i));
    if (item.answerable) {
      count.answerable += 1;
      if (verdict === 'off-topic') count.answerableRefused += 1;
      if (verdict === 'answer') count.answerableAnswered += 1;
    } else if (!item.onTopic) {
      count.offTopic += 1;
      if (verdict === 'off-topic') count.offTopicRefused += 1;
    } else {
      count.unanswerable += 1;
      if (verdict === 'answer') count.unanswerableLine += 1;
    }
  });
  const rate = (a: number, b: number) => r3(a / Math.max(1, b));
  return {
    answerable_refused: rate(count.answerableRefused, count.answerable),
    answerable_confident: rate(count.answerableAnswered, count.answerable),
    off_topic_refused: rate(count.offTopicRefused, count.offTopic),
    unanswerable_confident: rate(count.unanswerableLine, count.unanswerable),
  };
}

/**
 * `small`: the seed article alone, asked its everyday questions and the off-topic ones, so that
 * the confidence rule is chosen to hold on a corpus of one article as on the dev corpus.
 */
/**
 * `foldSeed` shuffles the questions into the confidence and answer-line folds (7 unless given):
 * their thresholds move with a few questions, so a change is judged over several seeds
 * (`npm run eval -- --cv --cv-seed 11`), as repeated cross-validation.
 */
export function crossValidate(sets: { quiz: Asked[]; offTopic: Asked[]; everyday: Asked[]; small: Asked[] }, foldSeed = 7) {
  const answerable = [...sets.quiz, ...sets.everyday.filter((q) => q.question.answerable)];
  const isQuiz = new Set(sets.quiz);
  const grid = gridRanks(answerable);
  const quizFlags = answerable.map((q) => isQuiz.has(q));
  const indices = answerable.map((_, i) => i);
  const partitions = Array.from({ length: RANK_REPEATS }, (_, r) => seededFolds(answerable.length, FOLDS, 20261126 + r));
  const chosenBy = partitions.map((fold) => Array.from({ length: FOLDS }, (_, f) => bestWeights(grid, indices.filter((i) => fold[i] !== f), quizFlags)));
  const chosen = chosenBy[0]!;
  const heldOut = (subset: Asked[]) =>
    meanFigures(partitions.map((fold, r) => rankFigures(subset, (i) => chosenBy[r]![fold[answerable.indexOf(subset[i]!)]!]!)));
  const zero = { recent: 0, typed: 0, salience: 0, synonyms: 0, context: 0, dense: 0, local: 0 };
  const onAll = bestWeights(grid, indices, quizFlags);
  const quiz = answerable.filter((q) => isQuiz.has(q));
  const everyday = answerable.filter((q) => !isQuiz.has(q));
  const ranking = {
    folds: chosen,
    chosen_on_all: onAll,
    quiz: { baseline: rankFigures(quiz, () => zero), cv: heldOut(quiz), in_sample: rankFigures(quiz, () => onAll) },
    everyday: { baseline: rankFigures(everyday, () => zero), cv: heldOut(everyday), in_sample: rankFigures(everyday, () => onAll) },
  };

  const judgedOf = (q: Asked): Judged => ({
    evidence: q.evidence,
    answers: q.question.answers,
    answerable: q.question.answerable,
    onTopic: !q.question.off_topic,
    ranking: reranked(q, onAll),
  });
  const large = [...answerable, ...sets.offTopic, ...sets.everyday.filter((q) => !q.question.answerable)].map(judgedOf);
  const small = sets.small.map(judgedOf);
  const judged: Judged[] = [...large, ...small];
  const judgedFold = seededFolds(judged.length, FOLDS, foldSeed);
  const chosenThresholds = Array.from({ length: FOLDS }, (_, f) => bestThresholds(judged.filter((_, i) => judgedFold[i] !== f)));
  const thresholdsOnAll = bestThresholds(judged);
  const choiceFolds = Array.from({ length: FOLDS }, (_, f) => bestChoice(judged.filter((_, i) => judgedFold[i] !== f)));
  const choiceOnAll = bestChoice(judged);
  const answerableJudged = judged.filter((item) => item.answerable);
  const choiceRate = (salienceOf: (item: Judged) => number) => r3(answerableJudged.filter((item) => choiceRight(item, salienceOf(item))).length / Math.max(1, answerableJudged.length));
  const choice = {
    folds: choiceFolds,
    chosen_on_all: choiceOnAll,
    cv: choiceRate((item) => choiceFolds[judgedFold[judged.indexOf(item)]!]!),
    in_sample: choiceRate(() => choiceOnAll),
    without_salience: choiceRate(() => 0),
  };
  const lineItems = lineItemsOf(judged, onAll, (i) => chosenThresholds[judgedFold[i]!]!, (i) => choiceFolds[judgedFold[i]!]!);
  const lineFolds = Array.from({ length: FOLDS }, (_, f) => fitLine(lineItems.filter((_, i) => judgedFold[i] !== f)));
  const lineOnAll = fitLine(lineItems);
  const lines = {
    folds: lineFolds,
    chosen_on_all: lineOnAll,
    cv: lineRates(lineItems, judged, (i) => lineFolds[judgedFold[i]!]!),
    in_sample: lineRates(lineItems, judged, () => lineOnAll),
  };
  const confidence = {
    folds: chosenThresholds,
    chosen_on_all: thresholdsOnAll,
    cv: verdictRates(judged, (i) => chosenThresholds[judgedFold[i]!]!),
    in_sample: verdictRates(judged, () => thresholdsOnAll),
    in_sample_dev_corpus: verdictRates(large, () => thresholdsOnAll),
    in_sample_seed_alone: verdictRates(small, () => thresholdsOnAll),
  };

  const text = [
    `Ranking weights, 5-fold CV over ${quiz.length} quiz and ${everyday.length} everyday answerable questions (objective: the mean of the two sets' MRR@10); CV figures are the mean over ${RANK_REPEATS} partitions into folds, the first partition's choices shown`,
    ...chosen.map((w, f) => `  fold ${f + 1}: ${JSON.stringify(w)}`),
    `  chosen on all: ${JSON.stringify(onAll)}`,
    '',
    `${'set'.padEnd(10)}${'figures'.padEnd(11)}${'hit@1'.padStart(8)}${'hit@5'.padStart(8)}${'mrr@10'.padStart(8)}`,
    ...(['quiz', 'everyday'] as const).flatMap((set) =>
      (['baseline', 'cv', 'in_sample'] as const).map(
        (kind) => `${set.padEnd(10)}${kind.padEnd(11)}${ranking[set][kind].hit_at_1.toFixed(3).padStart(8)}${ranking[set][kind].hit_at_5.toFixed(3).padStart(8)}${ranking[set][kind].mrr_at_10.toFixed(3).padStart(8)}`,
      ),
    ),
    '',
    `Confidence thresholds, 5-fold CV over ${judged.length} questions, ${small.length} of them against the seed article alone (costs ${JSON.stringify(COST)}; fold seed ${foldSeed})`,
    ...chosenThresholds.map((t, f) => `  fold ${f + 1}: ${JSON.stringify(t)}`),
    `  chosen on all: ${JSON.stringify(thresholdsOnAll)}`,
    `  cv:        ${JSON.stringify(confidence.cv)}`,
    `  in sample: ${JSON.stringify(confidence.in_sample)}`,
    `    of which the dev corpus: ${JSON.stringify(confidence.in_sample_dev_corpus)}`,
    `    and the seed article alone (${small.length} questions): ${JSON.stringify(confidence.in_sample_seed_alone)}`,
    '',
    `Answer choice: weight of salience (ANSWER_CHOICE), share of answerable questions whose first passage's preferred candidate is right`,
    `  folds: ${JSON.stringify(choice.folds)}; chosen on all: ${choice.chosen_on_all}`,
    `  cv: ${choice.cv}; in sample: ${choice.in_sample}; without salience: ${choice.without_salience}`,
    '',
    `Answer line (costs: wrong line ${COST.wrongLine}, line without an answer ${COST.lineWithoutAnswer}, no line ${COST.answerableWithoutLine})`,
    ...lines.folds.map((t, f) => `  fold ${f + 1}: ${JSON.stringify(t)}`),
    `  chosen on all: ${JSON.stringify(lines.chosen_on_all)}`,
    `  cv:        ${JSON.stringify(lines.cv)}`,
    `  in sample: ${JSON.stringify(lines.in_sample)}`,
    '',
  ];
  return { ranking, confidence, choice, lines, text: text.join('\n') };
}

function meanFigures(runs: RankFigures[]): RankFigures {
  const mean = (key: keyof RankFigures) => r3(runs.reduce((sum, run) => sum + run[key], 0) / runs.length);
  return { hit_at_1: mean('hit_at_1'), hit_at_5: mean('hit_at_5'), mrr_at_10: mean('mrr_at_10') };
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}


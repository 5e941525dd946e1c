/**
 * `npm run eval -- --dir <folder> --followups`: each quiz question asked in two steps, as people
 * do in a conversation. Its first half is asked alone; its second half is then asked as a
 * follow-up, with the first half (and the answer line it got) as context. The follow-up should
 * find the answer paragraph in its top 5 about as often as the whole question asked at once
 * (the goal: at most 0.05 below). The weight of the context is chosen by 5-fold CV over the
 * questions (`CONTEXT_WEIGHT` ships the value chosen on all of them).
 */
import type { Engine } from '../src/engine.js';
import { CONTEXT_WEIGHT } from '../src/answers/follow-up.js';
import { seededFolds } from './eval-data.js';
import type { Question } from './eval-cv.js';

/** Below 1: an earlier question counts less than the follow-up's own words. */
const WEIGHTS = [0.25, 0.5, 0.75, 0.9];
const FOLDS = 5;

/** The question's first and second halves, by words (the first half has the extra word). */
export function halves(question: string): [string, string] {
  const words = question.trim().split(/\s+/);
  const cut = Math.ceil(words.length / 2);
  return [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
}

export async function evaluateFollowUps(engine: Engine, quiz: Question[], asOf: (q: Question) => string | null, json: boolean): Promise<void> {
  const contains = (q: Question, text: string) => q.answers.some((a) => text.toLowerCase().includes(a.toLowerCase()));
  const rankIn = (q: Question, hits: Awaited<ReturnType<Engine['retrieve']>>) => hits.findIndex((h) => contains(q, h.paragraph.text));
  const rows: { whole: number; alone: number; byWeight: Map<number, number> }[] = [];
  for (const q of quiz) {
    const [first, second] = halves(q.question);
    const moment = asOf(q);
    const whole = rankIn(q, await engine.retrieve(q.question, 10, { asOf: moment }));
    const alone = rankIn(q, await engine.retrieve(second, 10, { asOf: moment }));
    const opening = await engine.ask(first, { asOf: moment });
    const turn = { question: first, ...(opening.kind === 'answer' && opening.answerLine ? { answerLine: opening.answerLine } : {}) };
    const byWeight = new Map<number, number>();
    for (const weight of WEIGHTS) byWeight.set(weight, rankIn(q, await engine.retrieve(second, 10, { asOf: moment, context: [turn], contextWeight: weight })));
    rows.push({ whole, alone, byWeight });
  }
  const within5 = (ranks: number[]) => round(ranks.filter((r) => r >= 0 && r < 5).length / Math.max(1, ranks.length));
  const mrr = (ranks: number[]) => ranks.reduce((sum, r) => sum + (r >= 0 ? 1 / (r + 1) : 0), 0);
  const fold = seededFolds(rows.length, FOLDS, 20261126);
  const best = (subset: typeof rows) =>
    WEIGHTS.reduce((a, b) => {
      const score = (w: number) => within5(subset.map((r) => r.byWeight.get(w)!)) * 1000 + mrr(subset.map((r) => r.byWeight.get(w)!));
      return score(b) > score(a) + 1e-9 ? b : a;
    });
  const chosen = Array.from({ length: FOLDS }, (_, f) => best(rows.filter((_, i) => fold[i] !== f)));
  const cvRanks = rows.map((r, i) => r.byWeight.get(chosen[fold[i]!]!)!);
  const figures = {
    questions: rows.length,
    whole_hit_at_5: within5(rows.map((r) => r.whole)),
    second_half_alone_hit_at_5: within5(rows.map((r) => r.alone)),
    follow_up_hit_at_5_cv: within5(cvRanks),
    follow_up_hit_at_5_by_weight: Object.fromEntries(WEIGHTS.map((w) => [w, within5(rows.map((r) => r.byWeight.get(w)!))])),
    folds: chosen,
    chosen_on_all: best(rows),
    shipped: CONTEXT_WEIGHT,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  process.stdout.write(
    [
      `Follow-ups: ${figures.questions} quiz questions, each asked as its first half, then its second half as a follow-up`,
      `  whole question at once, Hit@5:        ${figures.whole_hit_at_5}`,
      `  second half alone (no context):       ${figures.second_half_alone_hit_at_5}`,
      `  second half as a follow-up, CV:       ${figures.follow_up_hit_at_5_cv}   (context weight per fold: ${chosen.join(', ')}; on all: ${figures.chosen_on_all}; shipped: ${CONTEXT_WEIGHT})`,
      `  by context weight: ${WEIGHTS.map((w) => `${w} → ${figures.follow_up_hit_at_5_by_weight[w]}`).join(', ')}`,
      '',
    ].join('\n'),
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

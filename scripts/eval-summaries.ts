import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as rouge from 'js-rouge';
import { parseRecordFile } from '../src/articles/parse-records.js';
import { splitSentences } from '../src/articles/sentences.js';
import { DEFAULT_PARAMETERS, prepareArticle, selectPrepared, selectSentences, type PreparedArticle, type SummaryParameters } from '../src/answers/summarize.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { UserError } from '../src/errors.js';
import { words } from '../src/articles/terms.js';
import { seededFolds } from './eval-data.js';

interface Rouge {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

const METRICS = ['rouge1', 'rouge2', 'rougeL'] as const;

/** Sentences compared with the references: as many as LEAD-3, so the comparison is fair. */
const SUMMARY_SENTENCES = 3;

/** Cross-validation: folds, and the seed of the shuffle that assigns articles to them. */
const FOLDS = 5;
const FOLD_SEED = 20240611;

/**
 * The parameter grid searched on each training split: small on purpose (54 articles). Every
 * point with margin Infinity is LEAD-3 over prose sentences, so the search can always keep the lead.
 */
const GRID = {
  leadWeight: [0.25, 0.5, 0.75],
  leadDecay: [2, 4],
  margin: [0, 0.1, 0.2, 0.4, Infinity],
  fullLengthWords: [0, 15],
  skipNonProse: [false, true],
};

const tokenizer = (text: string) => words(text);
const segmenter = (text: string) => splitSentences(text).map((s) => s.text);

function scores(candidate: string, references: string[]): Rouge {
  const best = (f: (ref: string) => number) => Math.max(...references.map(f));
  return {
    rouge1: best((ref) => rouge.n(candidate, ref, { n: 1, tokenizer, caseSensitive: false })),
    rouge2: best((ref) => rouge.n(candidate, ref, { n: 2, tokenizer, caseSensitive: false })),
    rougeL: best((ref) => rouge.l(candidate, ref, { tokenizer, segmenter, caseSensitive: false })),
  };
}

interface EvalArticle {
  prepared: PreparedArticle;
  references: string[];
  lead3: Rouge;
  /** ROUGE of each distinct selection, by its indices: the grid repeats many selections. */
  cache: Map<string, Rouge>;
}

function scoreSelection(article: EvalArticle, chosen: number[]): Rouge {
  const key = chosen.join(',');
  let result = article.cache.get(key);
  if (!result) {
    result = scores(chosen.map((i) => article.prepared.sentences[i]).join(' '), article.references);
    article.cache.set(key, result);
  }
  return result;
}

function mean(rows: Rouge[]): Rouge {
  const total = { rouge1: 0, rouge2: 0, rougeL: 0 };
  for (const row of rows) for (const key of METRICS) total[key] += row[key] / rows.length;
  return total;
}

const round = (r: Rouge) => ({ rouge1: +r.rouge1.toFixed(4), rouge2: +r.rouge2.toFixed(4), rougeL: +r.rougeL.toFixed(4) });
const average = (r: Rouge) => (r.rouge1 + r.rouge2 + r.rougeL) / 3;

async function loadArticles(embedder: Embedder, file: string): Promise<EvalArticle[]> {
  if (!existsSync(file)) throw new UserError(`--dir: ${file} does not exist`);
  const content = await readFile(file, 'utf8');
  const references = content.split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { reference_summaries: string[] }).reference_summaries);
  const { articles } = parseRecordFile(content, file);
  const result: EvalArticle[] = [];
  for (const article of articles) {
    const refs = references[article.source.line! - 1]!;
    const sentences = article.paragraphs.flatMap((p) => segmenter(p));
    const prepared = prepareArticle(sentences, await embedder.embed(sentences));
    result.push({ prepared, references: refs, lead3: scores(sentences.slice(0, SUMMARY_SENTENCES).join(' '), refs), cache: new Map() });
  }
  return result;
}

/** ROUGE F1 of the summariser and of LEAD-3 on <dir>/summ.jsonl, best over references, averaged over articles. */
export async function evaluateSummaries(embedder: Embedder, file: string, json: boolean, cv = false): Promise<void> {
  const articles = await loadArticles(embedder, file);
  const defaults = mean(articles.map((a) => scoreSelection(a, selectSentences(a.prepared.sentences, a.prepared.vectors, { sentences: SUMMARY_SENTENCES }))));
  const lead3 = mean(articles.map((a) => a.lead3));
  const inSample = { summary: round(defaults), lead3: round(lead3) };
  if (!cv) {
    if (json) {
      process.stdout.write(`${JSON.stringify(inSample)}\n`);
      return;
    }
    console.log(`Articles: ${articles.length}, ${SUMMARY_SENTENCES} sentences each\n`);
    printTable([['summary', inSample.summary], ['lead3', inSample.lead3]]);
    return;
  }

  const grid = gridPoints();
  // perPoint[g][a]: ROUGE of grid point g on article a (selection depends on the parameters only).
  const perPoint = grid.map((parameters) => articles.map((a) => scoreSelection(a, selectPrepared(a.prepared, SUMMARY_SENTENCES, parameters))));
  const fold = seededFolds(articles.length, FOLDS, FOLD_SEED);
  const heldOut: Rouge[] = new Array<Rouge>(articles.length);
  const folds: { fold: number; articles: number; parameters: SummaryParameters; summary: Rouge; lead3: Rouge }[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const train = articles.map((_, i) => i).filter((i) => fold[i] !== f);
    const test = articles.map((_, i) => i).filter((i) => fold[i] === f);
    const best = choose(grid, perPoint, train, articles, fold);
    for (const i of test) heldOut[i] = perPoint[best]![i]!;
    folds.push({
      fold: f + 1,
      articles: test.length,
      parameters: grid[best]!,
      summary: round(mean(test.map((i) => heldOut[i]!))),
      lead3: round(mean(test.map((i) => articles[i]!.lead3))),
    });
  }
  const all = articles.map((_, i) => i);
  const chosenIndex = choose(grid, perPoint, all, articles, fold);
  const chosenOnAll = grid[chosenIndex]!;
  const leadProse = grid.findIndex((p) => p.margin === Infinity && p.skipNonProse);
  const result = {
    cv: { summary: round(mean(heldOut)), lead3: round(lead3) },
    folds: folds.map((f) => ({ ...f, parameters: describe(f.parameters) })),
    chosen_on_all: describe(chosenOnAll),
    defaults: describe(DEFAULT_PARAMETERS),
    in_sample: { ...inSample, chosen_on_all: round(mean(perPoint[chosenIndex]!)), lead3_prose: round(mean(perPoint[leadProse]!)) },
  };
  const cvGains = METRICS.every((k) => result.cv.summary[k] > result.cv.lead3[k]);
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`Articles: ${articles.length}, ${SUMMARY_SENTENCES} sentences each; ${FOLDS}-fold cross-validation (seed ${FOLD_SEED}), ${grid.length} grid points\n`);
  console.log('Cross-validated (each fold summarised with the parameters chosen on the other four):');
  printTable([['summary', result.cv.summary], ['lead3', result.cv.lead3]]);
  console.log('\nPer fold (held-out articles):');
  console.log(`${'fold'.padEnd(6)}${'n'.padStart(4)}  ${'summary R1/R2/RL'.padEnd(23)}${'lead3 R1/R2/RL'.padEnd(23)}parameters`);
  for (const f of result.folds) {
    const triple = (r: Rouge) => METRICS.map((k) => r[k].toFixed(4)).join('/');
    console.log(`${String(f.fold).padEnd(6)}${String(f.articles).padStart(4)}  ${triple(f.summary).padEnd(23)}${triple(f.lead3).padEnd(23)}${f.parameters}`);
  }
  console.log(`\nCross-validated summary above LEAD-3 on all three: ${cvGains ? 'yes' : 'no (the default should keep the lead: margin Infinity)'}`);
  console.log(`Chosen on all articles: ${result.chosen_on_all}`);
  console.log(`Defaults in summarize.ts: ${result.defaults}\n`);
  console.log('In-sample (defaults: summarize.ts as shipped; chosen: the point chosen on all articles; lead3-prose: the first 3 prose sentences):');
  printTable([['defaults', result.in_sample.summary], ['chosen', result.in_sample.chosen_on_all], ['lead3', result.in_sample.lead3], ['lead3-prose', result.in_sample.lead3_prose]]);
}

function printTable(columns: [string, Rouge][]): void {
  console.log(`${'metric'.padEnd(10)}${columns.map(([name]) => name.padStart(13)).join('')}`);
  for (const key of METRICS) console.log(`${key.padEnd(10)}${columns.map(([, r]) => String(+r[key].toFixed(4)).padStart(13)).join('')}`);
}

function gridPoints(): SummaryParameters[] {
  const points: SummaryParameters[] = [];
  for (const margin of GRID.margin) {
    for (const leadWeight of GRID.leadWeight) {
      for (const leadDecay of GRID.leadDecay) {
        for (const fullLengthWords of GRID.fullLengthWords) {
          for (const skipNonProse of GRID.skipNonProse) {
            // With no margin to beat, the scoring parameters do not matter: one point stands for all.
            if (margin === Infinity && points.some((p) => p.margin === Infinity && p.skipNonProse === skipNonProse)) continue;
            points.push({ leadWeight, leadDecay, margin, fullLengthWords, skipNonProse });
          }
        }
      }
    }
  }
  // Closest to LEAD-3 first (larger margins, then the lead as it stands): on a tie the search keeps it.
  return points.sort((a, b) => (a.margin === b.margin ? Number(a.skipNonProse) - Number(b.skipNonProse) : a.margin > b.margin ? -1 : 1));
}

/**
 * The grid point with the best mean of ROUGE-1, -2 and -L on the training articles, among those at
 * least as good as LEAD-3 on each of the three there; the lead (margin Infinity) when none is.
 */
function choose(grid: SummaryParameters[], perPoint: Rouge[][], train: number[], articles: EvalArticle[], fold: number[]): number {
  const groups = [...new Set(train.map((i) => fold[i]!))].map((f) => train.filter((i) => fold[i] === f));
  let best = grid.findIndex((p) => p.margin === Infinity && !p.skipNonProse);
  let bestScore = -Infinity;
  grid.forEach((_, g) => {
    const figures = mean(train.map((i) => perPoint[g]![i]!));
    const belowLead = (group: number[]) => {
      const own = mean(group.map((i) => perPoint[g]![i]!));
      const lead3 = mean(group.map((i) => articles[i]!.lead3));
      return METRICS.some((k) => own[k] < lead3[k] - 1e-12);
    };
    if (groups.some(belowLead)) return;
    if (average(figures) > bestScore + 1e-12) {
      best = g;
      bestScore = average(figures);
    }
  });
  return best;
}

function describe(p: SummaryParameters): string {
  const prose = p.skipNonProse ? ', skipNonProse' : '';
  if (p.margin === Infinity) return `margin Infinity (lead${prose})`;
  return `leadWeight ${p.leadWeight}, leadDecay ${p.leadDecay}, margin ${p.margin}, fullLengthWords ${p.fullLengthWords}${prose}`;
}

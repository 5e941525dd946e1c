import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as rouge from 'js-rouge';
import { parseRecordFile } from '../src/articles/parse-records.js';
import { splitSentences } from '../src/articles/sentences.js';
import { selectSentences } from '../src/answers/summarize.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { UserError } from '../src/errors.js';
import { words } from '../src/articles/terms.js';

interface Rouge {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

/** Sentences compared with the references: as many as LEAD-3, so the comparison is fair. */
const SUMMARY_SENTENCES = 3;

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

/** ROUGE F1 of the summariser and of LEAD-3 on <dir>/summ.jsonl, best over references, averaged over articles. */
export async function evaluateSummaries(embedder: Embedder, file: string, json: boolean): Promise<void> {
  if (!existsSync(file)) throw new UserError(`--dir: ${file} does not exist`);
  const content = await readFile(file, 'utf8');
  const references = content.split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { reference_summaries: string[] }).reference_summaries);
  const { articles } = parseRecordFile(content, file);
  const total = { summary: { rouge1: 0, rouge2: 0, rougeL: 0 }, lead3: { rouge1: 0, rouge2: 0, rougeL: 0 } };
  for (const article of articles) {
    const refs = references[article.source.line! - 1]!;
    const sentences = article.paragraphs.flatMap((p) => segmenter(p));
    const vectors = await embedder.embed(sentences);
    const chosen = selectSentences(sentences, vectors, { sentences: SUMMARY_SENTENCES });
    const summary = scores(chosen.map((i) => sentences[i]).join(' '), refs);
    const lead = scores(sentences.slice(0, SUMMARY_SENTENCES).join(' '), refs);
    for (const key of ['rouge1', 'rouge2', 'rougeL'] as const) {
      total.summary[key] += summary[key] / articles.length;
      total.lead3[key] += lead[key] / articles.length;
    }
  }
  const round = (r: Rouge) => ({ rouge1: +r.rouge1.toFixed(4), rouge2: +r.rouge2.toFixed(4), rougeL: +r.rougeL.toFixed(4) });
  const result = { summary: round(total.summary), lead3: round(total.lead3) };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`Articles: ${articles.length}, ${SUMMARY_SENTENCES} sentences each\n`);
  console.log(`${'metric'.padEnd(10)}${'summary'.padStart(10)}${'lead3'.padStart(10)}`);
  for (const key of ['rouge1', 'rouge2', 'rougeL'] as const) console.log(`${key.padEnd(10)}${String(result.summary[key]).padStart(10)}${String(result.lead3[key]).padStart(10)}`);
}

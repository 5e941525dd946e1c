/** Runs every pattern that reads article text or questions on one input, in a worker the test can stop. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { cleanQuestion, searchText } from '../src/answers/question.js';
import { answerType, measureOf } from '../src/answers/answer-type.js';
import { cleanBody, normaliseParagraph, splitParagraphs, titleFromLead } from '../src/articles/newswire.js';
import { parseJsonlFile, parseRecordFile } from '../src/articles/parse-records.js';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { escapeText } from '../src/discord/render.js';
import { splitSentences } from '../src/articles/sentences.js';
import { typedSpans } from '../src/articles/spans.js';
import { terms } from '../src/articles/terms.js';
import { extractPeople } from '../src/people/extract.js';

const input = workerData as string;

/** A parser's refusal ("no article text") is an answer too: only the time it takes matters here. */
function refusalIsAnAnswer(parse: () => unknown): unknown {
  try {
    return parse();
  } catch (error) {
    return error;
  }
}

/** The input as a `.jsonl` file: a record holding it, then the input itself as lines (bad records, reported). */
async function parseJsonlOnDisk(): Promise<unknown> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'newsquote-adversarial-'));
  try {
    const file = path.join(dir, 'hostile.jsonl');
    await writeFile(file, `${JSON.stringify({ id: 'hostile', text: input })}\n${input}`);
    return await parseJsonlFile(file, 'hostile.jsonl');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const steps: [string, () => unknown][] = [
  ['cleanBody', () => cleanBody(['MOSCOW – The talks began.', input, input])],
  ['normaliseParagraph', () => normaliseParagraph(input)],
  ['splitParagraphs', () => splitParagraphs(input)],
  // The file formats, whole: each reads the text with its own patterns (a date header, front matter, records) before the newswire ones.
  ['parseTextArticle', () => refusalIsAnAnswer(() => parseTextArticle(input, 'hostile.txt'))],
  ['parseTextArticle (date header)', () => refusalIsAnAnswer(() => parseTextArticle(`date 2026-01-05 The talks began.\n${input}`, 'hostile.txt'))],
  ['parseTextArticle (front matter)', () => refusalIsAnAnswer(() => parseTextArticle(`---\ntitle: Hostile\n---\n${input}`, 'hostile.md'))],
  ['parseRecordFile (.jsonl)', () => parseRecordFile(`${JSON.stringify({ id: 'hostile', text: input })}\n${input}`, 'hostile.jsonl')],
  ['parseRecordFile (.json)', () => parseRecordFile(JSON.stringify({ articles: [{ id: 'hostile', title: input.slice(0, 300), text: input }] }), 'hostile.json')],
  ['parseJsonlFile', parseJsonlOnDisk],
  ['escapeText', () => escapeText(input)],
  ['titleFromLead', () => titleFromLead([input])],
  ['splitSentences', () => splitSentences(input)],
  ['typedSpans', () => typedSpans(input)],
  ['extractPeople', () => extractPeople([input])],
  ['terms', () => terms(input)],
  ['searchText', () => searchText(input)],
  ['cleanQuestion', () => {
    try {
      cleanQuestion(input.slice(0, 300));
    } catch {
      // a UserError is an answer too
    }
  }],
  ['answerType', () => answerType(input.slice(0, 300))],
  ['measureOf', () => measureOf(input.slice(0, 300))],
];
for (const [name, run] of steps) {
  const started = performance.now();
  await run();
  parentPort!.postMessage({ name, ms: performance.now() - started });
}
parentPort!.postMessage('done');

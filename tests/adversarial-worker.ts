/** Runs every pattern that reads article text or questions on one input, in a worker the test can stop. */
import { parentPort, workerData } from 'node:worker_threads';
import { cleanQuestion, searchText } from '../src/answers/question.js';
import { answerType, measureOf } from '../src/answers/answer-type.js';
import { cleanBody, splitParagraphs, titleFromLead } from '../src/articles/newswire.js';
import { splitSentences } from '../src/articles/sentences.js';
import { typedSpans } from '../src/articles/spans.js';
import { terms } from '../src/articles/terms.js';
import { extractPeople } from '../src/people/extract.js';

const input = workerData as string;
const steps: [string, () => unknown][] = [
  ['cleanBody', () => cleanBody(['MOSCOW – The talks began.', input, input])],
  ['splitParagraphs', () => splitParagraphs(input)],
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
  run();
  parentPort!.postMessage({ name, ms: performance.now() - started });
}
parentPort!.postMessage('done');

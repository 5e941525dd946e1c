/**
 * Hostile text against every pattern that runs on articles or questions (issue "Reliability II",
 * item 1): each input runs in a worker that is stopped if it takes too long, so a pattern that
 * backtracks fails this test instead of freezing the suite, as it would freeze the bot.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Far above what a linear pattern needs for these 100,000-character inputs (tens of ms), far below a blow-up. */
const BOUND_MS = 5000;

function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function randomText(length: number, alphabet: string, seed: number): string {
  const random = seeded(seed);
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

const HOSTILE: Record<string, string> = {
  'agency credits that used to double the time at each repeat': `The talks went on all week. REUTERS${', THE AA'.repeat(40)} x`,
  'initials after initials': 'J.P. Aaa '.repeat(11_000),
  'capitals and spaces (datelines)': 'A '.repeat(50_000),
  'capitalised words and commas (names)': 'Aaa, '.repeat(20_000),
  'speech verbs and honorifics': 'Mr Aaa Bbb said '.repeat(6_000),
  'quotes': '"“”’'.repeat(25_000),
  'masked links': '[a](https://x.example) '.repeat(4_000),
  'numbers and separators': '1,2.3-4/5 $6% '.repeat(7_000),
  'months and days': 'Jan 23 Monday 2026 last week '.repeat(3_500),
  'invisible and bidirectional characters': '\u200b\u2066\u202e'.repeat(30_000),
  'random capitals, punctuation and spaces': randomText(100_000, 'AB. ,-–"()\n', 7),
  'random text': randomText(100_000, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-–—"\'’()[]$%/', 11),
};

function runWithin(input: string): Promise<{ name: string; ms: number }[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.resolve('tests/adversarial-worker.mjs'), { workerData: input });
    const timings: { name: string; ms: number }[] = [];
    let timer = setTimeout(() => void worker.terminate().then(() => reject(new Error(`still running after ${BOUND_MS} ms at ${timings.at(-1)?.name ?? 'start'}`))), BOUND_MS * 3);
    worker.on('message', (message: { name: string; ms: number } | 'done') => {
      if (message === 'done') {
        clearTimeout(timer);
        void worker.terminate().then(() => resolve(timings));
        return;
      }
      timings.push(message);
      clearTimeout(timer);
      timer = setTimeout(() => void worker.terminate().then(() => reject(new Error(`a step after ${message.name} ran over ${BOUND_MS} ms`))), BOUND_MS);
    });
    worker.on('error', reject);
  });
}

describe('hostile text against every pattern on articles and questions', () => {
  for (const [what, input] of Object.entries(HOSTILE)) {
    it(`returns in bounded time: ${what}`, async () => {
      const timings = await runWithin(input);
      expect(timings.map((t) => t.name)).toContain('cleanBody');
      for (const t of timings) expect(t.ms, t.name).toBeLessThan(BOUND_MS);
    }, BOUND_MS * 20);
  }
});

/**
 * Hostile text against every pattern that runs on articles or questions (issue "Reliability II",
 * item 1): each input runs in a worker that is stopped if it takes too long, so a pattern that
 * backtracks fails this test instead of freezing the suite, as it would freeze the bot.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { complexityProblem, extractHtmlArticle, MAX_HTML_ELEMENTS, MAX_HTML_NESTING } from '../src/articles/html-worker.js';
import { loadArticles } from '../src/articles/load-articles.js';
import { parseHtmlArticle } from '../src/articles/parse-html.js';
import { tempDir } from './helpers.js';

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
  // A pattern with \s* beside \s* or a line break (/\s*\n\s*/, /^\s*date/m) scanned such runs again from each of their characters.
  'a long run of spaces between two words': `a${' '.repeat(100_000)}b`,
  'a long run of other whitespace between two words': `a${'\u2003'.repeat(100_000)}b`,
  'blank lines of spaces': ' \n'.repeat(100_000),
  'blank lines with carriage returns and tabs': ' \r\n\t'.repeat(30_000),
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

/** Readability keeps a short site name after the page's title. */
const PAGE_TITLE = 'Council approves harbour dredging | Harbour Herald';

/** A news page: its article inside `wrap` (the markup before it) and the end tags `unwrap`. */
function newsPage(wrap = '', unwrap = ''): string {
  const paragraphs = [
    'The harbour council approved a plan on Tuesday to dredge the main shipping channel, which has silted up after years of storms.',
    'Councillor Maria Lopez said the work would start in May and take about six months, costing 12 million euros.',
    'Fishing crews welcomed the decision, saying larger boats had been stranded at low tide.',
  ];
  return `<!doctype html><html><head><title>Council approves harbour dredging | Harbour Herald</title>
    <meta property="og:site_name" content="Harbour Herald"><link rel="canonical" href="https://herald.example/2026/dredging">
    <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2026-04-07T07:30:00Z","author":{"@type":"Person","name":"Ada Reporter"}}</script>
    <script>window.tracker = '<div><div><div>';</script></head>
    <body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>${wrap}
    <article><h1>Council approves harbour dredging</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article>${unwrap}
    <footer>© Harbour Herald</footer></body></html>`;
}

const nested = (depth: number) => newsPage('<div>'.repeat(depth), '</div>'.repeat(depth));

/** Runs `work` while a 10 ms interval ticks; returns its outcome, the time it took and the longest gap between ticks. */
async function whileTicking<T>(work: () => Promise<T>): Promise<{ outcome: T | Error; ms: number; longestGapMs: number; ticks: number }> {
  let last = performance.now();
  let longestGapMs = 0;
  let ticks = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    ticks += 1;
  }, 10);
  const started = performance.now();
  const outcome = await work().catch((error: Error) => error);
  const ms = performance.now() - started;
  clearInterval(interval);
  return { outcome, ms, longestGapMs: Math.max(longestGapMs, performance.now() - last), ticks };
}

describe('pages too complex to extract (issue #12 item 2)', () => {
  it('refuses a page with 2,000 nested divs around its article before parsing it', async () => {
    const html = nested(2000);
    expect(html.length).toBeLessThan(30_000);
    const { outcome, ms } = await whileTicking(() => extractHtmlArticle(html, 'deep.html'));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(new RegExp(`^page too complex \\(2,00\\d nested elements; the limit is ${MAX_HTML_NESTING}\\)$`));
    expect(ms).toBeLessThan(200); // the scan alone: the parse took 47 s
  });

  it('refuses a page with more elements than the limit, and counts unclosed <p> and <li> as siblings', async () => {
    const flat = newsPage('<ul>' + '<li><a href="/x">More news</a>'.repeat(MAX_HTML_ELEMENTS / 2) + '</ul>');
    expect(complexityProblem(flat)).toMatch(/^page too complex \(50,0\d\d elements; the limit is 50,000\)$/);
    await expect(extractHtmlArticle(flat, 'flat.html')).rejects.toThrow(/^page too complex \(50,0\d\d elements/);
    expect(complexityProblem(newsPage('<p>Unclosed paragraph.'.repeat(1000)))).toBeUndefined();
  });

  it('stops a page within the limits that runs over the time limit, and the bot keeps ticking meanwhile', async () => {
    // 40 towers of 250 nested divs: within both limits, about 1 s of Readability.
    const slow = newsPage(`${'<div>'.repeat(250)}<p>Deep text.</p>${'</div>'.repeat(250)}`.repeat(40));
    expect(complexityProblem(slow)).toBeUndefined();
    await extractHtmlArticle(newsPage(), 'warm.html'); // the worker started, so that its start is not in the timing
    const { outcome, ms, longestGapMs, ticks } = await whileTicking(() => extractHtmlArticle(slow, 'slow.html', undefined, { timeoutMs: 300 }));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('page too complex (extraction took over 300 ms)');
    expect(ms).toBeLessThan(1500);
    expect(ticks).toBeGreaterThan(10);
    expect(longestGapMs).toBeLessThan(150);
    // The terminated worker is replaced: the next page extracts.
    expect((await extractHtmlArticle(newsPage(), 'after.html')).title).toBe(PAGE_TITLE);
  });

  it('extracts a normal page in the worker with the same fields as the parse on the spot', async () => {
    const html = newsPage();
    const article = await extractHtmlArticle(html, 'pages/dredging.html', 'https://herald.example/news/dredging');
    expect(article).toEqual(parseHtmlArticle(html, 'pages/dredging.html', 'https://herald.example/news/dredging'));
    expect(article).toMatchObject({
      title: PAGE_TITLE,
      url: 'https://herald.example/2026/dredging',
      outlet: 'Harbour Herald',
      author: 'Ada Reporter',
      date: '2026-04-07',
    });
    expect(article.paragraphs).toContain('Fishing crews welcomed the decision, saying larger boats had been stranded at low tide.');
    expect(article.paragraphs.join(' ')).not.toMatch(/tracker|Sport/);
    // A page with nothing to read keeps the parse's own reasons.
    await expect(extractHtmlArticle('<p>hi</p>', 'empty.html')).rejects.toThrow(/^no readable article text in the page$/);
    await expect(extractHtmlArticle('<html><body><nav>Home</nav></body></html>', 'nav.html')).rejects.toThrow(/^no article text \(empty, or only boilerplate and captions\)$/);
  });

  it('names an .html file of 10,000 nested divs in a folder as too complex, and loads the others', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(path.join(dir, 'deep.html'), nested(10_000));
      await writeFile(path.join(dir, 'dredging.html'), newsPage());
      await writeFile(path.join(dir, 'ferry.txt'), 'The island ferry resumed its full timetable on Monday.\n\nPassengers queued from dawn.');
      const { result: loaded, ms } = await (async () => {
        const started = performance.now();
        const result = await loadArticles(dir);
        return { result, ms: performance.now() - started };
      })();
      expect(loaded.problems).toEqual([{ location: expect.stringMatching(/deep\.html$/), reason: expect.stringMatching(new RegExp(`^page too complex \\(10,00\\d nested elements; the limit is ${MAX_HTML_NESTING}\\)$`)) }]);
      expect(loaded.articles.map((a) => a.title).sort()).toEqual([PAGE_TITLE, 'The island ferry resumed its full timetable on Monday']);
      expect(ms).toBeLessThan(5000);
    } finally {
      await cleanup();
    }
  });
});

import { readFile, writeFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArticles } from '../src/articles/load-articles.js';
import { parseHtmlArticle } from '../src/articles/parse-html.js';
import { parseRecordFile } from '../src/articles/parse-records.js';
import { parseTextArticle } from '../src/articles/parse-text.js';
import { cleanBody, photoCreditStart } from '../src/articles/newswire.js';
import { splitSentences } from '../src/articles/sentences.js';
import { SEED_FILE, tempDir } from './helpers.js';

describe('the seed article', async () => {
  const article = parseTextArticle(await readFile(SEED_FILE, 'utf8'), '000_82d2434843c5b133.txt');

  it('reads the date header and keeps the file name as id', () => {
    expect(article.date).toBe('2026-01-23');
    expect(article.id).toBe('000_82d2434843c5b133');
  });

  it('drops the newsletter boilerplate and recognises the outlet from it', () => {
    const all = [...article.paragraphs, ...article.captions].join('\n');
    expect(all).not.toMatch(/newsletter/i);
    expect(article.outlet).toBe('The Straits Times');
  });

  it('sets the photo caption apart from the answer material', () => {
    expect(article.captions).toEqual([expect.stringMatching(/^Russia's President Vladimir Putin \(left\) meets/)]);
    expect(article.paragraphs.some((p) => p.includes('(left)'))).toBe(false);
  });

  it('starts the body at the dateline and cuts the agency credit off the last paragraph', () => {
    expect(article.paragraphs[0]).toMatch(/^MOSCOW – Russia said it will hold security talks/);
    expect(article.paragraphs.at(-1)).toMatch(/approaching the end of its fourth year\.$/);
    expect(article.paragraphs.join(' ')).not.toContain('REUTERS');
    expect(article.agency).toBe('Reuters');
    expect(article.paragraphs).toHaveLength(10);
  });

  it('derives a title from the lead sentence, without the dateline', () => {
    expect(article.title).toBe('Russia said it will hold security talks with the US and Ukraine in Abu Dhabi on Jan 23');
    expect(article.url).toBeUndefined();
  });
});

describe('other formats', () => {
  it('reads Markdown with front matter', () => {
    const article = parseTextArticle(
      ['---', 'title: Port strike ends', 'url: https://example.com/port', 'source: Example Times', 'date: 2024-03-05', 'author: A. Writer', '---', '', 'Dock workers returned on Monday.', '', 'The union said pay rose 4%.'].join('\n'),
      'news/port.md',
    );
    expect(article).toMatchObject({
      id: 'news/port',
      title: 'Port strike ends',
      url: 'https://example.com/port',
      outlet: 'Example Times',
      date: '2024-03-05',
      author: 'A. Writer',
      paragraphs: ['Dock workers returned on Monday.', 'The union said pay rose 4%.'],
    });
  });

  it('extracts the main text, title, site, date and canonical link of an HTML page', () => {
    const filler = 'The council approved the budget after a long debate about schools and roads in the district. '.repeat(3);
    const html = `<!doctype html><html><head><title>Budget passes | Daily Bugle</title>
      <meta property="og:site_name" content="Daily Bugle"><link rel="canonical" href="https://bugle.example/budget">
      <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-11-02T08:00:00Z"}</script>
      <style>p{color:red}</style><script>window.tracker = 1;</script></head>
      <body><nav><a href="/">Home</a><a href="/sport">Sport</a></nav>
      <article><h1>Budget passes</h1><p>${filler}</p><p>Mayor Ana Ruiz said the vote was historic.</p></article>
      <aside class="ad">Buy now!</aside><footer>© Bugle</footer></body></html>`;
    const article = parseHtmlArticle(html, 'pages/budget.html');
    expect(article.outlet).toBe('Daily Bugle');
    expect(article.url).toBe('https://bugle.example/budget');
    expect(article.date).toBe('2023-11-02');
    expect(article.paragraphs).toContain('Mayor Ana Ruiz said the vote was historic.');
    expect(article.paragraphs.join(' ')).not.toMatch(/tracker|Buy now|color:red|Sport/);
  });

  it('reads JSONL records with blank-line paragraphs and reports a malformed line by number', () => {
    const content = [
      JSON.stringify({ id: 'a1', title: null, url: 'https://www.cnn.com/2022/06/12/x/index.html', date: '2022-06-12', text: 'New York CNN —\n\nFirst fact here.\n\nSecond fact here.' }),
      '{not json',
      JSON.stringify({ id: 'a2', title: 'No text' }),
    ].join('\n');
    const { articles, problems } = parseRecordFile(content, 'feed.jsonl');
    expect(articles).toHaveLength(1);
    expect(articles[0]).toMatchObject({ id: 'feed#a1', outlet: 'CNN', paragraphs: ['First fact here.', 'Second fact here.'], source: { location: 'feed.jsonl', line: 1 } });
    expect(problems).toEqual([
      { location: 'feed.jsonl', line: 2, reason: expect.stringMatching(/invalid JSON/) },
      { location: 'feed.jsonl', line: 3, reason: expect.stringMatching(/field text/) },
    ]);
  });

  it('reads a JSON array of records', () => {
    const { articles } = parseRecordFile(JSON.stringify([{ id: 7, title: 'T', text: 'Body text here.' }]), 'a.json');
    expect(articles[0]).toMatchObject({ id: 'a#7', title: 'T', paragraphs: ['Body text here.'] });
  });
});

describe('a folder with a broken file among good ones', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'good.txt'), 'The bridge reopened on Friday after repairs.\n\nTraffic resumed quickly.');
    await writeFile(path.join(dir, 'sub', 'also good.md'), '# Rain record\n\nIt rained for 40 days in the valley.');
    await writeFile(path.join(dir, 'empty.txt'), '');
    await writeFile(path.join(dir, 'binary.txt'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x10]));
    await writeFile(path.join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]));
    await writeFile(path.join(dir, 'copy.txt'), 'The bridge reopened on Friday after repairs.\n\nTraffic resumed quickly.');
    await writeFile(path.join(dir, 'notes.csv'), 'a,b');
    await symlink(dir, path.join(dir, 'loop'));
  });
  afterAll(() => cleanup());

  it('keeps every good article and names each bad file with its reason', async () => {
    const loaded = await loadArticles(dir);
    expect(loaded.articles.map((a) => a.title).sort()).toEqual(['Rain record', 'The bridge reopened on Friday after repairs']);
    const reasons = Object.fromEntries(loaded.problems.map((p) => [path.basename(p.location), p.reason]));
    expect(reasons).toEqual({
      'empty.txt': 'empty file',
      'binary.txt': 'binary content, not text',
      'latin1.txt': 'not valid UTF-8 text',
      'good.txt': expect.stringMatching(/^same article as .*copy\.txt$/),
    });
  });

  it('does not follow a file link out of the folder, and names it; a link inside the folder is read', async () => {
    const outside = await tempDir();
    try {
      const secret = path.join(outside.dir, 'passwd');
      await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n\nA secret line that must never be quoted.');
      const folder = path.join(outside.dir, 'seeds');
      await mkdir(folder);
      await writeFile(path.join(folder, 'story.txt'), 'The ferry returned on Thursday after the storm.\n\nPassengers cheered.');
      await symlink(secret, path.join(folder, 'passwd.txt'));
      await symlink(path.join(folder, 'story.txt'), path.join(folder, 'alias.md'));
      const loaded = await loadArticles(folder);
      expect(loaded.articles.map((a) => a.paragraphs.join(' ')).join(' ')).not.toContain('secret');
      const reasons = Object.fromEntries(loaded.problems.map((p) => [path.basename(p.location), p.reason]));
      expect(reasons['passwd.txt']).toMatch(/^a link to .*passwd, outside .*seeds: not read$/);
      expect(loaded.articles.filter((a) => a.paragraphs[0]!.startsWith('The ferry returned'))).toHaveLength(1);
      expect(reasons['story.txt']).toMatch(/^same article as .*alias\.md$/);
    } finally {
      await outside.cleanup();
    }
  });
});

describe('sentence splitting', () => {
  it('keeps abbreviations, initials and quotations inside their sentences', () => {
    const text = 'Mr. Smith met Dr. J. K. Rowling in the U.S. on Jan. 5. Analysts at J.P. Morgan disagreed! “We are happy,” he said. Mr Putin left.';
    expect(splitSentences(text).map((s) => s.text)).toEqual([
      'Mr. Smith met Dr. J. K. Rowling in the U.S. on Jan. 5.',
      'Analysts at J.P. Morgan disagreed!',
      '“We are happy,” he said.',
      'Mr Putin left.',
    ]);
  });

  it('returns exact substrings with their offsets', () => {
    const text = 'First  one.   Second one?';
    for (const s of splitSentences(text)) expect(text.slice(s.start, s.start + s.text.length)).toBe(s.text);
  });
});

describe('page furniture', () => {
  it('drops video prompts and contributor credits, and keeps prose that merely mentions them', () => {
    const body = cleanBody([
      'Scroll down for video.',
      'The council voted on Monday to raise the wage for fast-food workers to $22 an hour.',
      'Media playback is not supported on this device',
      'Viewers were told to scroll down for video of the vote, the council said in a statement.',
      '– CNN’s Frank Pallotta and Jack Guy contributed to this report.',
    ]);
    expect(body.paragraphs).toEqual([
      'The council voted on Monday to raise the wage for fast-food workers to $22 an hour.',
      'Viewers were told to scroll down for video of the vote, the council said in a statement.',
    ]);
  });

  it('finds where a photo caption\'s credit starts, and no credit in prose', () => {
    const caption = 'Avalanche players gather at the boards, celebrating their victory in Game 6. John Bazemore/AP';
    expect(caption.slice(photoCreditStart(caption))).toBe('John Bazemore/AP');
    const getty = 'Joey Chestnut reacts after the contest on Monday. Julia Nikhinson/Getty Images';
    expect(getty.slice(photoCreditStart(getty))).toBe('Julia Nikhinson/Getty Images');
    expect(photoCreditStart('The council met in Fresno. Its chair, Ana Ruiz, spoke first.')).toBeUndefined();
    expect(photoCreditStart('The vote was 9-0. Members left for the night without a statement from the chair')).toBeUndefined();
    expect(photoCreditStart(`${'A. '.repeat(50_000)}B/AP`)).toBe(150_000);
  });

  it('checks a long adversarial paragraph against the patterns without backtracking (a slow pattern would time the test out)', () => {
    const long = `${'contributed to this '.repeat(5000)}report`;
    expect(cleanBody([long, 'A plain sentence of the story.']).paragraphs).toHaveLength(2);
  });
});

import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentencesOf } from '../src/answers/quotes.js';
import { isProse, selectSentences } from '../src/answers/summarize.js';
import { parseSummaryArgs, splitCommandLine } from '../src/console/summary-args.js';
import { makeArticle } from '../src/articles/make-article.js';
import { Engine, MAX_LOOKUP_LENGTH } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { ingest, ingestArticles } from '../src/index/ingest.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

let engine: Engine;
let cleanup: () => Promise<void>;

const PORT_A = `---
title: Dock workers strike at Port Talbot
date: 2025-03-01
source: Harbour Herald
url: https://herald.example/strike
---

Dock workers at Port Talbot walked out on Monday in a dispute over pay and night shifts.

The union said 800 members joined the strike, halting container traffic at the port.

Shipping companies diverted vessels to Bristol while talks with the port operator resumed.`;

const PORT_B = `---
title: Port strike ends after pay deal
date: 2025-03-09
source: Coast Times
---

The strike by dock workers at Port Talbot ended on Sunday after the union accepted a pay rise of six percent.

Container traffic is expected to return to normal within a week, the port operator said.`;

const WEATHER = `---
title: Heavy snow closes mountain passes
date: 2024-12-02
---

Heavy snow closed three mountain passes in the Alps on Tuesday, stranding hundreds of drivers.

Forecasters expect more snow later in the week.`;

beforeAll(async () => {
  let root: string;
  ({ dir: root, cleanup } = await tempDir());
  const articles = path.join(root, 'articles');
  await mkdir(articles);
  await copyFile(SEED_FILE, path.join(articles, 'seed.txt'));
  await writeFile(path.join(articles, 'port-a.md'), PORT_A);
  await writeFile(path.join(articles, 'port-b.md'), PORT_B);
  await writeFile(path.join(articles, 'weather.md'), WEATHER);
  const embedder = await realEmbedder();
  await ingest(path.join(root, 'index'), embedder, { source: articles });
  engine = await Engine.open(embedder, path.join(root, 'index'));
});
afterAll(() => cleanup());

describe('/summary of an article', () => {
  it('quotes only exact sentences of the seed, in article order, never its caption, boilerplate or credit', async () => {
    const summary = await engine.summarize('seed');
    if (summary.kind !== 'summary') throw new Error('expected a summary');
    expect(summary.sentences).toHaveLength(4);
    const articleSentences = (await engine.paragraphsOf('articles/seed')).flatMap((p) => sentencesOf(p.text));
    const positions = summary.sentences.map((s) => articleSentences.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(summary.sentences.join(' ')).not.toMatch(/newsletter|\(left\)|REUTERS/);
    expect(summary.citation).toMatchObject({ outlet: 'The Straits Times', date: '2026-01-23' });
  });

  it('keeps the sentence count within 3 to 7', async () => {
    const seven = await engine.summarize('seed', 7);
    expect(seven.kind === 'summary' && seven.sentences).toHaveLength(7);
    await expect(engine.summarize('seed', 2)).rejects.toThrow(UserError);
    await expect(engine.summarize('seed', 8)).rejects.toThrow(/from 3 to 7/);
  });

  it('summarises the newest article when none is named', async () => {
    const summary = await engine.summarize(undefined, 3);
    expect(summary.kind === 'summary' && summary.citation.articleId).toBe('articles/seed');
  });

  it('finds an article by fuzzy title, by words in any order, by id and by file name', async () => {
    const byTitle = await engine.summarize('dock worker strike port talbot', 3);
    expect(byTitle.kind === 'summary' && byTitle.citation.articleId).toBe('articles/port-a');
    const typo = await engine.summarize('Heavy snwo closes mountain', 3);
    expect(typo.kind === 'summary' && typo.citation.articleId).toBe('articles/weather');
    const byFile = await engine.summarize('port-b.md', 3);
    expect(byFile.kind === 'summary' && byFile.citation.url).toBeUndefined();
  });

  it('says when no article matches, with the closest titles', async () => {
    const result = await engine.summarize('Port strike endz', 3);
    expect(result.kind).toBe('summary');
    const missing = await engine.summarize('quantum chromodynamics lecture', 3);
    expect(missing).toMatchObject({ kind: 'refusal', message: 'No article matches "quantum chromodynamics lecture".' });
  });
});

describe('/summary topic digest', () => {
  it('cites the best sentences of several articles on the topic, and only those', async () => {
    const digest = await engine.digest('dock workers strike at the port');
    if (digest.kind !== 'digest') throw new Error('expected a digest');
    const ids = digest.items.map((i) => i.citation.articleId);
    expect(ids).toEqual(expect.arrayContaining(['articles/port-a', 'articles/port-b']));
    expect(ids).not.toContain('articles/weather');
    for (const item of digest.items) expect(item.sentences.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a topic that no article covers', async () => {
    expect((await engine.digest('banana bread recipes')).kind).toBe('refusal');
  });
});

describe('sentence selection', () => {
  it('drops near-duplicate sentences', async () => {
    const sentences = [
      'The central bank raised interest rates by half a point on Tuesday.',
      'The central bank raised interest rates by half a point on Tuesday, officials said.',
      'Stocks in Tokyo fell sharply after the announcement by the bank.',
      'The striker scored twice in the second half of the cup final.',
    ];
    const chosen = selectSentences(sentences, await engine.embedder.embed(sentences), { sentences: 3 });
    expect(chosen).toHaveLength(3);
    expect(chosen.includes(0) && chosen.includes(1)).toBe(false);
  });

  // Three unrelated lead sentences, then four on one topic: the later ones are the central ones.
  const CENTRAL_LATER = [
    'The striker scored twice in the second half of the cup final on Saturday evening.',
    'Heavy snow closed three mountain passes in the Alps on Tuesday, stranding drivers.',
    'The museum opened a new exhibition of medieval maps and globes this week.',
    'The central bank raised interest rates by half a point to fight rising inflation.',
    'Higher interest rates from the central bank will raise mortgage costs for families.',
    'Inflation rose again last month, pushing the central bank to raise interest rates.',
    'Banks passed the central bank interest rate rise on to borrowers within days.',
  ];

  it('is exactly LEAD-k by default and when no later sentence beats the lead by the margin', async () => {
    const vectors = await engine.embedder.embed(CENTRAL_LATER);
    expect(selectSentences(CENTRAL_LATER, vectors, { sentences: 3 })).toEqual([0, 1, 2]);
    expect(selectSentences(CENTRAL_LATER, vectors, { sentences: 4 })).toEqual([0, 1, 2, 3]);
    expect(selectSentences(CENTRAL_LATER, vectors, { sentences: 3, leadWeight: 0, margin: 1e9 })).toEqual([0, 1, 2]);
    // The lead prior alone (weight 1, no length penalty) never lets a later sentence outscore an earlier one.
    expect(selectSentences(CENTRAL_LATER, vectors, { sentences: 3, leadWeight: 1, margin: 0, fullLengthWords: 0 })).toEqual([0, 1, 2]);
  });

  it('departs from the lead when a later sentence is clearly more central', async () => {
    const vectors = await engine.embedder.embed(CENTRAL_LATER);
    const chosen = selectSentences(CENTRAL_LATER, vectors, { sentences: 3, leadWeight: 0.2, margin: 0.1 });
    expect(chosen).toHaveLength(3);
    expect(chosen.some((i) => i >= 3)).toBe(true);
    expect(chosen).toEqual([...chosen].sort((a, b) => a - b));
  });

  it('leaves video notices and bylines out of the lead only when asked', async () => {
    const sentences = [
      'Dock workers at Port Talbot walked out on Monday in a dispute over pay and night shifts.',
      'Scroll down for video.',
      'The union said 800 members joined the strike, halting container traffic at the port.',
      'Shipping companies diverted vessels to Bristol while talks with the port operator resumed.',
    ];
    const vectors = await engine.embedder.embed(sentences);
    expect(selectSentences(sentences, vectors, { sentences: 3 })).toEqual([0, 1, 2]);
    expect(selectSentences(sentences, vectors, { sentences: 3, skipNonProse: true })).toEqual([0, 2, 3]);
    expect(isProse('By Jane Smith, CNN')).toBe(false);
    expect(isProse('Media playback is not supported on this device')).toBe(false);
    expect(isProse('By noon, the union said 800 members had joined the strike.')).toBe(true);
  });
});

describe('summary arguments', () => {
  it('parses the article, --sentences and --topic, and rejects bad values', () => {
    expect(parseSummaryArgs(splitCommandLine('"Port strike" --sentences 5'))).toEqual({ kind: 'article', article: 'Port strike', sentences: 5 });
    expect(parseSummaryArgs([])).toEqual({ kind: 'article', article: undefined, sentences: 4 });
    expect(parseSummaryArgs(['--topic', 'dock strikes'])).toEqual({ kind: 'topic', topic: 'dock strikes' });
    expect(() => parseSummaryArgs(['--topic', 'dock strikes', '--sentences', '5'])).toThrow(/--sentences applies to one article/);
    expect(() => parseSummaryArgs(['--sentences', 'ten'])).toThrow(/from 3 to 7/);
    expect(() => parseSummaryArgs(['x', '--topic', 'y'])).toThrow(/not both/);
  });
});

describe('looking up an article among thousands (autocomplete, /summary)', () => {
  const WORDS = (
    'council harbour approves dredging plan minister says talks election results storm floods city budget court ruling police protest ' +
    'market shares fall rise bank rates inflation ferry resumes timetable island school teachers strike hospital doctors warn heatwave ' +
    'drought farmers crops border trade deal summit leaders meet river bridge tunnel airport runway airline pilots union wages rail fares ' +
    'energy prices households winter grid wind solar power station mayor governor senate vote bill tax reform pension health workers ' +
    'nurses vaccine outbreak virus cases museum art theft festival music film award prize football club coach league final injury record'
  ).split(' ');
  /** A fixed sequence of draws (mulberry32), so the titles are the same on every run. */
  const draws = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = draws(12);
  const titles = Array.from({ length: 2000 }, (_, i) => {
    const words = Array.from({ length: 7 + Math.floor(draw() * 8) }, () => WORDS[Math.floor(draw() * WORDS.length)]!);
    return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())} ${i}`;
  });
  const wanted = titles[1234]!;
  let many: Engine;
  let removeMany: () => Promise<void>;

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup: removeMany } = await tempDir());
    const articles = titles.map((title, i) =>
      makeArticle({ id: `feed/story-${i}`, title, source: { location: `https://news.example/story-${i}` }, rawParagraphs: [`${title}, officials said on Monday.`] }),
    );
    const embedder = await realEmbedder();
    await ingestArticles(path.join(dir, 'index'), embedder, articles);
    many = await Engine.open(embedder, path.join(dir, 'index'));
  }, 180_000);
  afterAll(() => removeMany());

  it('finds a title pasted with more words after it, up to the 200 characters looked up', async () => {
    const pasted = `${wanted} — what the council said about it afterwards, and a good deal more that is not in any title, typed on and on until the box is full`;
    expect(pasted.length).toBeGreaterThan(MAX_LOOKUP_LENGTH);
    const summary = await many.summarize(pasted, 3);
    expect(summary.kind === 'summary' && summary.citation.title).toBe(wanted);
    expect(many.suggestArticles(pasted)[0]?.title).toBe(wanted);
  });

  it('still finds a title by its beginning, with a typo, and by a long part of it', async () => {
    expect(many.suggestArticles(wanted.slice(0, 30))[0]?.title).toBe(wanted);
    const typo = `${wanted.slice(0, 10)}x${wanted.slice(11)}`;
    expect(many.suggestArticles(typo)[0]?.title).toBe(wanted);
    const found = await many.summarize(typo, 3);
    expect(found.kind === 'summary' && found.citation.title).toBe(wanted);
    expect(many.suggestArticles('   ')).toHaveLength(25);
    expect(many.suggestArticles('z').length).toBeLessThanOrEqual(25);
  });
});

/**
 * The news desk (issue #16): `/verify` in the engine, the console and through the real discord.js
 * client against the Discord test double, on the seed and the ranking fixtures, with a later
 * article that carries one of the seed's quotes again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verification } from '../src/answers/answer.js';
import { renderAnswerText } from '../src/console/render.js';
import { sameAnswer } from '../src/answers/outlets.js';
import { compare, comparedWords, reportedSpeaker } from '../src/answers/verify.js';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { Engine } from '../src/engine.js';
import { ingest, ingestArticles } from '../src/index/ingest.js';
import { recordFeedPoll } from '../src/web/feed-health.js';
import { createLogger } from '../src/log.js';
import { DiscordApiDouble } from './discord-double/discord-api-double.js';
import { MAX_ATTACHMENT_BYTES } from '../src/discord/limits.js';
import { CHART_HEIGHT, CHART_WIDTH, coverageChartPng, coverageChartSvg } from '../src/rendering/coverage-chart.js';
import sharp from 'sharp';
import { consoleSays, copyFixtureArticles, realEmbedder, tempDir } from './helpers.js';

const SEED = 'articles/seed';
const USHAKOV = 'Kremlin aide Yuri Ushakov told reporters the talks, which began shortly before midnight and lasted some four hours, had been useful and extremely frank.';
let engine: Engine;
let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const articles = await copyFixtureArticles(root);
  // A later article carrying the seed's quote again (a wire story reprinted).
  await writeFile(
    path.join(articles, 'reprint.md'),
    `---\ntitle: Kremlin calls overnight talks frank\nsource: Pacific Ledger\ndate: 2026-01-25\n---\n${USHAKOV}\n\nNo date was set for a further meeting, officials in Moscow said.`,
  );
  // A story over several days: the flood, a second article repeating its first fact, the repairs.
  const story = (slug: string, title: string, source: string, date: string, paragraphs: string[]) =>
    writeFile(path.join(articles, `${slug}.md`), `---\ntitle: ${title}\nsource: ${source}\ndate: ${date}\n---\n${paragraphs.join('\n\n')}`);
  await story('flood-1', 'Quarry river bursts its banks at Lindholm', 'Harbour Herald', '2026-02-02', [
    'The Quarry river burst its banks at Lindholm on Monday, flooding forty homes and closing the Lindholm bridge.',
    'Residents were moved to the Lindholm school hall overnight.',
  ]);
  await story('flood-2', 'Lindholm flood leaves homes under water', 'Pacific Ledger', '2026-02-03', [
    'The Quarry river burst its banks at Lindholm on Monday, flooding forty homes and closing the bridge.',
    'Engineers said on Tuesday the Lindholm bridge had been weakened by the Quarry river flood and would stay shut for a month.',
  ]);
  await story('flood-3', 'Lindholm bridge repairs begin', 'Harbour Herald', '2026-02-05', [
    'Repairs to the Lindholm bridge began on Thursday after the Quarry river flood, with a temporary crossing for cyclists.',
  ]);
  // Two outlets report the same vote with different figures.
  await story('vote-wire', 'Harbour council votes on the ferry subsidy', 'Coastal Wire', '2026-02-10', [
    'The harbour council debated the ferry subsidy for 4 hours on Tuesday before approving it.',
  ]);
  await story('vote-gazette', 'Ferry subsidy approved after long debate', 'Island Gazette', '2026-02-10', [
    'Councillors debated the ferry subsidy for about three hours on Tuesday before approving it.',
  ]);
  await ingest(path.join(root, 'index'), await realEmbedder(), { source: articles });
  engine = await Engine.open(realEmbedder(), path.join(root, 'index'));
});
afterAll(() => cleanup());

const verified = async (quote: string, person?: string): Promise<Verification> => {
  const result = await engine.verify(quote, person);
  if (result.kind !== 'verification') throw new Error(`refused: ${result.message}`);
  return result;
};

describe('/verify', () => {
  it('finds a quote word for word whatever its quotation marks, dashes and spacing: the speaker, the first article and how many carry it', async () => {
    const result = await verified('“the talks, which began shortly before midnight and lasted some four hours — had been   useful"');
    expect(result).toMatchObject({ match: 'verbatim', speaker: 'Yuri Ushakov', articles: 2, firstDate: '2026-01-23', sentence: USHAKOV });
    expect(result.citation!.articleId).toBe(SEED);
  });

  it('finds a reworded quote, with the sentence and the words that differ', async () => {
    const result = await verified('The talks lasted some three hours and had been useful and extremely frank');
    expect(result.match).toBe('reworded');
    expect(result.sentence).toBe(USHAKOV);
    expect(result.similarity).toBeGreaterThanOrEqual(0.7);
    expect(result.differences).toEqual(expect.arrayContaining([{ text: 'three', change: 'quote-only' }, { text: 'four', change: 'article-only' }]));
  });

  it('reports an invented quote as not found, with the closest sentence labelled as no match', async () => {
    const result = await verified('We will win the war by Christmas, said the general');
    expect(result.match).toBe('not-found');
    expect(result.similarity).toBeLessThan(0.7);
    const text = (await consoleSays(engine, '/verify "We will win the war by Christmas, said the general"\n'));
    expect(text).toContain('Not found in the articles.');
    expect(text).toMatch(/The closest sentence \(not a match, \d+% similar\):/);
  });

  it('counts only the words the articles attribute to the person given: the right one finds it, the wrong one is told who said it', async () => {
    expect(await verified('useful and extremely frank', 'Yuri Ushakov')).toMatchObject({ match: 'verbatim', person: 'Yuri Ushakov', speaker: 'Yuri Ushakov' });
    const wrong = await verified('useful and extremely frank', 'Igor Kostyukov');
    expect(wrong).toMatchObject({ match: 'not-found', person: 'Igor Kostyukov', elsewhere: { speaker: 'Yuri Ushakov' } });
    const unknown = await engine.verify('useful and extremely frank', 'Nobody Atall');
    expect(unknown.kind).toBe('refusal');
  });

  it('refuses a quote too short to attribute, and one too long, naming the limit', async () => {
    expect((await engine.verify('"frank"')).kind).toBe('refusal');
    await expect(engine.verify('word '.repeat(200))).rejects.toThrow(/at most 500/);
  });

  it('answers /verify through the Discord test double, the verdict and the words that differ in the embed', async () => {
    const double = new DiscordApiDouble({ applicationId: '100000000000000091', guildId: '200000000000000092' });
    await double.start();
    let bot: RunningBot | undefined;
    try {
      bot = await startBot({
        discord: { token: 'verify-token', clientId: double.applicationId, guildId: double.guildId, apiUrl: double.apiUrl, cooldownSeconds: 0 },
        engine,
        log: createLogger('silent'),
        dataDir: root,
      });
      await double.waitForReady();
      const { token } = await double.chatInput('verify', [{ name: 'quote', type: Option.String, value: 'the talks lasted some three hours' }], { id: '330000000000000001' });
      const reply = (await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200), 15_000)).edits.at(-1)!.body;
      const embed = reply.embeds[0];
      expect(embed.description).toContain('Found with different wording');
      expect(embed.description).toContain('you quoted “three”, the article says “four”');
      expect(reply.allowed_mentions).toEqual({ parse: [] });

      const timeline = await double.chatInput('timeline', [{ name: 'topic', type: Option.String, value: 'Lindholm flood Quarry river' }], { id: '330000000000000002' });
      const edit = (await double.waitForReplies(timeline.token, (r) => r.edits.some((e) => e.response?.status === 200), 15_000)).edits.at(-1)!;
      expect(edit.body.embeds[0].fields.map((f: { name: string }) => f.name)).toEqual(['2 Feb 2026', '3 Feb 2026', '5 Feb 2026']);
      expect(edit.body.embeds[0].image).toEqual({ url: 'attachment://timeline.png' });
      const chart = edit.files!.find((f) => f.name === 'timeline.png')!;
      expect(chart.data.length).toBeGreaterThan(1000);
      expect(chart.data.length).toBeLessThanOrEqual(MAX_ATTACHMENT_BYTES);
      expect(chart.data.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await bot?.stop();
      await double.stop();
    }
  });
});

describe('outlet agreement in /ask', () => {
  it('groups passages by outlet and says plainly where the outlets answer differently', async () => {
    const answer = await engine.ask('How long did the council debate the ferry subsidy?', { asOf: '2026-02-11' });
    if (answer.kind !== 'answer') throw new Error(answer.message);
    const outlets = answer.passages.map((p) => p.citation.outlet);
    expect(outlets.slice(0, 2).sort()).toEqual(['Coastal Wire', 'Island Gazette']);
    // Each outlet's passages sit together.
    expect(outlets.filter((o, i) => i > 0 && o !== outlets[i - 1] && outlets.slice(0, i).includes(o))).toEqual([]);
    expect(answer.outletsDiffer).toBe(true);
    expect(answer.outlets).toEqual(expect.arrayContaining([{ outlet: 'Coastal Wire', answer: '4 hours' }, { outlet: 'Island Gazette', answer: expect.stringMatching(/three hours$/) }]));
    const text = renderAnswerText(answer);
    expect(text).toMatch(/Outlets differ: (Coastal Wire: 4 hours; Island Gazette: (about )?three hours|Island Gazette: (about )?three hours; Coastal Wire: 4 hours)\./);
  });

  it('says nothing when the outlets agree, in other words or not', () => {
    expect(sameAnswer('4 hours', 'four hours')).toBe(true);
    expect(sameAnswer('about three hours', '3 hours')).toBe(true);
    expect(sameAnswer('4 hours', 'three hours')).toBe(false);
    expect(sameAnswer('Igor Kostyukov', 'igor kostyukov')).toBe(true);
    expect(sameAnswer('4 hours', '4 days')).toBe(false);
  });
});

describe('/timeline', () => {
  it('tells the story by day, oldest first, each sentence quoted exactly and cited; a fact reported again is left out', async () => {
    const result = await engine.timeline('Lindholm flood Quarry river');
    if (result.kind !== 'timeline') throw new Error(result.message);
    expect(result.period).toBe('day');
    expect(result.entries.map((e) => e.date)).toEqual(['2026-02-02', '2026-02-03', '2026-02-05']);
    const sentences = result.entries.flatMap((e) => e.sentences.map((s) => s.text));
    expect(sentences[0]).toBe('The Quarry river burst its banks at Lindholm on Monday, flooding forty homes and closing the Lindholm bridge.');
    // The second article's repeat of the first fact is merged into the earliest report.
    expect(sentences).not.toContain('The Quarry river burst its banks at Lindholm on Monday, flooding forty homes and closing the bridge.');
    expect(result.entries[1]!.sentences[0]!.text).toMatch(/^Engineers said on Tuesday/);
    expect(result.entries[1]!.sentences[0]!.citation.outlet).toBe('Pacific Ledger');
    expect(result.coverage).toEqual([
      { date: '2026-02-02', articles: 1 },
      { date: '2026-02-03', articles: 1 },
      { date: '2026-02-04', articles: 0 },
      { date: '2026-02-05', articles: 1 },
    ]);
    const until = await engine.timeline('Lindholm flood Quarry river', engine.filterOf({ until: '2026-02-03' }, '2026-02-10'));
    expect(until.kind === 'timeline' && until.entries.map((e) => e.date)).toEqual(['2026-02-02', '2026-02-03']);
  });

  it('refuses a topic no article covers', async () => {
    expect((await engine.timeline('banana bread recipe')).kind).toBe('refusal');
  });

  it('prints the timeline in the console and saves its chart next to the index, saying where', async () => {
    const text = await consoleSays(engine, '/timeline Lindholm flood Quarry river\n');
    expect(text).toContain('Timeline: Lindholm flood Quarry river');
    expect(text).toContain('2 Feb 2026');
    const file = text.match(/Chart of the articles per day: (.+\.png)/)![1]!;
    expect(path.dirname(file)).toBe(root);
    expect((await readFile(file)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('draws the chart as a PNG, the topic escaped', async () => {
    const svg = coverageChartSvg({ topic: '<script>&"x"', period: 'day', coverage: [{ date: '2026-02-02', articles: 2 }] });
    expect(svg).not.toContain('<script>');
    const png = await coverageChartPng({ topic: '</text><image href="file:///etc/passwd"/>', period: 'day', coverage: [{ date: '2026-02-02', articles: 2 }] });
    const { width, height } = await sharp(png).metadata();
    expect([width, height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });
});


describe('channel digests', () => {
  const GUILD = '200000000000000095';
  const CHANNEL = '200000000000000096';
  const MODERATOR = { id: '330000000000000009' };
  const MANAGE_GUILD = String(1n << 5n);
  let double: DiscordApiDouble;
  let bot: RunningBot | undefined;
  let digestEngine: Engine;
  let indexDir: string;
  let dataDir: string;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const HOUR = 60 * 60_000;
  const start = async () => {
    bot = await startBot({
      discord: { token: 'digest-token', clientId: double.applicationId, guildId: GUILD, apiUrl: double.apiUrl, cooldownSeconds: 0 },
      engine: digestEngine,
      log: createLogger('silent'),
      dataDir,
      clock,
    });
    await double.waitForReady();
  };
  let added = 0;
  const addArticle = async (title: string) => {
    added++;
    await ingestArticles(indexDir, await realEmbedder(), [
      {
        id: `https://coast.example/2026/${added}`,
        title,
        url: `https://coast.example/2026/${added}`,
        outlet: 'Coastal Wire',
        date: '2026-02-12',
        source: { location: `https://coast.example/2026/${added}` },
        captions: [],
        paragraphs: [`${title}, officials said on Thursday.`, 'The harbour master said work would begin in the spring.', 'Fishing crews welcomed the news.'],
      },
    ]);
    await digestEngine.reload();
  };

  beforeAll(async () => {
    indexDir = path.join(root, 'digest-index');
    dataDir = path.join(root, 'digest-data');
    await mkdir(dataDir, { recursive: true });
    await ingest(indexDir, await realEmbedder(), { source: path.join(root, 'articles') });
    digestEngine = await Engine.open(realEmbedder(), indexDir);
    double = new DiscordApiDouble({ applicationId: '100000000000000094', guildId: GUILD });
    await double.start();
    double.addChannel(GUILD, CHANNEL);
    await start();
  });
  afterAll(async () => {
    await bot?.stop();
    await double?.stop();
  });

  it('is set up by moderators only, and kept in the server file', async () => {
    const setUp = (permissions: string) =>
      double.chatInput('digest', [{ name: 'channel', type: Option.Channel, value: CHANNEL }, { name: 'every', type: Option.String, value: 'hourly' }], MODERATOR, { memberPermissions: permissions });
    const refused = await setUp('0');
    expect((await double.waitForReplies(refused.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.content).toContain('Only members who can manage this server');
    const { token } = await setUp(MANAGE_GUILD);
    expect((await double.waitForReplies(token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.content).toContain(`<#${CHANNEL}> will get the new articles every hour`);
    const file = JSON.parse(await readFile(path.join(dataDir, 'servers', `${GUILD}.json`), 'utf8'));
    expect(file.digests).toEqual([expect.objectContaining({ channelId: CHANNEL, every: 'hourly', createdBy: MODERATOR.id })]);
  });

  it('posts the new articles on schedule, and nothing when nothing is new', async () => {
    await addArticle('Harbour dredging contract signed');
    offset = 30 * 60_000;
    expect(await bot!.postDigests()).toBe(0); // not due yet
    offset = HOUR + 60_000;
    expect(await bot!.postDigests()).toBe(1);
    const [message] = double.channelMessages(CHANNEL);
    expect(message.content).toMatch(/^\*\*New articles\*\* since <t:\d+:f>$/);
    expect(message.embeds).toHaveLength(1);
    expect(message.embeds[0]).toMatchObject({ title: 'Harbour dredging contract signed', url: 'https://coast.example/2026/1' });
    expect(message.embeds[0].description).toContain('> Harbour dredging contract signed, officials said on Thursday.');
    expect(message.embeds[0].description).toContain('Coastal Wire');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    offset = 2 * HOUR + 2 * 60_000;
    expect(await bot!.postDigests()).toBe(0);
    expect(double.channelMessages(CHANNEL)).toHaveLength(1);
  });

  it('keeps its subscriptions across a restart', async () => {
    await bot!.stop();
    await start();
    await addArticle('Ferry timetable extended for summer');
    offset = 3 * HOUR + 3 * 60_000;
    expect(await bot!.postDigests()).toBe(1);
    expect(double.channelMessages(CHANNEL).at(-1).embeds.map((e: { title: string }) => e.title)).toEqual(['Ferry timetable extended for summer']);
  });

  it('reports a feed that failed three polls in a row once in the digest channel', async () => {
    const feed = 'https://coast.example/feed.xml';
    for (let i = 0; i < 3; i++) await recordFeedPoll(indexDir, [feed], new Map([[feed, 'HTTP 503']]));
    offset = 4 * HOUR + 4 * 60_000;
    expect(await bot!.postDigests()).toBe(1);
    expect(double.channelMessages(CHANNEL).at(-1).content).toBe('⚠️ The feed <https://coast.example/feed.xml> has failed its last 3 polls: HTTP 503. Its new articles will not appear until it recovers.');
    await recordFeedPoll(indexDir, [feed], new Map([[feed, 'HTTP 503']]));
    offset = 5 * HOUR + 5 * 60_000;
    expect(await bot!.postDigests()).toBe(0);
  });

  it('stops a digest whose channel it can no longer post in, logs it and tells the moderator who set it up', async () => {
    double.denyChannel(CHANNEL);
    await addArticle('Lighthouse keeper retires after forty years');
    offset = 6 * HOUR + 6 * 60_000;
    expect(await bot!.postDigests()).toBe(0);
    const file = JSON.parse(await readFile(path.join(dataDir, 'servers', `${GUILD}.json`), 'utf8'));
    expect(file.digests[0].disabled).toMatchObject({ reason: expect.stringContaining('Missing Access') });
    const [note] = double.directMessages(MODERATOR.id);
    expect(note.content).toContain(`The digest you set up for <#${CHANNEL}> has stopped`);
    offset = 8 * HOUR;
    expect(await bot!.postDigests()).toBe(0);
    expect(double.directMessages(MODERATOR.id)).toHaveLength(1);
  });
});

describe('bounded work on hostile text', () => {
  it('compares a quote with a 100,000-word sentence in bounded time (an unbounded diff would time the test out)', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => `w${i % 997}`);
    const result = compare(comparedWords('the talks had been useful and extremely frank by all accounts today'), huge);
    expect(result.similarity).toBeLessThan(0.7);
    expect(reportedSpeaker(`${'Ushakov said '.repeat(20_000)}.`, ['Yuri Ushakov'])).toBe('Yuri Ushakov');
  }, 10_000);
});

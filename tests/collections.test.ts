/**
 * Each server its own collection (issue #17): what a moderator adds in one server is seen there
 * and nowhere else, inside retrieval, in the engine and through the real discord.js client against
 * the Discord test double serving two servers; the shared collection answers in both.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { Servers } from '../src/discord/servers.js';
import { Engine } from '../src/engine.js';
import { ingest, ingestArticles, leaveCollection } from '../src/index/ingest.js';
import { checkedCollection, serverCollection, SHARED } from '../src/index/collections.js';
import { createLogger } from '../src/log.js';
import { DiscordApiDouble, type InteractionReplies } from './discord-double/discord-api-double.js';
import { copyFixtureArticles, realEmbedder, tempDir } from './helpers.js';

const GUILD_A = '200000000000000071';
const GUILD_B = '200000000000000072';
const A = serverCollection(GUILD_A);
const B = serverCollection(GUILD_B);

/** An article no fixture resembles: a person and words found nowhere else. */
const GLACIER = {
  id: 'https://alpine.example/2026/glacier',
  title: 'Glacier museum opens in Zermatt',
  source: { location: 'https://alpine.example/2026/glacier' },
  url: 'https://alpine.example/2026/glacier',
  outlet: 'Alpine Courier',
  date: '2026-03-05',
  captions: [],
  paragraphs: [
    'A museum carved inside the Gorner glacier opened in Zermatt on Thursday, its curator Ottilie Brandstetter said.',
    'Ottilie Brandstetter said the ice tunnels would stay open until the thaw in late May.',
  ],
};

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await copyFixtureArticles(root);
});
afterAll(() => cleanup());

const passagesOf = (answer: Awaited<ReturnType<Engine['ask']>>) => (answer.kind === 'answer' ? answer.passages.map((p) => p.citation.articleId) : []);

describe('collections in the index', () => {
  let indexDir: string;
  let engine: Engine;

  beforeAll(async () => {
    indexDir = path.join(root, 'index');
    const embedder = await realEmbedder();
    await ingest(indexDir, embedder, { source: path.join(root, 'articles') });
    await ingestArticles(indexDir, embedder, [GLACIER], [], { collection: { name: A, by: '300000000000000001', at: '2026-03-06T10:00:00.000Z' } });
    engine = await Engine.open(embedder, indexDir);
  });

  it('answers a server from its own articles and the shared ones, and another server never from them, even named exactly', async () => {
    const inA = engine.within([SHARED, A]);
    const inB = engine.within([SHARED, B]);
    const asked = 'Who is the curator of the Gorner glacier museum in Zermatt?';
    expect(passagesOf(await inA.ask(asked, { asOf: null }))[0]).toBe(GLACIER.id);
    const elsewhere = await inB.ask(asked, { asOf: null });
    expect(passagesOf(elsewhere)).not.toContain(GLACIER.id);
    expect(passagesOf(await inB.ask("Who will head Moscow's team?", { asOf: null }))[0]).toBe('articles/seed');
    expect(inB.article(GLACIER.id)).toBeUndefined();
    expect(inB.suggestArticles('glacier').map((a) => a.id)).not.toContain(GLACIER.id);
    expect(inA.suggestArticles('glacier').map((a) => a.id)).toContain(GLACIER.id);
    expect(inB.suggestOutlets('alpine')).toEqual([]);
    expect(inB.who('Ottilie Brandstetter').kind).toBe('refusal');
    expect(inA.who('Ottilie Brandstetter').kind).toBe('person');
    expect(inB.suggestPeople('Ottil')).toEqual([]);
    expect((await inB.summarize('Glacier museum opens in Zermatt')).kind).toBe('refusal');
    expect(await inB.paragraphsOf(GLACIER.id)).toEqual([]);
    expect(() => inB.filterOf({ article: 'Glacier museum opens in Zermatt' })).toThrow();
    const digest = await inB.digest('glacier museum tunnels');
    expect(JSON.stringify(digest)).not.toContain('Zermatt');
  });

  it('answers npm run ask from the collections given with --collection, and refuses a name that is not one', () => {
    const ask = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/ask.ts', 'Who is the curator of the Gorner glacier museum in Zermatt?', '--results', '1', ...args], {
        encoding: 'utf8',
        env: { ...process.env, INDEX_DIR: indexDir, DATA_DIR: 'data', LOG_LEVEL: 'warn', CI: 'true' },
      });
    const own = ask('--collection', `shared,${A}`);
    expect(own.status, own.stderr).toBe(0);
    expect(own.stdout).toContain('Ottilie Brandstetter');
    const shared = ask('--collection', 'shared');
    expect(shared.status, shared.stderr).toBe(0);
    expect(shared.stdout).not.toContain('Brandstetter');
    const bogus = ask('--collection', '../etc');
    expect(bogus.status).toBe(1);
    expect(bogus.stderr).toContain('--collection: "../etc" is not a collection');
    expect(() => checkedCollection(`${A}:shared`)).toThrow(/is not a collection/);
    expect(checkedCollection(A)).toBe(A);
  }, 60_000);

  it('stores an article added in two servers once, in both; taking it out of one keeps it in the other, out of both removes it', async () => {
    const embedder = await realEmbedder();
    const rows = () => engine.snapshot.paragraphs.length;
    const before = rows();
    const joined = await ingestArticles(indexDir, embedder, [GLACIER], [], { collection: { name: B, by: '300000000000000002', at: '2026-03-07T10:00:00.000Z' } });
    expect(joined).toMatchObject({ added: 0, joined: 1, embedded: 0, wrote: true });
    await engine.reload();
    expect(rows()).toBe(before);
    expect(engine.article(GLACIER.id)!.collections!.map((m) => m.name)).toEqual([A, B]);
    expect(engine.within([B]).article(GLACIER.id)).toBeDefined();

    expect(await leaveCollection(indexDir, embedder, A, [GLACIER.id])).toMatchObject({ left: 1, removed: 0 });
    await engine.reload();
    expect(engine.within([SHARED, A]).article(GLACIER.id)).toBeUndefined();
    expect(engine.within([SHARED, B]).article(GLACIER.id)).toBeDefined();
    expect(await leaveCollection(indexDir, embedder, B)).toMatchObject({ left: 1, removed: 1 });
    await engine.reload();
    expect(engine.article(GLACIER.id)).toBeUndefined();
    expect(engine.within([SHARED]).article('articles/seed')).toBeDefined();
  });

  it('answers the shared collection with the figures of a single collection: nothing changes for an index without servers', async () => {
    const question = "Who will head Moscow's team?";
    const all = await engine.ask(question, { asOf: null });
    const shared = await engine.within([SHARED]).ask(question, { asOf: null });
    expect(shared).toEqual(all);
  });
});

describe('collections in Discord, with two servers', () => {
  let double: DiscordApiDouble;
  let bot: RunningBot;
  let engine: Engine;
  let server: Server;
  let base: string;
  let now = new Date('2026-03-10T12:00:00Z');
  const MODERATOR = String(1n << 5n);
  let next = 1;
  const user = () => ({ id: String(320000000000000000n + BigInt(next++)) });
  const done = (r: InteractionReplies) => r.edits.some((e) => e.response?.status === 200) || r.callbacks.some((c) => c.body?.type === 4);
  const said = (r: InteractionReplies) => JSON.stringify(r.edits.at(-1)?.body ?? r.callbacks.at(-1)?.body);
  const ask = async (question: string, place: { guildId: string; channelId?: string }) => {
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: question }], user(), place);
    return said(await double.waitForReplies(token, done, 15_000));
  };
  const command = async (name: string, options: { name: string; type: number; value?: unknown; options?: unknown[] }[], place: { guildId: string; channelId?: string; memberPermissions?: string }) => {
    const { token } = await double.chatInput(name, options, user(), place);
    return said(await double.waitForReplies(token, done, 15_000));
  };
  const choices = async (name: string, options: { name: string; type: number; value: unknown; focused?: boolean }[], guildId: string) => {
    const { token } = await double.autocomplete(name, options, user(), { guildId });
    return (await double.waitForReplies(token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.choices as { name: string; value: string }[];
  };
  const GLACIER_PAGE = `<!doctype html><html><head><title>Glacier museum opens in Zermatt</title><meta property="og:site_name" content="Alpine Courier">
    <script type="application/ld+json">{"@type":"NewsArticle","headline":"Glacier museum opens in Zermatt","datePublished":"2026-03-05T08:00:00Z"}</script></head>
    <body><article><h1>Glacier museum opens in Zermatt</h1>${GLACIER.paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;

  beforeAll(async () => {
    const embedder = await realEmbedder();
    const indexDir = path.join(root, 'bot-index');
    await ingest(indexDir, embedder, { source: path.join(root, 'articles') });
    engine = await Engine.open(embedder, indexDir);
    server = createServer((req, res) => void res.writeHead(req.url === '/glacier' ? 200 : 404, { 'content-type': 'text/html' }).end(req.url === '/glacier' ? GLACIER_PAGE : 'no'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    double = new DiscordApiDouble({ applicationId: '100000000000000073', guildIds: [GUILD_A, GUILD_B] });
    await double.start();
    bot = await startBot({
      discord: { token: 'collections-token', clientId: double.applicationId, guildId: undefined, apiUrl: double.apiUrl, cooldownSeconds: 0, collectionGraceDays: 30 },
      engine,
      log: createLogger('silent'),
      dataDir: path.join(root, 'bot-data'),
      allowPrivateUrls: true,
      clock: () => now,
    });
    await double.waitForGuild(GUILD_A);
    await double.waitForGuild(GUILD_B);
  });
  afterAll(async () => {
    await bot?.stop();
    await double?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("adds to the server's own collection: answered there, invisible in the other server to /ask, /summary, /who and autocomplete", async () => {
    const added = await command('add', [{ name: 'url', type: Option.String, value: `${base}/glacier` }], { guildId: GUILD_A, memberPermissions: MODERATOR });
    expect(added).toContain("Added in this server's collection: **Glacier museum opens in Zermatt**");
    const question = 'Who is the curator of the Gorner glacier museum in Zermatt?';
    expect(await ask(question, { guildId: GUILD_A })).toContain('Ottilie Brandstetter');
    const inB = await ask(question, { guildId: GUILD_B });
    expect(inB).not.toContain('Brandstetter');
    expect(inB).not.toContain('Zermatt');
    // The shared collection answers in both.
    expect(await ask("Who will head Moscow's team?", { guildId: GUILD_B })).toContain('Kostyukov');
    expect(await ask("Who will head Moscow's team?", { guildId: GUILD_A })).toContain('Kostyukov');

    expect((await choices('ask', [{ name: 'question', type: Option.String, value: 'curator' }, { name: 'article', type: Option.String, value: 'glacier', focused: true }], GUILD_B)).map((c) => c.name)).not.toContain('Glacier museum opens in Zermatt');
    expect((await choices('ask', [{ name: 'question', type: Option.String, value: 'curator' }, { name: 'article', type: Option.String, value: 'glacier', focused: true }], GUILD_A)).map((c) => c.name)).toContain('Glacier museum opens in Zermatt');
    expect(await choices('who', [{ name: 'name', type: Option.String, value: 'Ottil' }], GUILD_B)).toEqual([]);
    expect(await command('who', [{ name: 'name', type: Option.String, value: 'Ottilie Brandstetter' }], { guildId: GUILD_B })).toContain('Nobody called');
    expect(await command('who', [{ name: 'name', type: Option.String, value: 'Ottilie Brandstetter' }], { guildId: GUILD_A })).toContain('Glacier museum opens in Zermatt');
    const summaryB = await command('summary', [{ name: 'article', type: Option.String, value: 'Glacier museum opens in Zermatt' }], { guildId: GUILD_B });
    expect(summaryB).not.toContain('Gorner');
    expect(await command('summary', [{ name: 'article', type: Option.String, value: 'Glacier museum opens in Zermatt' }], { guildId: GUILD_A })).toContain('Gorner');
  });

  it('answers the "more" button from the collections of the channel it is pressed in, even with a custom id replayed from another server', async () => {
    const asker = user();
    const { token } = await double.chatInput(
      'ask',
      [
        { name: 'question', type: Option.String, value: 'When will the Gorner glacier tunnels in Zermatt close for the thaw?' },
        { name: 'results', type: Option.Integer, value: 1 },
      ],
      asker,
      { guildId: GUILD_A },
    );
    await double.waitForReplies(token, done, 15_000);
    const message = double.originalMessage(token);
    expect(JSON.stringify(message.embeds)).toContain('Zermatt');
    const moreId = message.components[0].components.map((b: { custom_id: string }) => b.custom_id).find((c: string) => c.startsWith('more:'));
    expect(moreId).toBeDefined();
    // The next page in server A would be the glacier article's other paragraph; pressed from server B, it is B's next passage.
    expect(await engine.within([SHARED, A]).ask('When will the Gorner glacier tunnels in Zermatt close for the thaw?', { results: 1, offset: 1 })).toMatchObject({ passages: [{ paragraph: expect.stringContaining('Ottilie Brandstetter') }] });
    const replayed = await double.button(moreId, message, asker, { guildId: GUILD_B });
    const fromB = await double.waitForReplies(replayed.token, (r) => r.edits.some((e) => e.response?.status === 200), 15_000);
    // Server B has no further passage on this: nothing of A's article, whatever the page asked for.
    expect(fromB.edits.at(-1)!.body.content).toBe('There are no further passages on this.');
    expect(JSON.stringify(fromB)).not.toMatch(/Zermatt|Gorner|Brandstetter/);
  });

  it('lists the server’s articles for moderators, and a channel set to the shared collection does not answer from them', async () => {
    const list = await command('collection', [{ name: 'list', type: Option.Subcommand, options: [] }], { guildId: GUILD_A, memberPermissions: MODERATOR });
    expect(list).toContain('Glacier museum opens in Zermatt');
    expect(list).toMatch(/added by <@3200000000000000\d\d>/);
    expect(await command('collection', [{ name: 'list', type: Option.Subcommand, options: [] }], { guildId: GUILD_A, memberPermissions: '0' })).toContain('Only members who can manage this server');
    expect(await command('collection', [{ name: 'list', type: Option.Subcommand, options: [] }], { guildId: GUILD_B, memberPermissions: MODERATOR })).toContain('collection is empty');

    const quiet = '200000000000000099';
    const set = await command(
      'collection',
      [{ name: 'channel', type: Option.Subcommand, options: [{ name: 'channel', type: Option.Channel, value: quiet }, { name: 'use', type: Option.String, value: 'shared' }] }],
      { guildId: GUILD_A, memberPermissions: MODERATOR },
    );
    expect(set).toContain(`<#${quiet}> now answers from the shared collection only`);
    const question = 'Who is the curator of the Gorner glacier museum in Zermatt?';
    expect(await ask(question, { guildId: GUILD_A, channelId: quiet })).not.toContain('Brandstetter');
    expect(await ask(question, { guildId: GUILD_A })).toContain('Brandstetter');
    const settings = JSON.parse(await readFile(path.join(root, 'bot-data', 'servers', `${GUILD_A}.json`), 'utf8'));
    expect(settings.channels).toEqual({ [quiet]: 'shared' });
  });

  it("deletes a server's collection once the bot has been gone for the grace period, and nothing else", async () => {
    double.removeFromGuild(GUILD_A);
    const file = path.join(root, 'bot-data', 'servers', `${GUILD_A}.json`);
    await expect.poll(async () => JSON.parse(await readFile(file, 'utf8')).leftAt, { timeout: 5000 }).toBe(now.toISOString());
    now = new Date(now.getTime() + 29 * 86_400_000);
    const glacier = () => [...engine.manifest.articles.values()].find((a) => a.title === GLACIER.title);
    expect(await bot.deleteDepartedCollections()).toEqual([]);
    expect(glacier()).toBeDefined();
    now = new Date(now.getTime() + 2 * 86_400_000);
    expect(await bot.deleteDepartedCollections()).toEqual([GUILD_A]);
    expect(glacier()).toBeUndefined();
    expect(engine.article('articles/seed')).toBeDefined();
    expect(await ask("Who will head Moscow's team?", { guildId: GUILD_B })).toContain('Kostyukov');
  });
});

describe('server settings files', () => {
  it('reads a damaged or hostile file as no settings, names it in a warning, and ignores files that are not a server id', async () => {
    const dataDir = path.join(root, 'hostile-data');
    await mkdir(path.join(dataDir, 'servers'), { recursive: true });
    await writeFile(path.join(dataDir, 'servers', `${GUILD_A}.json`), '{"channels": {"__proto__": "server"}, "leftAt": "not a date"}');
    await writeFile(path.join(dataDir, 'servers', '..json'), '{}');
    await writeFile(path.join(dataDir, 'servers', `${GUILD_B}.json`), JSON.stringify({ channels: { '200000000000000091': 'server' } }));
    let warnings = '';
    const lines = new PassThrough();
    lines.on('data', (chunk) => (warnings += chunk));
    const log = createLogger('warn', { destination: lines });
    const servers = await Servers.open(dataDir, log);
    expect(servers.visibleCollections(GUILD_A, '200000000000000091')).toEqual([SHARED, A]);
    expect(servers.visibleCollections(GUILD_B, '200000000000000091')).toEqual([B]);
    expect(servers.visibleCollections(null, null)).toEqual([SHARED]);
    expect(warnings).toContain(`${GUILD_A}.json`);
    expect(warnings).toContain('a server settings file could not be read');
    await expect(servers.setChannelUse(GUILD_B, '../../etc', 'shared')).rejects.toThrow(/not a Discord channel id/);
    await expect(servers.left('../x', new Date())).rejects.toThrow(/not a Discord server id/);
  });
});

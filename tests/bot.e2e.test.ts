/**
 * The real bot (real discord.js client, real engine and index) against the local test double
 * of Discord's API: interactions are dispatched as Discord sends them, replies asserted.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordConfig } from '../src/config/config.js';
import { watchIndex } from '../src/background/index-watcher.js';
import type { Repeating } from '../src/background/every.js';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { deployCommands, deployIfChanged } from '../src/discord/deploy.js';
import {
  MAX_CONTENT_LENGTH,
  MAX_EMBEDS_TOTAL_LENGTH,
  MAX_EMBED_DESCRIPTION_LENGTH,
} from '../src/discord/limits.js';
import { embedLength } from '../src/discord/respond.js';
import { Engine } from '../src/engine.js';
import { COMMANDS } from '../commands/index.js';
import { ingest } from '../src/index/ingest.js';
import { createLogger } from '../src/log.js';
import { DiscordApiDouble, type InteractionReplies, type RecordedRequest } from './discord-double/discord-api-double.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

const TOKEN = 'fake-token-NEVER-IN-LOGS-1234567890';
const KOSTYUKOV = 'Who will head Moscow’s team at the security talks?';
let double: DiscordApiDouble;
let bot: RunningBot;
let indexWatcher: Repeating | undefined;
let engine: Engine;
let root: string;
let cleanup: () => Promise<void>;
let logText = '';
let nextUser = 1;
const COOLDOWN_MS = 2000;
/** A fresh user per test, so the cooldown of one test does not affect another. */
const user = () => ({ id: String(300000000000000000n + BigInt(nextUser++)), username: `reader${nextUser}` });

const longSentence = (i: number) =>
  `Negotiators in Geneva discussed the grain corridor proposal number ${i} for many hours, weighing shipping insurance, port inspections and naval escorts in detail.`;
const LONG_ARTICLE = `---\ntitle: Grain corridor talks in Geneva\ndate: 2026-02-01\nurl: https://news.example/grain\n---\n\n${Array.from({ length: 8 }, (_, p) =>
  Array.from({ length: 14 }, (_, i) => longSentence(p * 20 + i)).join(' '),
).join('\n\n')}`;

const discordConfig = (): DiscordConfig => ({
  token: TOKEN,
  clientId: double.applicationId,
  guildId: double.guildId,
  apiUrl: double.apiUrl,
  cooldownSeconds: COOLDOWN_MS / 1000,
});

const lastEdit = (r: InteractionReplies) => r.edits.filter((e) => e.response?.status === 200).at(-1)?.body;
const edited = (r: InteractionReplies) => r.edits.some((e) => e.response?.status === 200);
const answered = (r: InteractionReplies) => r.callbacks.some((c) => c.body?.type === 4) || edited(r) || r.followUps.length > 0;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'articles'));
  await copyFile(SEED_FILE, path.join(root, 'articles', 'seed.txt'));
  await writeFile(path.join(root, 'articles', 'grain.md'), LONG_ARTICLE);
  const embedder = await realEmbedder();
  await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'articles') });
  engine = await Engine.open(embedder, path.join(root, 'index'));
  double = new DiscordApiDouble({ applicationId: '100000000000000001', guildId: '200000000000000002' });
  await double.start();
  const logs = new PassThrough();
  logs.on('data', (chunk) => (logText += chunk));
  const log = createLogger('debug', { destination: logs });
  bot = await startBot({ discord: discordConfig(), engine, log, dataDir: root });
  indexWatcher = watchIndex(engine, log);
  await double.waitForReady();
});

afterAll(async () => {
  await indexWatcher?.stop();
  await bot?.stop();
  await double?.stop();
  await cleanup();
});

describe('the bot against a Discord-compatible server', () => {
  it('registers its commands in the guild at start, and again with deploy-commands', async () => {
    expect([...COMMANDS.keys()].sort()).toEqual(['add', 'ask', 'collection', 'digest', 'summary', 'timeline', 'verify', 'who']);
    expect(double.registeredCommands(double.guildId)?.map((c) => c.name).sort()).toEqual([...COMMANDS.keys()].sort());
    const ask = double.registeredCommands(double.guildId)!.find((c) => c.name === 'ask');
    expect(ask.options.map((o: { name: string }) => o.name)).toEqual(['question', 'results', 'since', 'until', 'outlet', 'article', 'private']);
    // Every text option is bounded where Discord enforces it, before a handler or autocomplete sees it.
    const stringOptions = double.registeredCommands(double.guildId)!.flatMap((c) => c.options.filter((o: { type: number }) => o.type === Option.String));
    expect(stringOptions.length).toBeGreaterThan(0);
    for (const option of stringOptions) expect(option.max_length, option.name).toBeLessThanOrEqual(2000);
    expect(await deployCommands(discordConfig())).toBe(COMMANDS.size);
    const puts = () => double.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/commands'));
    expect(puts()).toHaveLength(2);
    // At the next start, unchanged definitions are not sent again.
    expect(await deployIfChanged(discordConfig(), root, createLogger('silent'))).toBe(false);
    expect(puts()).toHaveLength(2);
  });

  it('identifies with the Guilds intent only', () => {
    expect(double.identifies[0].intents).toBe(1);
  });

  it('/ask defers, then edits in the quoted passage with its source, pinging nobody', async () => {
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: KOSTYUKOV }], user());
    const replies = await double.waitForReplies(token, edited);
    expect(replies.callbacks[0]!.body.type).toBe(5);
    const message = lastEdit(replies);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds[0].description).toContain('> He said Russian Admiral Igor Kostyukov would head Moscow’s team');
    expect(message.embeds[0].title).toBe('Russia said it will hold security talks with the US and Ukraine in Abu Dhabi on Jan 23');
    expect(message.embeds[0].description).toMatch(/The Straits Times \(Reuters\) · <t:\d+:D> · source: .*seed\.txt \(paragraph 3\)/);
  });

  it('/ask refuses cleanly when nothing is relevant', async () => {
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'best banana bread recipe' }], user());
    const message = lastEdit(await double.waitForReplies(token, edited));
    expect(message.content).toMatch(/do not cover/);
    expect(message.embeds).toEqual([]);
  });

  it('a question full of mentions pings nobody, on the deferral and on the edit', async () => {
    const question = '@everyone @here <@123456789012345678> <@&223456789012345678> who will head Moscow’s team?';
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: question }], user());
    const replies = await double.waitForReplies(token, edited);
    for (const request of [...replies.edits, ...replies.followUps]) expect(request.body.allowed_mentions).toEqual({ parse: [] });
    for (const callback of replies.callbacks) if (callback.body.data?.content !== undefined) expect(callback.body.data.allowed_mentions).toEqual({ parse: [] });
    expect(lastEdit(replies).content).toContain('@everyone');
  });

  it('pages with the "more" button for the asker, and politely refuses others and expired buttons', async () => {
    const asker = user();
    const { token } = await double.chatInput(
      'ask',
      [
        { name: 'question', type: Option.String, value: 'What did Ushakov say about the talks with Putin?' },
        { name: 'results', type: Option.Integer, value: 1 },
      ],
      asker,
    );
    await double.waitForReplies(token, edited);
    const original = double.originalMessage(token);
    const customId: string = original.components[0].components[0].custom_id;
    expect(customId).toMatch(/^more:[\w-]+:1$/);

    // Buttons share the per-person cooldown with commands: pressed at once, "more" asks to wait.
    const early = await double.button(customId, original, asker);
    expect((await double.waitForReplies(early.token, answered)).callbacks[0]!.body.data.content).toMatch(/Please wait \d+ s/);

    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));
    const more = await double.button(customId, original, asker);
    const page = lastEdit(await double.waitForReplies(more.token, edited));
    expect(page.embeds[0].footer.text).toMatch(/^Passage 2( · as of 23 Jan 2026)?$/);

    const foreign = await double.button(customId, original, user());
    const note = (await double.waitForReplies(foreign.token, answered)).callbacks[0]!.body;
    expect(note).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/Only the person who asked/) } });

    // The same page is not posted twice, however often the button is pressed.
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));
    const again = await double.button(customId, original, asker);
    expect((await double.waitForReplies(again.token, answered)).callbacks[0]!.body.data).toMatchObject({ flags: 64, content: expect.stringMatching(/already shown/) });

    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));
    const expired = await double.button('more:unknown:3', original, asker);
    const expiredNote = (await double.waitForReplies(expired.token, answered)).callbacks[0]!.body;
    expect(expiredNote.data).toMatchObject({ flags: 64, content: expect.stringMatching(/expired/) });
  });

  it('/summary replies with the article’s own sentences; /summary topic gives a digest', async () => {
    const { token } = await double.chatInput(
      'summary',
      [{ name: 'article', type: Option.String, value: 'seed' }, { name: 'sentences', type: Option.Integer, value: 3 }],
      user(),
    );
    const message = lastEdit(await double.waitForReplies(token, edited));
    expect(message.embeds[0].description.split('\n').filter((l: string) => l.startsWith('> '))).toHaveLength(3);
    expect(message.embeds[0].description).toContain('> MOSCOW – Russia said');

    const digest = await double.chatInput('summary', [{ name: 'topic', type: Option.String, value: 'grain corridor negotiations' }], user());
    const digestMessage = lastEdit(await double.waitForReplies(digest.token, edited));
    expect(digestMessage.content).toBe('**Digest:** grain corridor negotiations');
    expect(digestMessage.embeds[0].url).toBe('https://news.example/grain');
  });

  it('/who replies at once with roles, articles and own words', async () => {
    const { token } = await double.chatInput('who', [{ name: 'name', type: Option.String, value: 'Ushakov' }], user());
    const callback = (await double.waitForReplies(token, answered)).callbacks[0]!.body;
    expect(callback.type).toBe(4);
    expect(callback.data.allowed_mentions).toEqual({ parse: [] });
    const embed = callback.data.embeds[0];
    expect(embed.title).toBe('Yuri Ushakov');
    expect(embed.fields[0]).toMatchObject({ name: 'Kremlin aide', value: expect.stringContaining('> Kremlin aide Yuri Ushakov told reporters') });
    expect(embed.fields.some((f: { name: string }) => f.name === 'In their own words')).toBe(true);
  });

  it('autocompletes names and article titles within Discord’s limits', async () => {
    const who = await double.autocomplete('who', [{ name: 'name', type: Option.String, value: 'ush', focused: true }], user());
    const choices = (await double.waitForReplies(who.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body;
    expect(choices).toEqual({ type: 8, data: { choices: [{ name: 'Yuri Ushakov', value: 'Yuri Ushakov' }] } });

    const summary = await double.autocomplete('summary', [{ name: 'article', type: Option.String, value: 'grain', focused: true }], user());
    const titles = (await double.waitForReplies(summary.token, (r) => r.callbacks.length > 0)).callbacks[0]!.body.data.choices;
    expect(titles[0]).toEqual({ name: 'Grain corridor talks in Geneva', value: 'articles/grain' });
    expect(titles.length).toBeLessThanOrEqual(25);
  });

  it('keeps an over-long answer within every limit', async () => {
    const { token } = await double.chatInput(
      'ask',
      [
        { name: 'question', type: Option.String, value: 'What did negotiators in Geneva discuss about the grain corridor proposal, shipping insurance and naval escorts?' },
        { name: 'results', type: Option.Integer, value: 5 },
      ],
      user(),
    );
    const message = lastEdit(await double.waitForReplies(token, edited));
    expect(message.embeds.length).toBeGreaterThan(1);
    expect(message.content.length).toBeLessThanOrEqual(MAX_CONTENT_LENGTH);
    for (const embed of message.embeds) expect(embed.description.length).toBeLessThanOrEqual(MAX_EMBED_DESCRIPTION_LENGTH);
    expect(message.embeds.reduce((sum: number, e: Parameters<typeof embedLength>[0]) => sum + embedLength(e), 0)).toBeLessThanOrEqual(MAX_EMBEDS_TOTAL_LENGTH);
  });

  it('answers a cooldown privately with the time left', async () => {
    const reader = user();
    const first = await double.chatInput('who', [], reader);
    await double.waitForReplies(first.token, answered);
    const second = await double.chatInput('who', [], reader);
    const note = (await double.waitForReplies(second.token, answered)).callbacks[0]!.body;
    expect(note.data).toMatchObject({ flags: 64, content: expect.stringMatching(/^Please wait \d s before your next command\.$/) });
  });

  it('turns a handler failure into a private apology with an error id that is also logged, and keeps serving', async () => {
    // Each server's channel answers through a view of the engine (its collections): every view's ask fails.
    const ask = Engine.prototype.ask;
    Engine.prototype.ask = async () => {
      throw new Error('disk on fire');
    };
    try {
      const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: KOSTYUKOV }], user());
      const replies = await double.waitForReplies(token, (r) => r.followUps.length > 0);
      const apology = replies.followUps[0]!.body;
      expect(apology.flags).toBe(64);
      const errorId = apology.content.match(/error ([0-9a-f]{8})/)![1];
      expect(logText).toContain(`"errorId":"${errorId}"`);
      expect(double.requests.some((r: RecordedRequest) => r.method === 'DELETE' && r.path.includes(token))).toBe(true);
    } finally {
      Engine.prototype.ask = ask;
    }
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: KOSTYUKOV }], user());
    expect(lastEdit(await double.waitForReplies(token, edited)).embeds[0].description).toContain('Kostyukov');
  });

  it('switches to a new index generation when an ingest finishes, without a restart', async () => {
    await writeFile(
      path.join(root, 'articles', 'volcano.md'),
      '---\ntitle: Volcano erupts in Iceland\ndate: 2026-03-03\n---\n\nA volcano erupted near Grindavik in Iceland on Monday, sending lava towards the town.',
    );
    await ingest(path.join(root, 'index'), await realEmbedder(), { source: path.join(root, 'articles') });
    await expect.poll(() => engine.snapshot.manifest.articles.size, { timeout: 6000, interval: 200 }).toBe(3);
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'Where did the volcano erupt?' }], user());
    expect(lastEdit(await double.waitForReplies(token, edited)).embeds[0].description).toContain('Grindavik');
    expect(logText).toContain('"msg":"index reloaded"');
  });

  it('logs one structured line per interaction, and never the token', () => {
    const lines = logText.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const interactions = lines.filter((l) => l.msg === 'interaction');
    expect(interactions.length).toBeGreaterThan(5);
    expect(interactions[0]).toEqual(expect.objectContaining({ command: expect.any(String), user: expect.any(String) }));
    expect(interactions.some((l) => typeof l.ms === 'number' && typeof l.results === 'number')).toBe(true);
    expect(logText).not.toContain(TOKEN);
  });
});

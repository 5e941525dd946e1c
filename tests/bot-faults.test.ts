/**
 * The real bot under Discord faults and load, through the test double of Discord's API:
 * rate limits, server errors, expired interactions, a dropped gateway, 300 interactions at once,
 * hostile article text, and shutdown with replies in flight.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTOCOMPLETE_BURST, AUTOCOMPLETE_PER_SECOND, startBot, type RunningBot } from '../src/discord/bot.js';
import { Engine } from '../src/engine.js';
import { ingest } from '../src/index/ingest.js';
import { createLogger } from '../src/log.js';
import { DiscordApiDouble, type InteractionReplies } from './discord-double/discord-api-double.js';
import { realEmbedder, SEED_FILE, tempDir } from './helpers.js';

const TOKEN = 'fault-token-SHOULD-NEVER-APPEAR-5555';
const QUESTION = 'Who will head Moscow’s team at the security talks?';
const HOSTILE = `---
title: "**Breaking** [click me](https://evil.example) @everyone"
date: 2026-02-02
---

@everyone The harbour council met <@123456789012345678> and <@&223456789012345678> in <#323456789012345678> to discuss **dredging** the [harbour](https://evil.example/phish) channel.

# Not a heading
> not a quote ||spoiler|| \`code\` \`\`\`fence\`\`\``;

let double: DiscordApiDouble;
let bot: RunningBot;
let engine: Engine;
let cleanup: () => Promise<void>;
let root: string;
let logText = '';
let nextUser = 1;
const user = () => ({ id: String(400000000000000000n + BigInt(nextUser++)) });
const edited = (r: InteractionReplies) => r.edits.some((e) => e.response?.status === 200);
const lastEdit = (r: InteractionReplies) => r.edits.filter((e) => e.response?.status === 200).at(-1)!.body;

async function startTheBot(): Promise<void> {
  const logs = new PassThrough();
  logs.on('data', (chunk) => (logText += chunk));
  bot = await startBot({
    discord: { token: TOKEN, clientId: double.applicationId, guildId: double.guildId, apiUrl: double.apiUrl, cooldownSeconds: 0 },
    engine,
    log: createLogger('info', { destination: logs }),
    dataDir: root,
  });
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'articles'));
  await copyFile(SEED_FILE, path.join(root, 'articles', 'seed.txt'));
  await writeFile(path.join(root, 'articles', 'hostile.md'), HOSTILE);
  const embedder = await realEmbedder();
  await ingest(path.join(root, 'index'), embedder, { source: path.join(root, 'articles') });
  engine = await Engine.open(embedder, path.join(root, 'index'));
  double = new DiscordApiDouble({ applicationId: '100000000000000031', guildId: '200000000000000032', heartbeatIntervalMs: 1000 });
  await double.start();
  await startTheBot();
  await double.waitForReady();
});
afterAll(async () => {
  await bot?.stop();
  await double?.stop();
  await cleanup();
});

async function ask(question = QUESTION) {
  const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: question }], user());
  return { token, replies: () => double.replies(token) };
}

describe('Discord faults', () => {
  it('still delivers the reply after a 429 with retry_after on the callback', async () => {
    double.failNext('callback', { status: 429, retryAfterSeconds: 0.3 });
    const { token } = await ask();
    const replies = await double.waitForReplies(token, edited, 10_000);
    expect(replies.callbacks.map((c) => c.response?.status)).toEqual([429, 204]);
    expect(lastEdit(replies).embeds[0].description).toContain('Igor Kostyukov');
  });

  it('still delivers the reply after a 429 on the edit', async () => {
    double.failNext('edit', { status: 429, retryAfterSeconds: 0.3 });
    const { token } = await ask();
    const replies = await double.waitForReplies(token, edited, 10_000);
    expect(replies.edits.map((e) => e.response?.status)).toEqual([429, 200]);
  });

  it('logs a 5xx on the edit and keeps serving', async () => {
    for (let i = 0; i < 4; i++) double.failNext('edit', { status: 500 });
    const { token } = await ask();
    await expect.poll(() => double.replies(token).edits.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    await expect.poll(() => logText.includes('"msg":"interaction failed"'), { timeout: 10_000 }).toBe(true);
    const next = await ask();
    expect(lastEdit(await double.waitForReplies(next.token, edited, 10_000)).embeds[0].description).toContain('Kostyukov');
  });

  it('logs an expired interaction (10062) and keeps serving', async () => {
    double.failNext('callback', { status: 404, code: 10062 });
    const { token } = await ask();
    await expect.poll(() => double.replies(token).callbacks[0]?.response?.status, { timeout: 5000 }).toBe(404);
    await expect.poll(() => /Unknown interaction|10062/.test(logText), { timeout: 5000 }).toBe(true);
    // Errors quote the callback URL: its interaction token is cut out of the log.
    expect(logText).not.toContain(token);
    expect(logText).toMatch(/interactions\/\d+\/\[redacted\]/);
    const next = await ask();
    expect(edited(await double.waitForReplies(next.token, edited, 10_000))).toBe(true);
  });

  it('reconnects after the server closes the gateway socket, and keeps serving', async () => {
    double.closeGateway();
    await double.waitForReady(15_000);
    const { token } = await ask();
    expect(edited(await double.waitForReplies(token, edited, 15_000))).toBe(true);
    expect(logText).toContain('gateway');
  });
});

describe('hostile text', () => {
  it('pings nobody and shows article markdown, links and mentions as text, within the reply’s own structure', async () => {
    const { token } = await ask('What did the harbour council discuss about dredging?');
    const message = lastEdit(await double.waitForReplies(token, edited, 10_000));
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const embed = message.embeds.find((e: { title: string }) => e.title.includes('Breaking'));
    expect(embed.title).toBe('\\*\\*Breaking\\*\\* \\[click me](https://evil.example) @everyone');
    expect(embed.description).toContain('\\*\\*dredging\\*\\*');
    expect(embed.description).toContain('\\[harbour](https://evil.example/phish)');
    expect(embed.url).toBeUndefined();
    for (const e of message.embeds) expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['title', 'description', 'footer']));
  });
});

describe('bounded input', () => {
  it('computes autocomplete for one person only within the budget, answers the rest with no choices, and serves another person', async () => {
    // Counted on every engine: each server's channel answers through a view of it (its collections).
    const suggest = Engine.prototype.suggestPeople;
    let lookups = 0;
    Engine.prototype.suggestPeople = function (this: Engine, prefix: string) {
      lookups++;
      return suggest.call(this, prefix);
    };
    const typed = [{ name: 'name', type: Option.String, value: 'ush', focused: true }];
    const choicesOf = async (token: string) =>
      (await double.waitForReplies(token, (r) => r.callbacks.some((c) => c.response?.status === 204), 10_000)).callbacks.find((c) => c.response?.status === 204)!
        .body.data.choices as unknown[];
    try {
      // One person (or a script) sends 40 autocompletes at once: Discord sends one per keystroke.
      const typist = user();
      const started = performance.now();
      const burst = await Promise.all(Array.from({ length: 40 }, () => double.autocomplete('who', typed, typist)));
      const answers = await Promise.all(burst.map(({ token }) => choicesOf(token)));
      const seconds = (performance.now() - started) / 1000;
      const computed = answers.filter((choices) => choices.length > 0).length;
      expect(lookups).toBe(computed);
      expect(computed).toBeGreaterThanOrEqual(AUTOCOMPLETE_BURST);
      expect(computed).toBeLessThanOrEqual(AUTOCOMPLETE_BURST + Math.ceil(seconds * AUTOCOMPLETE_PER_SECOND));
      expect(answers.filter((choices) => choices.length === 0)).toHaveLength(40 - computed);
      const limitedLines = logText.split('\n').filter((line) => line.includes('"rateLimited":true') && line.includes(typist.id));
      expect(limitedLines).toHaveLength(40 - computed);

      // Someone else, meanwhile, gets choices; so does the typist once the budget refills.
      expect(await choicesOf((await double.autocomplete('who', typed, user())).token)).toEqual([{ name: 'Yuri Ushakov', value: 'Yuri Ushakov' }]);
      await new Promise((r) => setTimeout(r, 1000 / AUTOCOMPLETE_PER_SECOND + 100));
      expect(await choicesOf((await double.autocomplete('who', typed, typist)).token)).toHaveLength(1);
    } finally {
      Engine.prototype.suggestPeople = suggest;
    }
  });

  it('refuses a text option over its maximum length in the handler too, naming it, for every command', async () => {
    const commands = double.registeredCommands(double.guildId)!;
    const options = commands.flatMap((c) => c.options.filter((o: { type: number }) => o.type === Option.String).map((o: { name: string; max_length: number }) => ({ command: c.name, ...o })));
    expect(options.length).toBeGreaterThanOrEqual(5);
    for (const { command, name, max_length } of options) {
      // Discord refuses these itself; a forged or buggy client may not.
      const { token } = await double.chatInput(command, [{ name, type: Option.String, value: 'x'.repeat(max_length + 1) }], user(), {
        memberPermissions: String(1n << 5n),
      });
      const reply = (await double.waitForReplies(token, (r) => r.callbacks.length > 0, 10_000)).callbacks[0]!.body;
      expect(reply.data.content, `${command} ${name}`).toBe(`The ${name} is too long (${max_length + 1} characters; at most ${max_length}).`);
      expect(reply.data.flags).toBe(64);
    }
  });
});

describe('load', () => {
  it('answers 300 interactions dispatched at once across the three commands, each once', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const dispatched = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const who = user();
        if (i % 3 === 0) return double.chatInput('ask', [{ name: 'question', type: Option.String, value: QUESTION }], who);
        if (i % 3 === 1) return double.chatInput('summary', [{ name: 'sentences', type: Option.Integer, value: 3 }], who);
        return double.chatInput('who', [{ name: 'name', type: Option.String, value: 'Ushakov' }], who);
      }),
    );
    const latencies = await Promise.all(
      dispatched.map(async ({ token }, i) => {
        const done = (r: InteractionReplies) => (i % 3 === 2 ? r.callbacks.some((c) => c.response?.status === 204) : edited(r));
        await double.waitForReplies(token, done, 60_000);
        return performance.now() - started;
      }),
    );
    for (const { token } of dispatched) {
      const replies = double.replies(token);
      expect(replies.callbacks.filter((c) => c.response?.status === 204)).toHaveLength(1);
      expect(replies.followUps).toHaveLength(0);
    }
    latencies.sort((a, b) => a - b);
    const p95 = Math.round(latencies[Math.floor(latencies.length * 0.95)]!);
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`300 interactions: p50 ${Math.round(latencies[150]!)} ms, p95 ${p95} ms after dispatch; heap ${Math.round(heapBefore / 1e6)} → ${Math.round(heapAfter / 1e6)} MB`);
    expect(heapAfter - heapBefore).toBeLessThan(200e6);
  }, 90_000);
});

describe('shutdown and secrets', () => {
  it('finishes a reply in flight before closing, and no log line holds the token', async () => {
    const ask0 = engine.ask.bind(engine);
    engine.ask = async (...args) => {
      await new Promise((r) => setTimeout(r, 600));
      return ask0(...args);
    };
    try {
      const { token } = await ask();
      await double.waitForReplies(token, (r) => r.callbacks.length > 0);
      await bot.stop();
      expect(edited(double.replies(token))).toBe(true);
    } finally {
      engine.ask = ask0;
    }
    expect(logText).toContain('"msg":"bot stopped"');
    expect(logText).not.toContain(TOKEN);
    await startTheBot();
    await double.waitForReady(15_000);
  }, 30_000);
});

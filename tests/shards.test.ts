/**
 * `npm start` with SHARDS=2 against the local test double of Discord with two servers, one on
 * each shard: discord.js's ShardingManager runs a process per shard, each answers its server from
 * the shared index, and an /add in one server (ADD_SCOPE=shared), written by the manager, answers in the other.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordApiDouble } from './discord-double/discord-api-double.js';
import { SEED_FILE, TEST_MODELS_DIR, tempDir } from './helpers.js';

const TOKEN = 'shard-token-MUST-NOT-LEAK-1234567890';
/** Two server ids that Discord routes to shards 0 and 1 of 2 (`(id >> 22) % 2`). */
const GUILD_A = ((200_000_000_000_000_000n >> 22n) << 22n).toString();
const GUILD_B = (BigInt(GUILD_A) + (1n << 22n)).toString();
const MANAGE_GUILD = String(1n << 5n);

let root: string;
let cleanup: () => Promise<void>;
let double: DiscordApiDouble;
let page: ReturnType<typeof createServer>;
let link: string;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'seeds'));
  await mkdir(path.join(root, 'data'));
  await copyFile(SEED_FILE, path.join(root, 'seeds', 'seed.txt'));
  await symlink(TEST_MODELS_DIR, path.join(root, 'data', 'models'));
  double = new DiscordApiDouble({ applicationId: '100000000000000051', guildIds: [GUILD_A, GUILD_B] });
  await double.start();
  page = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    if (req.url === '/news/lighthouse') {
      res.end(`<!doctype html><html><head><title>Brinsel lighthouse shines again</title><meta property="article:published_time" content="2026-01-25"></head>
<body><article><h1>Brinsel lighthouse shines again</h1><p>The Brinsel lighthouse lamp shone again on Friday night for the first time since 1987, its keeper Odalys Quint said.</p></article></body></html>`);
      return;
    }
    res.end(`<!doctype html><html><head><title>Quenwick reopens the Zorblatt bridge</title><meta property="article:published_time" content="2026-01-24"></head>
<body><article><h1>Quenwick reopens the Zorblatt bridge</h1>
<p>QUENWICK – The Zorblatt harbour bridge reopened on Tuesday after fourteen months of repairs that cost 42 million krona, mayor Ilse Vardengaard said.</p>
<p>Engineers replaced the bridge's corroded steel cables and both of its lifting spans, the harbour board said.</p></article></body></html>`);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  link = `http://127.0.0.1:${(page.address() as AddressInfo).port}/news/bridge`;
});

afterAll(async () => {
  page?.close();
  await double?.stop();
  await cleanup?.();
});

async function ask(question: string, guildId: string): Promise<string> {
  const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: question }], { id: `4000000000000001${guildId.slice(-2)}` }, { guildId });
  const replies = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200), 20_000);
  return JSON.stringify(replies.edits.at(-1)!.body);
}

/** The answer once the shard has reloaded: it looks for a newer index every 2 s, and is told at once after a write. */
async function answerOnceReloaded(question: string, guildId: string, expected: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await ask(question, guildId);
    if (answer.includes(expected) || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `npm start` with two shards, and `extra` settings; its output, and when it exits. */
function startShards(extra: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
    env: {
      ...process.env,
      CI: 'true',
      LOG_LEVEL: 'info',
      DATA_DIR: path.join(root, 'data'),
      SEEDS_DIR: path.join(root, 'seeds'),
      DISCORD_TOKEN: TOKEN,
      DISCORD_CLIENT_ID: double.applicationId,
      DISCORD_API_URL: double.apiUrl,
      ALLOW_PRIVATE_URLS: 'true',
      COOLDOWN_SECONDS: '0',
      SHARDS: '2',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, output: '', exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout.on('data', (c) => (run.output += c));
  child.stderr.on('data', (c) => (run.output += c));
  return run;
}

describe('npm start with SHARDS=2', () => {
  it('answers each server from its own shard, and an /add on one shard answers on the other', async () => {
    // The operator's choice: /add feeds the shared collection, so the other server (on the other shard) answers from it.
    const run = startShards({ ADD_SCOPE: 'shared' });
    try {
      await double.waitForGuild(GUILD_A, 60_000);
      await double.waitForGuild(GUILD_B, 60_000);
      expect(double.identifies.map((d) => d.shard).sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
      // The manager registered the commands once, globally; the shards did not register them again.
      expect(double.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/commands'))).toHaveLength(1);

      expect(await ask("Who will head Moscow's team?", GUILD_A)).toContain('Igor Kostyukov');
      expect(await ask("Who will head Moscow's team?", GUILD_B)).toContain('Igor Kostyukov');

      const added = await double.chatInput('add', [{ name: 'url', type: Option.String, value: link }], { id: '400000000000000201' }, { guildId: GUILD_A, memberPermissions: MANAGE_GUILD });
      const addReplies = await double.waitForReplies(added.token, (r) => r.edits.some((e) => e.response?.status === 200), 60_000);
      expect(addReplies.edits.at(-1)!.body.content).toMatch(/^Added in the shared collection: \*\*Quenwick reopens the Zorblatt bridge/);
      // The manager wrote it and told every shard to reload: the other server's shard answers from it.
      expect(await answerOnceReloaded('How much did the repairs of the Zorblatt bridge cost?', GUILD_B, '42 million krona')).toContain('42 million krona');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output).toContain('shards stopped');
    expect(run.output).not.toContain(TOKEN);
  }, 180_000);

  it('keeps an /add to its server: the manager writes it into that server\'s collection, and /collection remove takes it out, over IPC', async () => {
    const run = startShards({});
    try {
      await double.waitForGuild(GUILD_A, 60_000);
      await double.waitForGuild(GUILD_B, 60_000);
      const question = 'When did the Brinsel lighthouse lamp shine again?';
      const added = await double.chatInput('add', [{ name: 'url', type: Option.String, value: link.replace('/news/bridge', '/news/lighthouse') }], { id: '400000000000000202' }, { guildId: GUILD_A, memberPermissions: MANAGE_GUILD });
      const addReplies = await double.waitForReplies(added.token, (r) => r.edits.some((e) => e.response?.status === 200), 60_000);
      expect(addReplies.edits.at(-1)!.body.content).toMatch(/^Added in this server's collection: \*\*Brinsel lighthouse shines again/);
      expect(await answerOnceReloaded(question, GUILD_A, 'Odalys Quint')).toContain('Odalys Quint');
      expect(await ask(question, GUILD_B)).not.toContain('Brinsel');
      const removed = await double.chatInput(
        'collection',
        [{ name: 'remove', type: Option.Subcommand, options: [{ name: 'article', type: Option.String, value: 'Brinsel lighthouse shines again' }] }],
        { id: '400000000000000202' },
        { guildId: GUILD_A, memberPermissions: MANAGE_GUILD },
      );
      const removeReplies = await double.waitForReplies(removed.token, (r) => r.edits.some((e) => e.response?.status === 200), 60_000);
      expect(removeReplies.edits.at(-1)!.body.content).toBe("Removed from this server's collection: **Brinsel lighthouse shines again**");
      expect(await ask(question, GUILD_A)).not.toContain('Odalys Quint');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }, 180_000);
});

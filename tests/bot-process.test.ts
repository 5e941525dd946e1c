/**
 * `npm start` as a user runs it: the real process, configured by environment, against the
 * local test double of Discord's API.
 */
import { COMMANDS } from '../commands/index.js';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../src/index/store.js';
import { DiscordApiDouble } from './discord-double/discord-api-double.js';
import { SEED_FILE, TEST_MODELS_DIR, tempDir } from './helpers.js';

const TOKEN = 'process-token-MUST-NOT-LEAK-0987654321';
const TSX = path.resolve('node_modules/.bin/tsx');
let root: string;
let cleanup: () => Promise<void>;
let double: DiscordApiDouble;

function processEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, CI: 'true', LOG_LEVEL: 'info', DATA_DIR: path.join(root, 'data'), SEEDS_DIR: path.join(root, 'seeds'), ...env };
}

function start(env: Record<string, string>, input?: string) {
  // As `npm start` runs it: node with the tsx loader, not the tsx CLI, which kills a child that is
  // too busy to acknowledge a relayed signal within 30 ms (it would SIGKILL the bot mid-ingest).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
    env: processEnv(env),
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** A tiny HTTP server on 127.0.0.1 standing in for Discord's API, answering as `handle` says. */
async function fakeApi(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The exit code, or 'still running' when the process has not exited within `ms` (it is then killed). */
async function exitWithin(bot: ReturnType<typeof start>, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  const result = await Promise.race([bot.exited, late]);
  clearTimeout(timer);
  if (result === 'still running') bot.child.kill('SIGKILL');
  return result;
}

const waitFor = async (condition: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
};

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'seeds'));
  await mkdir(path.join(root, 'data'));
  await copyFile(SEED_FILE, path.join(root, 'seeds', 'seed.txt'));
  // Share the already built model instead of building it again for this data folder.
  await import('node:fs/promises').then((fs) => fs.symlink(TEST_MODELS_DIR, path.join(root, 'data', 'models')));
  double = new DiscordApiDouble({ applicationId: '100000000000000011', guildId: '200000000000000022' });
  await double.start();
});
afterAll(async () => {
  await double.stop();
  await cleanup();
});

describe('npm start with DISCORD_TOKEN', () => {
  it('runs the bot, answers /ask, and on SIGTERM closes the connection and exits 0 without logging the token', async () => {
    const bot = start({
      DISCORD_TOKEN: TOKEN,
      DISCORD_CLIENT_ID: double.applicationId,
      DISCORD_GUILD_ID: double.guildId,
      DISCORD_API_URL: double.apiUrl,
      ANSWER_RESULTS: '5',
    });
    await double.waitForReady(30_000);
    expect(double.identifies[0].token).toBe(TOKEN);
    expect(double.registeredCommands(double.guildId)).toHaveLength(COMMANDS.size);
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'Who will head Moscow’s team at the talks?' }]);
    const replies = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200), 10_000);
    expect(replies.edits.at(-1)!.body.embeds[0].description).toContain('Igor Kostyukov');
    // ANSWER_RESULTS sets how many passages /ask gives when the question does not say.
    const many = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'Putin' }], { id: '400000000000000077' });
    const manyReplies = await double.waitForReplies(many.token, (r) => r.edits.some((e) => e.response?.status === 200), 10_000);
    expect(manyReplies.edits.at(-1)!.body.embeds).toHaveLength(5);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('bot stopped');
    expect(bot.output()).not.toContain(TOKEN);
  });

  it('stops with one line naming a missing or malformed variable, never echoing the token', async () => {
    const missing = start({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: '' });
    expect(await missing.exited).toBe(1);
    expect(missing.output().trim()).toBe('error: Invalid configuration: DISCORD_CLIENT_ID: required when DISCORD_TOKEN is set (the application id)');

    const malformed = start({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: '42', DISCORD_API_URL: 'not a url' });
    expect(await malformed.exited).toBe(1);
    expect(malformed.output()).toMatch(/^error: Invalid configuration: DISCORD_CLIENT_ID: must be the application id/);
    expect(malformed.output()).not.toContain(TOKEN);

    const fileFeed = start({ FEEDS: 'file:///etc/passwd' });
    expect(await fileFeed.exited).toBe(1);
    expect(fileFeed.output().trim()).toBe('error: Invalid configuration: FEEDS.0: each feed must be a full http(s) address');
  });

  it('says in one line, naming DISCORD_API_URL, when Discord cannot be reached, and never prints the token', async () => {
    const refused = start({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: double.applicationId, DISCORD_API_URL: 'http://127.0.0.1:1/api', LOG_LEVEL: 'silent' });
    expect(await refused.exited).toBe(1);
    const lines = refused.output().trim().split('\n');
    expect(lines[0]).toMatch(/^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:1\/api \(DISCORD_API_URL\): /);
    expect(lines[1]).toMatch(/^Check DISCORD_API_URL/);
    expect(lines).toHaveLength(2);
    expect(refused.output()).not.toContain(TOKEN);
  });

  const faults: [string, (req: IncomingMessage, res: ServerResponse) => void, RegExp][] = [
    [
      'answers junk JSON',
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "1", "name": '),
      /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): the answer is not Discord’s API \(not JSON/,
    ],
    [
      'answers a 502 page',
      (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>'),
      /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): it answered 502 Bad Gateway$/,
    ],
    [
      'answers 401',
      (_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"message": "401: Unauthorized", "code": 0}'),
      /^error: Discord at http:\/\/127\.0\.0\.1:\d+\/api refused the token in DISCORD_TOKEN \(401 Unauthorized\)\.$/,
    ],
    [
      'never answers',
      () => undefined,
      /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): no answer within 1 s$/,
    ],
    [
      'takes the commands but never says where the gateway is',
      (req, res) => void (req.method === 'PUT' && res.writeHead(200, { 'content-type': 'application/json' }).end('[]')),
      /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): no answer within 1 s$/,
    ],
  ];
  it.each(faults)('says in one line naming the variable, without a stack trace or the token, when the API %s', async (_name, handle, expected) => {
    const api = await fakeApi(handle);
    try {
      // DISCORD_TIMEOUT_SECONDS=1: the API that never answers is given up on after 1 s instead of 15 s.
      const bot = start({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: double.applicationId, DISCORD_API_URL: api.url, DISCORD_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'silent' });
      expect(await exitWithin(bot, 30_000)).toBe(1);
      expect(api.requests.length).toBeGreaterThan(0);
      const lines = bot.output().trim().split('\n');
      expect(lines[0]).toMatch(expected);
      expect(lines[0]).toMatch(/DISCORD_API_URL|DISCORD_TOKEN/);
      expect(lines[1]).toMatch(/^Check DISCORD_/);
      expect(lines).toHaveLength(2);
      expect(bot.output()).not.toMatch(/unexpected error|^\s+at /m);
      expect(bot.output()).not.toContain(TOKEN);
    } finally {
      await api.close();
    }
  });
});

/** Another entry point as npm runs it (`node --import tsx <script>`), with the test's environment. */
function run(script: string, env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('npm run deploy-commands', () => {
  const deploy = (apiUrl: string, env: Record<string, string> = {}) =>
    run('src/cli/deploy-commands.ts', { DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: double.applicationId, DISCORD_API_URL: apiUrl, LOG_LEVEL: 'silent', ...env });

  /** Exit 1, and exactly two lines: the failure naming the variable, and what to check; no stack trace, never the token. */
  const expectOneClearLine = (output: string, first: RegExp) => {
    const lines = output.trim().split('\n');
    expect(lines[0]).toMatch(first);
    expect(lines[1]).toMatch(/^Check DISCORD_API_URL/);
    expect(lines).toHaveLength(2);
    expect(output).not.toMatch(/unexpected error|^\s+at /m);
    expect(output).not.toContain(TOKEN);
  };

  it('registers the commands', async () => {
    const deployed = deploy(double.apiUrl, { DISCORD_GUILD_ID: double.guildId });
    expect(await deployed.exited).toBe(0);
    expect(deployed.output().trim()).toBe(`Registered ${COMMANDS.size} commands in server ${double.guildId}.`);
  });

  it('says in one line, naming DISCORD_API_URL, when the port refuses connections', async () => {
    const refused = deploy('http://127.0.0.1:1/api');
    expect(await refused.exited).toBe(1);
    expectOneClearLine(refused.output(), /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:1\/api \(DISCORD_API_URL\): /);
  });

  it('never prints the token when the server quotes the Authorization header in its error', async () => {
    const api = await fakeApi((req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `Malformed header Authorization: ${req.headers.authorization}`, code: 0 })),
    );
    try {
      const quoted = deploy(api.url);
      expect(await exitWithin(quoted, 30_000)).toBe(1);
      expect(api.requests).toEqual([`PUT /api/v10/applications/${double.applicationId}/commands`]);
      expectOneClearLine(quoted.output(), /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): it answered 400 \(Malformed header Authorization: Bot \[redacted\]\)$/);
    } finally {
      await api.close();
    }
  });

  it('gives up within DISCORD_TIMEOUT_SECONDS, retries included, when the API never answers', async () => {
    const api = await fakeApi(() => undefined);
    try {
      const silent = deploy(api.url, { DISCORD_TIMEOUT_SECONDS: '1' });
      expect(await exitWithin(silent, 30_000)).toBe(1);
      expectOneClearLine(silent.output(), /^error: Could not connect to Discord at http:\/\/127\.0\.0\.1:\d+\/api \(DISCORD_API_URL\): no answer within 1 s$/);
    } finally {
      await api.close();
    }
  });
});

describe('what an entry point prints when it fails', () => {
  it('never holds the configured token, its quoted start or a quoted "Bot <token>" header, whatever the error', async () => {
    for (const kind of ['user', 'header', 'bug', 'quoted-start']) {
      const failed = run('tests/runtime-leak.ts', { DISCORD_TOKEN: TOKEN }, [kind]);
      expect(await failed.exited).toBe(1);
      expect(failed.output()).toContain('[redacted]');
      expect(failed.output()).not.toContain(TOKEN);
      expect(failed.output()).not.toContain(TOKEN.slice(0, 6));
      expect(failed.output()).not.toContain('abcdefghijklmnopqrstuvwxyz.0123456789');
    }
  });
});

describe('SIGTERM while Discord cannot be reached', () => {
  const discordEnv = (apiUrl: string) => ({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: double.applicationId, DISCORD_GUILD_ID: double.guildId, DISCORD_API_URL: apiUrl });

  it('exits 0 at once when the API never answers', async () => {
    const api = await fakeApi(() => undefined);
    try {
      const bot = start(discordEnv(api.url));
      await waitFor(() => api.requests.length > 0, 30_000);
      bot.child.kill('SIGTERM');
      expect(await exitWithin(bot, 5_000)).toBe(0);
      expect(bot.output()).toContain('stopped before connecting to Discord');
      expect(bot.output()).not.toContain(TOKEN);
    } finally {
      await api.close();
    }
  });

  it('exits 0 at once when the gateway refuses connections (discord.js retries it every half second)', async () => {
    const closed = await fakeApi(() => undefined);
    const gatewayUrl = closed.url.replace(/^http:(.*)\/api$/, 'ws:$1');
    await closed.close();
    const api = await fakeApi((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.endsWith('/gateway/bot')) {
        res.end(JSON.stringify({ url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } }));
      } else {
        res.end('[]');
      }
    });
    try {
      const bot = start(discordEnv(api.url));
      await waitFor(() => api.requests.some((r) => r.endsWith('/gateway/bot')), 30_000);
      await new Promise((r) => setTimeout(r, 1_500));
      bot.child.kill('SIGTERM');
      expect(await exitWithin(bot, 5_000)).toBe(0);
      expect(bot.output()).not.toContain(TOKEN);
    } finally {
      await api.close();
    }
  });

  it('exits 0 at once, after "bot stopped", when Discord went away while the bot was running', async () => {
    const gone = new DiscordApiDouble({ applicationId: double.applicationId, guildId: double.guildId });
    await gone.start();
    const bot = start(discordEnv(gone.apiUrl));
    try {
      await gone.waitForReady(30_000);
    } finally {
      await gone.stop();
    }
    // The gateway is now retried every half second, and each attempt refused.
    await new Promise((r) => setTimeout(r, 1_500));
    bot.child.kill('SIGTERM');
    expect(await exitWithin(bot, 5_000)).toBe(0);
    expect(bot.output()).toContain('bot stopped');
    expect(bot.output()).not.toContain(TOKEN);
  });
});

describe('ANSWER_RESULTS', () => {
  it('gives that many passages in the console and the CLI too', async () => {
    const console = start({ ANSWER_RESULTS: '5' }, '/ask Putin\n');
    expect(await console.exited).toBe(0);
    expect(console.output().match(/^\d+\. /gm)).toHaveLength(5);
    const cli = await promisify(execFile)(TSX, ['src/cli/ask.ts', 'Putin'], { env: processEnv({ ANSWER_RESULTS: '5', LOG_LEVEL: 'silent' }) });
    expect(cli.stdout.match(/^\d+\. /gm)).toHaveLength(5);
  });
});

describe('SIGTERM while /add is ingesting', () => {
  it('lets the reply in flight finish, frees the lock, keeps the index whole, and exits 0', async () => {
    // A long article, so that the ingest holds the write lock long enough for the signal to land inside it.
    const PARAGRAPHS = 80;
    const body = Array.from(
      { length: PARAGRAPHS },
      (_, i) => `<p>Crossing ${i + 1} of the island ferry carried ${100 + i} passengers and ${i % 7} lorries after the storm, the operator said on day ${i + 1}.</p>`,
    ).join('\n');
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Ferry service resumes</title><meta property="article:published_time" content="2026-01-24"></head>
<body><article><h1>Ferry service resumes after the storm</h1>${body}</article></body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const link = `http://127.0.0.1:${(server.address() as AddressInfo).port}/news/ferry`;
    const indexDir = path.join(root, 'data', 'index');
    try {
      const bot = start({
        DISCORD_TOKEN: TOKEN,
        DISCORD_CLIENT_ID: double.applicationId,
        DISCORD_GUILD_ID: double.guildId,
        DISCORD_API_URL: double.apiUrl,
        ALLOW_PRIVATE_URLS: 'true',
      });
      await double.waitForReady(30_000);
      const before = await readSnapshot(indexDir);
      const { token } = await double.chatInput('add', [{ name: 'url', type: Option.String, value: link }], { id: '400000000000000088' }, { memberPermissions: String(1n << 5n) });
      const lock = path.join(indexDir, 'LOCK');
      const deadline = Date.now() + 15_000;
      while (!existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      expect(existsSync(lock), 'the ingest took the write lock').toBe(true);
      bot.child.kill('SIGTERM');
      const replies = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200), 25_000);
      expect(replies.edits.at(-1)!.body.content).toMatch(/^Added in this server's collection: \*\*Ferry service resumes/);
      expect(await bot.exited).toBe(0);
      expect(existsSync(path.join(indexDir, 'LOCK'))).toBe(false);
      const after = (await readSnapshot(indexDir))!;
      expect([...after.manifest.articles.keys()]).toEqual(expect.arrayContaining([...before!.manifest.articles.keys()]));
      expect([...after.manifest.articles.values()].some((a) => a.title.startsWith('Ferry service resumes'))).toBe(true);
      expect(after.paragraphs.length).toBe(before!.paragraphs.length + PARAGRAPHS);
    } finally {
      server.close();
    }
  });
});

/**
 * `npm start` as a user runs it: the real process, configured by environment, against the
 * local test double of Discord's API.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationCommandOptionType as Option } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordApiDouble } from './discord-double/discord-api-double.js';
import { SEED_FILE, TEST_MODELS_DIR, tempDir } from './helpers.js';

const TOKEN = 'process-token-MUST-NOT-LEAK-0987654321';
const TSX = path.resolve('node_modules/.bin/tsx');
let root: string;
let cleanup: () => Promise<void>;
let double: DiscordApiDouble;

function start(env: Record<string, string>) {
  const child = spawn(TSX, ['src/cli/start.ts'], {
    env: { ...process.env, CI: 'true', LOG_LEVEL: 'info', DATA_DIR: path.join(root, 'data'), SEEDS_DIR: path.join(root, 'seeds'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

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
    });
    await double.waitForReady(30_000);
    expect(double.identifies[0].token).toBe(TOKEN);
    expect(double.registeredCommands(double.guildId)).toHaveLength(4);
    const { token } = await double.chatInput('ask', [{ name: 'question', type: Option.String, value: 'Who will head Moscow’s team at the talks?' }]);
    const replies = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200), 10_000);
    expect(replies.edits.at(-1)!.body.embeds[0].description).toContain('Igor Kostyukov');
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
  });
});

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PASSAGES_PER_ANSWER } from '../answers/answer.js';
import { UserError } from '../errors.js';

export const DEFAULT_EMBEDDING_MODEL = 'newsquote/wink-sg-100d-sif';

/**
 * How long one request to Discord may go unanswered before it is abandoned: discord.js's own
 * default. At start it bounds the whole connection attempt (retries included), so an address
 * that accepts the connection and never answers fails in 15 s instead of 4 × 15 s.
 */
export const DEFAULT_DISCORD_TIMEOUT_SECONDS = 15;

const SNOWFLAKE = /^\d{17,20}$/;

/** More shards than this is a typo: Discord asks one shard per 1,000 servers at most. */
const MAX_SHARDS = 1024;

/** A full http(s) address: `file:`, `gopher:` or `javascript:` are not addresses the bot should reach. */
const httpUrl = (message: string) =>
  z
    .string()
    .url(message)
    .refine((value) => /^https?:\/\//i.test(value), message);

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const configSchema = z.object({
  DATA_DIR: z.string().default('data'),
  INDEX_DIR: optionalString,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres:// address (postgres://user:password@host:5432/database)').optional()),
  SEEDS_DIR: z.string().default('seeds'),
  EMBEDDING_MODEL: z.string().min(1).default(DEFAULT_EMBEDDING_MODEL),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ANSWER_RESULTS: z.coerce.number().int().min(PASSAGES_PER_ANSWER.min).max(PASSAGES_PER_ANSWER.max).default(PASSAGES_PER_ANSWER.default),
  DISCORD_TOKEN: optionalString.pipe(z.string().regex(/^\S+$/, 'must be one word, without spaces').optional()),
  DISCORD_CLIENT_ID: optionalString.pipe(z.string().regex(SNOWFLAKE, 'must be the application id (a number of 17 to 20 digits)').optional()),
  DISCORD_GUILD_ID: optionalString.pipe(z.string().regex(SNOWFLAKE, 'must be a server id (a number of 17 to 20 digits)').optional()),
  DISCORD_API_URL: httpUrl('must be a full http(s) address (https://discord.com/api)').default('https://discord.com/api'),
  COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(3),
  ASK_DEFAULT_PRIVATE: z
    .enum(['true', 'false', '1', '0', ''], { errorMap: () => ({ message: 'must be true or false' }) })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  SHARDS: optionalString.pipe(
    z
      .union([z.literal('auto'), z.coerce.number().int('must be a whole number or "auto"').min(1).max(MAX_SHARDS)], { errorMap: () => ({ message: `must be "auto" or a number of shards from 1 to ${MAX_SHARDS}` }) })
      .optional(),
  ),
  ADD_SCOPE: z.enum(['server', 'shared'], { errorMap: () => ({ message: 'must be "server" (each server its own collection) or "shared"' }) }).default('server'),
  COLLECTION_GRACE_DAYS: z.coerce.number().int('must be a whole number of days').min(0).max(3650).default(30),
  DISCORD_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(DEFAULT_DISCORD_TIMEOUT_SECONDS),
  FEEDS: z
    .string()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(httpUrl('each feed must be a full http(s) address'))),
  FEED_POLL_MINUTES: z.coerce.number().min(1).max(24 * 60).default(30),
  RETAIN_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int('must be a whole number of days').min(1).max(36_500).optional()),
  ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Set by CI services: logs stay JSON lines even on a terminal. */
  CI: z.string().optional().transform((v) => v !== undefined && v !== '' && v !== 'false' && v !== '0'),
});

export interface Config {
  dataDir: string;
  indexDir: string;
  /** The index in Postgres instead of `indexDir` (DATABASE_URL); `indexDir` then holds only the feeds' back-off state. */
  databaseUrl: string | undefined;
  /** Connections each process keeps to it (DATABASE_POOL_SIZE): a managed Postgres limits them across every shard and host. */
  databasePoolSize: number;
  modelsDir: string;
  seedsDir: string;
  embeddingModel: string;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  /** Human-readable log lines: stderr is a terminal and not in CI. */
  prettyLogs: boolean;
  /** Passages per answer when the question does not say (ANSWER_RESULTS). */
  answerResults: number;
  /** RSS or Atom feeds that the running bot polls for new articles. */
  feeds: string[];
  feedPollMinutes: number;
  /** Allow links to private, loopback and link-local addresses from Discord and feeds (local use, tests). */
  allowPrivateUrls: boolean;
  /** Articles dated more than this many days ago are dropped at ingest (RETAIN_DAYS); undefined keeps all. */
  retainDays: number | undefined;
  /** Present when DISCORD_TOKEN is set: `npm start` runs the bot instead of the console. */
  discord: DiscordConfig | undefined;
}

export interface DiscordConfig {
  token: string;
  clientId: string;
  /** Register commands in this server only (instant); globally without it. */
  guildId: string | undefined;
  /** REST base ("…/api"); the gateway is discovered from it. */
  apiUrl: string;
  cooldownSeconds: number;
  /** How long a request to Discord may go unanswered (DISCORD_TIMEOUT_SECONDS; 15 when absent). */
  timeoutSeconds?: number;
  /** Answers only the asker sees unless a command says `private:false` (ASK_DEFAULT_PRIVATE). */
  privateByDefault?: boolean;
  /** Where `/add` puts an article (ADD_SCOPE): the server's own collection, or the shared one. */
  addScope?: 'server' | 'shared';
  /** Days a server's collection is kept after the bot is removed from it (COLLECTION_GRACE_DAYS). */
  collectionGraceDays?: number;
  /** SHARDS: run discord.js's ShardingManager with this many shard processes ("auto": as many as Discord recommends); one process when absent. */
  shards?: number | 'auto';
}

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(file = '.env'): void {
  if (!existsSync(file)) return;
  if (!statSync(file).isFile()) throw new UserError(`${file} is not a file: it should hold the settings, one NAME=value a line (see .env.example).`);
  process.loadEnvFile(file);
}

/**
 * The secrets configured (DISCORD_TOKEN, as set and trimmed), read even when the configuration
 * does not parse: what printed errors must never hold (see `runMain`).
 */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const token = env.DISCORD_TOKEN;
  const secrets = token ? [token, token.trim()] : [];
  const database = env.DATABASE_URL?.trim();
  // The password only: the rest of the address is what error messages name.
  if (database) secrets.push(...passwordOf(database));
  return [...new Set(secrets)].filter(Boolean);
}

/** The password of a connection address, as typed and decoded; none when it has none or does not parse. */
function passwordOf(address: string): string[] {
  try {
    const { password } = new URL(address);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/** Parses the environment once; a bad variable stops with one line naming it (never its value). */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // In a shard's process, discord.js's ShardingManager sets SHARDS to the shard's own ids: not ours to read.
  const parsed = configSchema.safeParse(env.SHARDING_MANAGER ? { ...env, SHARDS: undefined } : env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.DISCORD_TOKEN && !c.DISCORD_CLIENT_ID) {
    throw new UserError('Invalid configuration: DISCORD_CLIENT_ID: required when DISCORD_TOKEN is set (the application id)');
  }
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    dataDir,
    indexDir: path.resolve(c.INDEX_DIR ?? path.join(dataDir, 'index')),
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    modelsDir: path.join(dataDir, 'models'),
    seedsDir: path.resolve(c.SEEDS_DIR),
    embeddingModel: c.EMBEDDING_MODEL,
    logLevel: c.LOG_LEVEL,
    prettyLogs: Boolean(process.stderr.isTTY) && !c.CI,
    answerResults: c.ANSWER_RESULTS,
    feeds: c.FEEDS,
    feedPollMinutes: c.FEED_POLL_MINUTES,
    allowPrivateUrls: c.ALLOW_PRIVATE_URLS,
    retainDays: c.RETAIN_DAYS,
    discord: c.DISCORD_TOKEN
      ? {
          token: c.DISCORD_TOKEN,
          clientId: c.DISCORD_CLIENT_ID!,
          guildId: c.DISCORD_GUILD_ID,
          apiUrl: c.DISCORD_API_URL.replace(/\/+$/, ''),
          cooldownSeconds: c.COOLDOWN_SECONDS,
          timeoutSeconds: c.DISCORD_TIMEOUT_SECONDS,
          privateByDefault: c.ASK_DEFAULT_PRIVATE,
          addScope: c.ADD_SCOPE,
          collectionGraceDays: c.COLLECTION_GRACE_DAYS,
          ...(c.SHARDS !== undefined ? { shards: c.SHARDS } : {}),
        }
      : undefined,
  };
}

/**
 * The bot in shards (SHARDS): discord.js's ShardingManager runs one process per shard
 * (`src/cli/shard.ts`), each answering the servers Discord routes to it from the shared index.
 * The manager's process does every write: the seeds at start, feed polls, each shard's `/add`
 * and `/collection remove` forwarded to it over the processes' IPC channel, and the deletion of
 * the collections of servers the bot left (their shards note the departure). After a write it tells every shard to
 * reload; shards also look for a newer index every two seconds, as a single bot does. With the
 * file index, shards only read its folder; with Postgres, they read the database.
 */
import { fileURLToPath } from 'node:url';
import { Routes, ShardingManager, type Shard } from 'discord.js';
import type { Config, DiscordConfig } from '../config/config.js';
import type { Embedder } from '../embedding/embedder.js';
import { pollFeedsEvery } from '../background/feed-poller.js';
import type { IndexTarget } from '../index/ingest.js';
import { mergeUntilTidy } from '../index/merge.js';
import type { Logger } from '../log.js';
import { UserError } from '../errors.js';
import type { AddReport, CollectionWriter } from './context.js';
import type { Membership } from '../index/collections.js';
import type { IngestReport } from '../index/ingest.js';
import { writingHere, DEFAULT_GRACE_DAYS } from './bot.js';
import { deleteDepartedCollections } from './servers.js';
import { every } from '../background/every.js';
import { deployIfChanged, restClient } from './deploy.js';

/** The shard process's entry point. */
const SHARD_SCRIPT = fileURLToPath(new URL('../cli/shard.ts', import.meta.url));
/** How long a shard may take from spawn to READY before the manager gives up on the start. */
const SHARD_READY_MS = 60_000;
/** How long a write forwarded to the manager may take (an `/add`: fetch, embed, write). */
const WRITE_TIMEOUT_MS = 120_000;
/** How often the manager looks for collections of departed servers to delete. */
const DEPARTED_CHECK_MS = 60 * 60_000;

/** A write a shard asks of its manager: one of `CollectionWriter`'s. */
type Write = { kind: 'add'; link: string; collection: Membership } | { kind: 'leave'; collection: string; ids?: string[] };
/** The messages between the manager and its shards (besides discord.js's own). */
type ToManager = { newsquote: 'write'; id: number; write: Write };
type ToShard = { newsquote: 'written'; id: number; report?: IngestReport; error?: string; userError?: boolean } | { newsquote: 'reload' };

export interface RunningShards {
  /** Stops the feed polls, then each shard (which drains its replies), without respawning them. */
  stop(): Promise<void>;
}

export interface ShardManagerOptions {
  config: Config;
  discord: DiscordConfig;
  target: IndexTarget;
  embedder: Embedder;
  log: Logger;
}

/** Starts the shards and serves their writes; resolves once every shard is ready. */
export async function startShards({ config, discord, target, embedder, log }: ShardManagerOptions): Promise<RunningShards> {
  const rest = restClient(discord);
  await deployIfChanged(discord, config.dataDir, log, rest);
  const totalShards = discord.shards === 'auto' || discord.shards === undefined ? await recommendedShards(rest) : discord.shards;
  const manager = new ShardingManager(SHARD_SCRIPT, {
    token: discord.token,
    totalShards,
    mode: 'process',
    respawn: true,
    execArgv: [...process.execArgv],
  });
  const afterWrite = async () => {
    if (typeof target === 'string') await mergeUntilTidy(target, [], (merge) => log.info(merge, 'segments merged'));
    await manager.broadcast({ newsquote: 'reload' } satisfies ToShard).catch((error: unknown) => log.warn({ err: error }, 'could not tell the shards to reload'));
  };
  const here = writingHere({ target, embedder }, { allowPrivateUrls: config.allowPrivateUrls, retainDays: config.retainDays });
  manager.on('shardCreate', (shard) => {
    log.info({ shard: shard.id, shards: totalShards }, 'shard started');
    shard.on('message', (message: unknown) => {
      if (isWriteRequest(message)) void serveWrite(shard, message, here, afterWrite, log);
    });
  });
  await manager.spawn({ timeout: SHARD_READY_MS });
  log.info({ shards: totalShards }, 'all shards ready');
  const feeds = config.feeds.length
    ? pollFeedsEvery({ target, embedder, indexDir: config.indexDir, reload: async () => (await afterWrite(), true) }, log, {
        feeds: config.feeds,
        minutes: config.feedPollMinutes,
        allowPrivate: config.allowPrivateUrls,
        retainDays: config.retainDays,
      })
    : undefined;
  const departed = every(
    DEPARTED_CHECK_MS,
    () =>
      deleteDepartedCollections(config.dataDir, discord.collectionGraceDays ?? DEFAULT_GRACE_DAYS, new Date(), async (collection) => {
        const report = await here.leave(collection);
        if (report.wrote) await afterWrite();
        return report;
      }, log).then(
        () => undefined,
        (error: unknown) => log.warn({ err: error }, "could not delete departed servers' collections"),
      ),
    { now: true },
  );
  return {
    async stop() {
      await departed.stop();
      await feeds?.stop();
      manager.respawn = false;
      await Promise.all(manager.shards.map((shard) => stopShard(shard)));
      log.info('shards stopped');
    },
  };
}

/** As many shards as Discord recommends for the bot (GET /gateway/bot, at DISCORD_API_URL). */
async function recommendedShards(rest: ReturnType<typeof restClient>): Promise<number> {
  const { shards } = (await rest.get(Routes.gatewayBot())) as { shards?: unknown };
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1) throw new Error(`Discord recommended ${String(shards)} shards`);
  return shards;
}

async function serveWrite(shard: Shard, request: ToManager, here: CollectionWriter, afterWrite: () => Promise<void>, log: Logger): Promise<void> {
  let reply: ToShard;
  const { write } = request;
  try {
    const report = write.kind === 'add' ? await here.add(write.link, write.collection) : await here.leave(write.collection, write.ids);
    if (report.wrote) await afterWrite();
    reply = { newsquote: 'written', id: request.id, report };
  } catch (error) {
    log.warn({ shard: shard.id, write: write.kind, err: error }, 'a write forwarded by a shard failed');
    reply = { newsquote: 'written', id: request.id, error: (error as Error).message, userError: error instanceof UserError };
  }
  await shard.send(reply).catch((error: unknown) => log.warn({ shard: shard.id, err: error }, 'could not answer a shard'));
}

/** SIGTERM, as to a single bot: the shard drains its replies and exits; then it is waited for. */
async function stopShard(shard: Shard): Promise<void> {
  const child = shard.process;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function isWriteRequest(message: unknown): message is ToManager {
  const m = message as Partial<ToManager> | null;
  const write = m?.write as Partial<Write> | undefined;
  return m?.newsquote === 'write' && typeof m.id === 'number' && (write?.kind === 'add' || write?.kind === 'leave') && typeof write.collection !== 'undefined';
}

/**
 * A shard's side of the link to its manager: its writes forwarded to it (the manager writes), and
 * `onReload` told when the manager wrote. Only in a process spawned by the ShardingManager.
 */
export function managerLink(onReload: () => void): { writer: CollectionWriter } {
  if (!process.send) throw new Error('a shard runs under the ShardingManager (SHARDS), with an IPC channel');
  const pending = new Map<number, { resolve: (report: IngestReport) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on('message', (message: ToShard) => {
    if (message?.newsquote === 'reload') onReload();
    if (message?.newsquote !== 'written') return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (!waiting) return;
    if (message.report) waiting.resolve(message.report);
    else waiting.reject(message.userError ? new UserError(message.error ?? 'The change could not be made.') : new Error(message.error ?? 'the manager could not write'));
  });
  const ask = (write: Write) =>
      new Promise<IngestReport>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the shard manager did not answer a write (${write.kind}) within ${WRITE_TIMEOUT_MS / 1000} s`));
        }, WRITE_TIMEOUT_MS);
        timer.unref();
        const settle = <T>(done: (value: T) => void) => (value: T) => {
          clearTimeout(timer);
          done(value);
        };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        process.send!({ newsquote: 'write', id, write } satisfies ToManager);
      });
  return {
    writer: {
      add: async (link, collection) => (await ask({ kind: 'add', link, collection })) as AddReport,
      leave: (collection, ids) => ask({ kind: 'leave', collection, ...(ids ? { ids } : {}) }),
    },
  };
}

/**
 * What each Discord server chose and where it stands (issue #17): which collections each of its
 * channels answers from (`/collection channel`), and when the bot was removed from it. One small
 * file per server in `<data>/servers/`, written atomically (a temporary file renamed over it): a
 * server is served by one process (one shard), so no two processes write the same file.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isSnowflake, serverCollection, SHARED } from '../index/collections.js';
import type { Logger } from '../log.js';
import { UserError } from '../errors.js';

/** What a channel answers from: the shared collection, the server's own, or both (the default). */
export const CHANNEL_USES = ['shared', 'server', 'both'] as const;
export type ChannelUse = (typeof CHANNEL_USES)[number];

const SNOWFLAKE = z.string().regex(/^\d{15,21}$/);
export const DIGEST_EVERY = ['hourly', 'daily'] as const;

/** A channel digest (`/digest`): the new articles posted in a channel on a schedule. */
const SUBSCRIPTION = z.object({
  id: z.string().regex(/^[0-9a-f]{8}$/),
  channelId: SNOWFLAKE,
  every: z.enum(DIGEST_EVERY),
  topic: z.string().max(200).optional(),
  /** The moderator who set it up: told by DM if the channel can no longer be posted in. */
  createdBy: SNOWFLAKE,
  /** Articles stored after this are new to the channel (the last post, or the setup). */
  since: z.string().datetime(),
  /** When to look for new articles next. */
  nextAt: z.string().datetime(),
  /** Set when the channel could no longer be posted in: nothing is posted until it is set up again. */
  disabled: z.object({ at: z.string().datetime(), reason: z.string().max(300) }).optional(),
  /** Failing feeds already reported in this channel (a feed is reported again only after it recovered). */
  reportedFeeds: z.array(z.string().max(2000)).max(100).default([]),
});
export type Subscription = z.infer<typeof SUBSCRIPTION>;

const SERVER_FILE = z.object({
  channels: z.record(SNOWFLAKE, z.enum(CHANNEL_USES)).default({}),
  /** ISO time the bot was removed from the server; absent while it is there. */
  leftAt: z.string().datetime().optional(),
  digests: z.array(SUBSCRIPTION).max(50).default([]),
});
type ServerFile = z.infer<typeof SERVER_FILE>;

/** Channel digests a server may have. */
export const MAX_DIGESTS = 20;

/** A server file larger than this is not read (a few thousand channels' settings fit many times over). */
const MAX_FILE_BYTES = 1_000_000;

export class Servers {
  private readonly files = new Map<string, ServerFile>();
  /** Writes of one server, in order. */
  private readonly writing = new Map<string, Promise<void>>();

  private constructor(readonly dir: string) {}

  /** Reads every server's file; one that cannot be read is logged and counts as no settings. */
  static async open(dataDir: string, log?: Logger): Promise<Servers> {
    const servers = new Servers(path.join(dataDir, 'servers'));
    for (const [guildId, file] of await readServerFiles(servers.dir, log)) servers.files.set(guildId, file);
    return servers;
  }

  /** The collections an interaction in this server and channel answers from (a direct message: the shared one). */
  visibleCollections(guildId: string | null, channelId: string | null): string[] {
    if (!guildId || !isSnowflake(guildId)) return [SHARED];
    const use = (channelId && this.files.get(guildId)?.channels[channelId]) || 'both';
    const own = serverCollection(guildId);
    return use === 'shared' ? [SHARED] : use === 'server' ? [own] : [SHARED, own];
  }

  channelUse(guildId: string, channelId: string): ChannelUse {
    return this.files.get(guildId)?.channels[channelId] ?? 'both';
  }

  async setChannelUse(guildId: string, channelId: string, use: ChannelUse): Promise<void> {
    if (!isSnowflake(channelId)) throw new Error(`not a Discord channel id: ${JSON.stringify(channelId.slice(0, 40))}`);
    await this.update(guildId, (file) => ({ ...file, channels: { ...file.channels, [channelId]: use } }));
  }

  /** Every channel digest of the servers this process serves, with its server. */
  subscriptions(): { guildId: string; subscription: Subscription }[] {
    return [...this.files].flatMap(([guildId, file]) => (file.leftAt ? [] : file.digests.map((subscription) => ({ guildId, subscription }))));
  }

  /** Sets up a channel's digest, replacing the one it had. */
  async subscribe(guildId: string, subscription: Subscription): Promise<void> {
    SUBSCRIPTION.parse(subscription);
    await this.update(guildId, (file) => {
      const others = file.digests.filter((d) => d.channelId !== subscription.channelId);
      if (others.length >= MAX_DIGESTS) throw new UserError(`This server has ${MAX_DIGESTS} channel digests already: stop one first.`);
      return { ...file, digests: [...others, subscription] };
    });
  }

  /** Stops a channel's digest; returns whether it had one. */
  async unsubscribe(guildId: string, channelId: string): Promise<boolean> {
    const had = this.files.get(guildId)?.digests.some((d) => d.channelId === channelId) ?? false;
    if (had) await this.update(guildId, (file) => ({ ...file, digests: file.digests.filter((d) => d.channelId !== channelId) }));
    return had;
  }

  async updateSubscription(guildId: string, id: string, change: (subscription: Subscription) => Subscription): Promise<void> {
    await this.update(guildId, (file) => ({ ...file, digests: file.digests.map((d) => (d.id === id ? change(d) : d)) }));
  }

  /** The bot was removed from the server: its collection is deleted after the grace period unless it returns. */
  async left(guildId: string, at: Date): Promise<void> {
    await this.update(guildId, (file) => ({ ...file, leftAt: at.toISOString() }));
  }

  /** The bot is in the server (again): nothing of it is to be deleted. */
  async present(guildId: string): Promise<void> {
    if (this.files.get(guildId)?.leftAt === undefined) return;
    await this.update(guildId, ({ leftAt: _leftAt, ...file }) => file);
  }

  private async update(guildId: string, change: (file: ServerFile) => ServerFile): Promise<void> {
    serverCollection(guildId); // checks the id: it names a file
    const previous = this.writing.get(guildId) ?? Promise.resolve();
    const write = previous.then(async () => {
      const next = change(this.files.get(guildId) ?? { channels: {}, digests: [] });
      await writeAtomically(path.join(this.dir, `${guildId}.json`), `${JSON.stringify(next)}\n`);
      this.files.set(guildId, next);
    });
    this.writing.set(guildId, write.catch(() => undefined));
    await write;
  }
}

/**
 * Deletes the collection of every server the bot left more than `graceDays` ago (read from the
 * servers' files now, as another process may have written them), then forgets the server. Run by
 * the process that writes the index: the bot, or the shard manager.
 */
export async function deleteDepartedCollections(
  dataDir: string,
  graceDays: number,
  now: Date,
  leave: (collection: string) => Promise<{ left: number; removed: number }>,
  log: Logger,
): Promise<string[]> {
  const dir = path.join(dataDir, 'servers');
  const cutoff = now.getTime() - graceDays * 86_400_000;
  const deleted: string[] = [];
  for (const [guildId, file] of await readServerFiles(dir, log)) {
    if (file.leftAt === undefined || Date.parse(file.leftAt) > cutoff) continue;
    const collection = serverCollection(guildId);
    const { left, removed } = await leave(collection);
    await rm(path.join(dir, `${guildId}.json`), { force: true });
    log.info({ guild: guildId, leftAt: file.leftAt, articles: left, removed }, 'server collection deleted after the grace period');
    deleted.push(guildId);
  }
  return deleted;
}

async function readServerFiles(dir: string, log?: Logger): Promise<Map<string, ServerFile>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = new Map<string, ServerFile>();
  for (const name of names) {
    const guildId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
    if (!isSnowflake(guildId)) continue;
    const where = path.join(dir, name);
    try {
      const text = await readFile(where, 'utf8');
      if (text.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      files.set(guildId, SERVER_FILE.parse(JSON.parse(text)));
    } catch (error) {
      log?.warn({ file: where, err: error }, 'a server settings file could not be read: its settings are the defaults');
    }
  }
  return files;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * How each feed the bot polls (FEEDS) has fared: polls failed in a row, and why the last one
 * failed. Written by the process that polls, after each poll, to `<indexDir>/feed-health.json`
 * (by rename: a crash leaves the old file whole); read by channel digests, which report a feed
 * failing `FEED_FAILING_POLLS` polls in a row once in their channel.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const FEED_FAILING_POLLS = 3;
const FILE = 'feed-health.json';
/** A feed's last error, as kept and shown. */
const MAX_REASON = 300;

const healthSchema = z.record(z.string(), z.object({ failures: z.number().int().min(0), reason: z.string().optional(), at: z.string() }));
export type FeedHealth = z.infer<typeof healthSchema>;

/** The feeds' health; nothing known when the file is missing or unreadable. */
export async function readFeedHealth(indexDir: string): Promise<Map<string, FeedHealth[string]>> {
  const parsed = healthSchema.safeParse(await readFile(path.join(indexDir, FILE), 'utf8').then(JSON.parse, () => ({})));
  return new Map(parsed.success ? Object.entries(parsed.data) : []);
}

/** Records one poll: each feed failed (with its reason) or answered. Feeds no longer polled are forgotten. */
export async function recordFeedPoll(indexDir: string, feeds: readonly string[], failed: ReadonlyMap<string, string>, now = new Date()): Promise<void> {
  const before = await readFeedHealth(indexDir);
  const next: FeedHealth = {};
  for (const feed of feeds) {
    const reason = failed.get(feed);
    next[feed] = reason === undefined ? { failures: 0, at: now.toISOString() } : { failures: (before.get(feed)?.failures ?? 0) + 1, reason: reason.slice(0, MAX_REASON), at: now.toISOString() };
  }
  const file = path.join(indexDir, FILE);
  await mkdir(indexDir, { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(next));
  await rename(`${file}.tmp`, file);
}

import type { Engine } from '../engine.js';
import { ingestFromWeb } from '../index/ingest-web.js';
import type { Logger } from '../log.js';
import { DEFAULT_LIMITS } from '../web/fetch-page.js';
import { recordFeedPoll } from '../web/feed-health.js';
import { every, type Repeating } from './every.js';

export interface FeedPolling {
  feeds: string[];
  minutes: number;
  /** Feed items may point at private addresses (ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  retainDays?: number;
}

/** Where a poll writes (the index, its back-off state in `indexDir`) and what hears of a write: the engine, or the shard manager. */
export type FeedWriter = Pick<Engine, 'target' | 'embedder' | 'indexDir' | 'reload'>;

/** Polls the feeds now and every `minutes`, ingesting only new items. */
export function pollFeedsEvery(engine: FeedWriter, log: Logger, { feeds, minutes, allowPrivate, retainDays }: FeedPolling): Repeating {
  return every(minutes * 60_000, () => pollFeeds(engine, log, feeds, allowPrivate, retainDays), { now: true });
}

/** Ingests the new items of the feeds (one generation per poll) and switches to it. */
export async function pollFeeds(engine: FeedWriter, log: Logger, feeds: string[], allowPrivate: boolean, retainDays?: number): Promise<void> {
  let failed: Map<string, string>;
  try {
    const report = await ingestFromWeb(engine.target, engine.embedder, { urls: [], feeds, limits: { ...DEFAULT_LIMITS, allowPrivate }, backOffDir: engine.indexDir, retainDays });
    log.info({ feeds: feeds.length, added: report.added, updated: report.updated, problems: report.problems.length }, 'feeds polled');
    for (const p of report.problems) log.warn({ link: p.location, reason: p.reason }, 'feed item skipped');
    failed = new Map(report.problems.filter((p) => feeds.includes(p.location)).map((p) => [p.location, p.reason]));
    if (report.wrote) await engine.reload();
  } catch (error) {
    log.warn({ err: error }, 'feed poll failed; will try again');
    failed = new Map(feeds.map((feed) => [feed, (error as Error).message]));
  }
  // Channel digests report a feed that keeps failing (src/discord/digests.ts).
  await recordFeedPoll(engine.indexDir, feeds, failed).catch((error: unknown) => log.warn({ err: error }, 'could not record the feeds\' health'));
}

/**
 * Channel digests (`/digest`): on each subscription's schedule, the articles stored since its
 * last post are posted in its channel (at most `DIGEST_POST_ARTICLES`, nothing when nothing is
 * new), seen through that channel's collections. A channel the bot can no longer post in
 * disables its digest, which is logged and told to the moderator who set it up. A feed failing
 * `FEED_FAILING_POLLS` polls in a row is reported once in each digest channel.
 */
import { randomBytes } from 'node:crypto';
import { DiscordAPIError, type Client } from 'discord.js';
import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import { FEED_FAILING_POLLS, readFeedHealth } from '../web/feed-health.js';
import { digestPostMessage, digestStoppedMessage, feedFailingMessage } from './render.js';
import { post } from './respond.js';
import type { Servers, Subscription } from './servers.js';

export const DIGEST_PERIOD_MS = { hourly: 60 * 60_000, daily: 24 * 60 * 60_000 } as const;
/** How often subscriptions are looked at: a post is at most this late. */
export const DIGEST_CHECK_MS = 60_000;
/** Discord's answers that mean the bot may no longer post in a channel: Unknown Channel, Missing Access, Missing Permissions. */
const CANNOT_POST = new Set([10003, 50001, 50013]);

export interface DigestRun {
  client: Client;
  servers: Servers;
  /** Every article; each subscription sees its channel's collections of it. */
  engine: Engine;
  /** Where the feeds' health is kept (the index folder). */
  indexDir: string;
  log: Logger;
  now: Date;
}

/** A new subscription: new articles are those stored from now on; the first look is one period away. */
export function newSubscription(channelId: string, every: Subscription['every'], createdBy: string, now: Date, topic?: string): Subscription {
  return {
    id: randomBytes(4).toString('hex'),
    channelId,
    every,
    ...(topic?.trim() ? { topic: topic.trim() } : {}),
    createdBy,
    since: now.toISOString(),
    nextAt: new Date(now.getTime() + DIGEST_PERIOD_MS[every]).toISOString(),
    reportedFeeds: [],
  };
}

/** Posts every digest that is due; returns how many posts were made. Each subscription's failure is its own. */
export async function postDueDigests(run: DigestRun): Promise<number> {
  // In shards, each posts the digests of its own servers only.
  const due = run.servers
    .subscriptions()
    .filter(({ guildId, subscription }) => !subscription.disabled && Date.parse(subscription.nextAt) <= run.now.getTime() && run.client.guilds.cache.has(guildId));
  if (due.length === 0) return 0;
  const failing = [...(await readFeedHealth(run.indexDir))].filter(([, h]) => h.failures >= FEED_FAILING_POLLS);
  let posts = 0;
  for (const { guildId, subscription } of due) {
    try {
      posts += await postDigest(run, guildId, subscription, failing);
    } catch (error) {
      run.log.warn({ guild: guildId, channel: subscription.channelId, err: error }, 'digest failed; will try again');
    }
  }
  return posts;
}

async function postDigest(run: DigestRun, guildId: string, subscription: Subscription, failing: [string, { failures: number; reason?: string }][]): Promise<number> {
  const { client, servers, log, now } = run;
  const engine = run.engine.within(servers.visibleCollections(guildId, subscription.channelId));
  const fresh = await engine.newArticles(subscription.since, subscription.topic ? { topic: subscription.topic } : {});
  const newlyFailing = failing.filter(([feed]) => !subscription.reportedFeeds.includes(feed));
  const stillReported = subscription.reportedFeeds.filter((feed) => failing.some(([f]) => f === feed));
  const messages = [
    ...(fresh.items.length ? [digestPostMessage(fresh, subscription.since)] : []),
    ...newlyFailing.map(([feed, h]) => feedFailingMessage(feed, h.failures, h.reason)),
  ];
  let posted = 0;
  if (messages.length) {
    const stopped = await postAll(client, guildId, subscription.channelId, messages);
    if (stopped) {
      log.warn({ guild: guildId, channel: subscription.channelId, reason: stopped }, 'digest disabled: the channel can no longer be posted in');
      await servers.updateSubscription(guildId, subscription.id, (s) => ({ ...s, disabled: { at: now.toISOString(), reason: stopped } }));
      await tellModerator(client, subscription, stopped).catch((error: unknown) => log.warn({ guild: guildId, user: subscription.createdBy, err: error }, 'could not tell the moderator that a digest stopped'));
      return 0;
    }
    posted = messages.length;
    log.info({ guild: guildId, channel: subscription.channelId, articles: fresh.items.length, more: fresh.more, feedsReported: newlyFailing.length }, 'digest posted');
  }
  await servers.updateSubscription(guildId, subscription.id, (s) => ({
    ...s,
    ...(fresh.newest ? { since: fresh.newest } : {}),
    nextAt: new Date(now.getTime() + DIGEST_PERIOD_MS[s.every]).toISOString(),
    reportedFeeds: [...stillReported, ...newlyFailing.map(([feed]) => feed)],
  }));
  return posted;
}

/** Posts the messages in order; returns why the channel cannot be posted in, or undefined when all were posted. */
async function postAll(client: Client, guildId: string, channelId: string, messages: Parameters<typeof post>[1][]): Promise<string | undefined> {
  let channel;
  try {
    channel = await client.channels.fetch(channelId);
  } catch (error) {
    if (error instanceof DiscordAPIError && CANNOT_POST.has(Number(error.code))) return error.message;
    throw error;
  }
  // A channel of another server is never posted in, whatever id a subscription holds.
  if (!channel || channel.isDMBased() || channel.guildId !== guildId || !channel.isSendable()) return 'the channel is not a text channel of this server';
  for (const message of messages) {
    try {
      await post(channel, message);
    } catch (error) {
      if (error instanceof DiscordAPIError && CANNOT_POST.has(Number(error.code))) return error.message;
      throw error;
    }
  }
  return undefined;
}

async function tellModerator(client: Client, subscription: Subscription, reason: string): Promise<void> {
  await post(await client.users.createDM(subscription.createdBy), digestStoppedMessage(subscription.channelId, reason));
}

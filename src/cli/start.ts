import { once } from 'node:events';
import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes, HTTPError } from 'discord.js';
import { pollFeedsEvery } from '../background/feed-poller.js';
import { watchIndex } from '../background/index-watcher.js';
import type { DiscordConfig } from '../config/config.js';
import { runConsole } from '../console/repl.js';
import { StartAbandoned, startBot } from '../discord/bot.js';
import { Engine } from '../engine.js';
import { UserError } from '../errors.js';
import { ingest } from '../index/ingest.js';
import { scrubTokens } from '../log.js';
import { describeIngest, logIngest, progressReporter } from './ingest-report.js';
import { runMain, startRuntime } from './runtime.js';

/**
 * A failure to reach Discord at start, as one line that names the variable to check (a refused
 * token, no answer in time, an answer that is not Discord's API, an HTTP error, the network), a
 * hint, and never the token.
 */
function discordUnreachable(error: unknown, discord: DiscordConfig): UserError {
  const hint = 'Check DISCORD_API_URL (the REST base, https://discord.com/api), DISCORD_TOKEN and DISCORD_CLIENT_ID, and the network.';
  const tokenRefused =
    (error instanceof DiscordAPIError && error.status === 401) || (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid);
  if (tokenRefused) {
    return new UserError(
      `Discord at ${discord.apiUrl} refused the token in DISCORD_TOKEN (401 Unauthorized).`,
      'Check DISCORD_TOKEN (Developer Portal, your application, Bot, Reset Token) and that DISCORD_API_URL is Discord’s REST base (https://discord.com/api).',
    );
  }
  const message = String((error as Error)?.message ?? error);
  const reason =
    error instanceof StartAbandoned
      ? message
      : error instanceof SyntaxError
        ? `the answer is not Discord’s API (not JSON: ${message})`
        : error instanceof HTTPError
          ? `it answered ${error.status} ${error.message}`
          : error instanceof DiscordAPIError
            ? `it answered ${error.status} (${message})`
            : message;
  const line = scrubTokens(reason).split(discord.token).join('[redacted]').split('\n')[0]!.slice(0, 300);
  return new UserError(`Could not connect to Discord at ${discord.apiUrl} (DISCORD_API_URL): ${line}`, hint);
}

/**
 * After SIGINT/SIGTERM: the drain of replies in flight (10 s) and closing the gateway fit in this;
 * a background run in flight (a feed poll's ingest) is waited for meanwhile, up to this too.
 */
const SHUTDOWN_GRACE_MS = 15_000;

/** npm start: model (built on first run), seeds ingested incrementally, then the bot (DISCORD_TOKEN set) or the console. */
runMain(
  async (stopping) => {
    const { config, log, embedder } = await startRuntime();
    const progress = progressReporter(log);
    const report = await ingest(config.indexDir, embedder, { source: config.seedsDir, onProgress: progress.onProgress, retainDays: config.retainDays });
    progress.stop();
    logIngest(log, config.seedsDir, report);
    if (report.problems.length || report.repaired) process.stderr.write(describeIngest(config.seedsDir, report));
    if (stopping.aborted) return;
    const engine = await Engine.open(embedder, config.indexDir);
    if (!config.discord) {
      await runConsole(engine, log, { results: config.answerResults, stopping });
      return;
    }
    const bot = await startBot({
      discord: config.discord,
      engine,
      log,
      dataDir: config.dataDir,
      answerResults: config.answerResults,
      allowPrivateUrls: config.allowPrivateUrls,
      retainDays: config.retainDays,
      stopping,
    }).catch((error: unknown) => {
      if (stopping.aborted) return undefined;
      throw discordUnreachable(error, config.discord!);
    });
    if (!bot) {
      log.info({ signal: stopping.reason as string }, 'stopped before connecting to Discord');
      return;
    }
    const jobs = [
      watchIndex(engine, log),
      ...(config.feeds.length ? [pollFeedsEvery(engine, log, { feeds: config.feeds, minutes: config.feedPollMinutes, allowPrivate: config.allowPrivateUrls, retainDays: config.retainDays })] : []),
    ];
    if (!stopping.aborted) await once(stopping, 'abort');
    log.info({ signal: stopping.reason as string }, 'shutting down');
    // While the replies drain, and awaited: the clean-ups (the index LOCK among them) run once main is done, not while a feed poll's ingest writes.
    const jobsStopped = Promise.all(jobs.map((job) => job.stop()));
    await bot.stop().finally(() => jobsStopped);
  },
  { graceMs: SHUTDOWN_GRACE_MS },
);

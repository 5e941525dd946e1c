import { once } from 'node:events';
import { pollFeedsEvery } from '../background/feed-poller.js';
import { watchIndex } from '../background/index-watcher.js';
import { runConsole } from '../console/repl.js';
import { startBot } from '../discord/bot.js';
import { startShards } from '../discord/shards.js';
import { discordUnreachable } from '../discord/unreachable.js';
import { ingest } from '../index/ingest.js';
import { describeIngest, logIngest, progressReporter } from './ingest-report.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';
import { takeCollectionArgs } from '../console/summary-args.js';

/**
 * After SIGINT/SIGTERM: the drain of replies in flight (10 s) and closing the gateway fit in this;
 * a background run in flight (a feed poll's ingest) is waited for meanwhile, up to this too.
 */
const SHUTDOWN_GRACE_MS = 15_000;

/** npm start: model (built on first run), seeds ingested incrementally, then the bot (DISCORD_TOKEN set) or the console. */
runMain(
  async (stopping) => {
    // The console answers from these collections when given (every article otherwise).
    const { collections } = takeCollectionArgs(process.argv.slice(2));
    const { config, log, embedder } = await startRuntime();
    const progress = progressReporter(log);
    const target = await openIndexTarget(config, embedder);
    const report = await ingest(target, embedder, { source: config.seedsDir, onProgress: progress.onProgress, retainDays: config.retainDays });
    progress.stop();
    logIngest(log, config.seedsDir, report);
    if (report.problems.length || report.repaired) process.stderr.write(describeIngest(config.seedsDir, report));
    if (stopping.aborted) return;
    if (config.discord?.shards !== undefined) {
      // Shards answer in their own processes; this one does every write (see src/discord/shards.ts).
      const shards = await startShards({ config, discord: config.discord, target, embedder, log }).catch((error: unknown) => {
        throw discordUnreachable(error, config.discord!);
      });
      if (!stopping.aborted) await once(stopping, 'abort');
      log.info({ signal: stopping.reason as string }, 'shutting down');
      await shards.stop();
      if (typeof target !== 'string') await target.close();
      return;
    }
    const engine = await openEngine(config, embedder, log, target);
    if (!config.discord) {
      await runConsole(engine.within(collections), log, { results: config.answerResults, stopping });
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

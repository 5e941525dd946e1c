import { once } from 'node:events';
import { pollFeedsEvery } from '../background/feed-poller.js';
import { watchIndex } from '../background/index-watcher.js';
import type { DiscordConfig } from '../config/config.js';
import { runConsole } from '../console/repl.js';
import { startBot } from '../discord/bot.js';
import { Engine } from '../engine.js';
import { UserError } from '../errors.js';
import { ingest } from '../index/ingest.js';
import { scrubTokens } from '../log.js';
import { describeIngest, logIngest, progressReporter } from './ingest-report.js';
import { runMain, startRuntime } from './runtime.js';

/** A failure to reach Discord at start, as one line that names what to check and never the token. */
function discordUnreachable(error: unknown, discord: DiscordConfig): UserError {
  const reason = scrubTokens(String((error as Error)?.message ?? error)).split(discord.token).join('[redacted]').split('\n')[0]!.slice(0, 300);
  return new UserError(
    `Could not connect to Discord at ${discord.apiUrl}: ${reason}`,
    'Check DISCORD_API_URL (the REST base, https://discord.com/api), DISCORD_TOKEN and DISCORD_CLIENT_ID, and the network.',
  );
}

/** After SIGINT/SIGTERM: the drain of replies in flight (10 s) and closing the gateway fit in this. */
const SHUTDOWN_GRACE_MS = 15_000;

/** npm start: model (built on first run), seeds ingested incrementally, then the bot (DISCORD_TOKEN set) or the console. */
runMain(
  async (stopping) => {
    const { config, log, embedder } = await startRuntime();
    const progress = progressReporter(log);
    const report = await ingest(config.indexDir, embedder, { source: config.seedsDir, onProgress: progress.onProgress });
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
    }).catch((error: unknown) => {
      throw discordUnreachable(error, config.discord!);
    });
    const jobs = [
      watchIndex(engine, log),
      ...(config.feeds.length ? [pollFeedsEvery(engine, log, { feeds: config.feeds, minutes: config.feedPollMinutes, allowPrivate: config.allowPrivateUrls })] : []),
    ];
    if (!stopping.aborted) await once(stopping, 'abort');
    log.info({ signal: stopping.reason as string }, 'shutting down');
    for (const job of jobs) job.stop();
    await bot.stop();
  },
  { graceMs: SHUTDOWN_GRACE_MS },
);

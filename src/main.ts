import { runConsole } from './console/repl.js';
import { describeIngest, logIngest, progressReporter } from './console/ingest-report.js';
import { runMain, startRuntime } from './console/runtime.js';
import { startBot } from './discord/bot.js';
import { Engine } from './engine.js';
import { ingest } from './index/ingest.js';

/** npm start: model (built on first run), seeds ingested incrementally, then the bot (DISCORD_TOKEN set) or the console. */
runMain(async () => {
  const { config, log, embedder } = await startRuntime();
  const progress = progressReporter(log);
  const report = await ingest(config.indexDir, embedder, { source: config.seedsDir, onProgress: progress.onProgress });
  progress.stop();
  logIngest(log, config.seedsDir, report);
  if (report.problems.length) process.stderr.write(describeIngest(config.seedsDir, report));
  const engine = await Engine.open(embedder, config.indexDir);
  if (!config.discord) {
    await runConsole(engine, log, { results: config.answerResults });
    return;
  }
  const bot = await startBot({
    discord: config.discord,
    engine,
    log,
    dataDir: config.dataDir,
    feeds: config.feeds,
    feedPollMinutes: config.feedPollMinutes,
    allowPrivateUrls: config.allowPrivateUrls,
  });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      void bot.stop().then(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
});

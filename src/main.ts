import { runConsole } from './console/repl.js';
import { describeIngest, logIngest, progressReporter } from './console/ingest-report.js';
import { runMain, startRuntime } from './console/runtime.js';
import { Engine } from './engine.js';
import { ingest } from './index/ingest.js';

/** npm start: model (built on first run), seeds ingested incrementally, then the console. */
runMain(async () => {
  const { config, log, embedder } = await startRuntime();
  const progress = progressReporter(log);
  const report = await ingest(config.indexDir, embedder, { source: config.seedsDir, onProgress: progress.onProgress });
  progress.stop();
  logIngest(log, config.seedsDir, report);
  if (report.problems.length) process.stderr.write(describeIngest(config.seedsDir, report));
  const engine = await Engine.open(embedder, config.indexDir);
  await runConsole(engine, log, { results: config.answerResults });
});

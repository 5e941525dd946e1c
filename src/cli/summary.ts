import { Engine } from '../engine.js';
import { renderSummaryText } from '../console/render.js';
import { runMain, startRuntime } from './runtime.js';
import { parseSummaryArgs } from '../console/summary-args.js';

runMain(async () => {
  const request = parseSummaryArgs(process.argv.slice(2));
  const { config, log, embedder } = await startRuntime();
  const engine = await Engine.open(embedder, config.indexDir, log);
  const result = await engine.summary(request);
  process.stdout.write(renderSummaryText(result));
});

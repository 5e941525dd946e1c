import { renderSummaryText } from '../console/render.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';
import { parseSummaryArgs } from '../console/summary-args.js';

runMain(async () => {
  const request = parseSummaryArgs(process.argv.slice(2));
  const { config, log, embedder } = await startRuntime();
  const engine = await openEngine(config, embedder, log, await openIndexTarget(config, embedder));
  const result = await engine.summary(request);
  process.stdout.write(renderSummaryText(result));
});

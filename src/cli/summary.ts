import { renderSummaryText } from '../console/render.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';
import { parseSummaryArgs, takeCollectionArgs, takeFilterArgs } from '../console/summary-args.js';

runMain(async () => {
  const { collections, rest: args } = takeCollectionArgs(process.argv.slice(2));
  const { filter, rest } = takeFilterArgs(args, ['since', 'until', 'outlet']);
  const request = parseSummaryArgs(rest);
  const { config, log, embedder } = await startRuntime();
  const engine = (await openEngine(config, embedder, log, await openIndexTarget(config, embedder))).within(collections);
  const result = await engine.summary(request, engine.filterOf(filter));
  process.stdout.write(renderSummaryText(result));
});

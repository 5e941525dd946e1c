import { renderVerifyText } from '../console/render.js';
import { parseVerifyArgs, takeCollectionArgs } from '../console/summary-args.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const { collections, rest } = takeCollectionArgs(process.argv.slice(2));
  const { quote, person } = parseVerifyArgs(rest);
  const { config, log, embedder } = await startRuntime();
  const engine = (await openEngine(config, embedder, log, await openIndexTarget(config, embedder))).within(collections);
  process.stdout.write(renderVerifyText(await engine.verify(quote, person)));
});

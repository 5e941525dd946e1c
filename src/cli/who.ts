import { renderWhoText } from '../console/render.js';
import { takeCollectionArgs } from '../console/summary-args.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const { collections, rest } = takeCollectionArgs(process.argv.slice(2));
  const name = rest.join(' ');
  const { config, log, embedder } = await startRuntime();
  const engine = (await openEngine(config, embedder, log, await openIndexTarget(config, embedder))).within(collections);
  process.stdout.write(renderWhoText(engine.who(name)));
});

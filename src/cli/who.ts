import { renderWhoText } from '../console/render.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const name = process.argv.slice(2).join(' ');
  const { config, log, embedder } = await startRuntime();
  const engine = await openEngine(config, embedder, log, await openIndexTarget(config, embedder));
  process.stdout.write(renderWhoText(engine.who(name)));
});

import { Engine } from '../engine.js';
import { renderWhoText } from '../console/render.js';
import { runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const name = process.argv.slice(2).join(' ');
  const { config, log, embedder } = await startRuntime();
  const engine = await Engine.open(embedder, config.indexDir, log);
  process.stdout.write(renderWhoText(engine.who(name)));
});

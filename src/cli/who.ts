import { Engine } from '../engine.js';
import { renderWhoText } from '../console/render.js';
import { runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const name = process.argv.slice(2).join(' ');
  const { config, embedder } = await startRuntime();
  const engine = await Engine.open(embedder, config.indexDir);
  process.stdout.write(renderWhoText(engine.who(name)));
});

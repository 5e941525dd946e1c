import { Engine } from '../engine.js';
import { renderSummaryText } from '../rendering/terminal.js';
import { runMain, startRuntime } from './runtime.js';
import { parseSummaryArgs } from './summary-args.js';

runMain(async () => {
  const request = parseSummaryArgs(process.argv.slice(2));
  const { config, embedder } = await startRuntime();
  const engine = await Engine.open(embedder, config.indexDir);
  const result = request.topic !== undefined ? await engine.digest(request.topic) : await engine.summarize(request.article, request.sentences);
  process.stdout.write(renderSummaryText(result));
});

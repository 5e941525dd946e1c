import { parseArgs } from 'node:util';
import { Engine } from '../engine.js';
import { UserError } from '../errors.js';
import { renderAnswerText } from '../rendering/terminal.js';
import { runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { results: { type: 'string' } } });
  const question = positionals.join(' ');
  if (!question.trim()) throw new UserError('Usage: npm run ask -- "<question>" [--results N]');
  const results = values.results === undefined ? undefined : Number(values.results);
  if (results !== undefined && (!Number.isInteger(results) || results < 1 || results > 10)) {
    throw new UserError('--results must be a whole number from 1 to 10.');
  }
  const { config, embedder } = await startRuntime();
  const engine = await Engine.open(embedder, config.indexDir);
  process.stdout.write(renderAnswerText(await engine.ask(question, { results: results ?? config.answerResults })));
});

import { parseArgs } from 'node:util';
import { PASSAGES_PER_ANSWER } from '../answers/answer.js';
import { UserError } from '../errors.js';
import { renderAnswerText } from '../console/render.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { results: { type: 'string' } } });
  const question = positionals.join(' ');
  if (!question.trim()) throw new UserError('Usage: npm run ask -- "<question>" [--results N]');
  const results = values.results === undefined ? undefined : Number(values.results);
  if (results !== undefined && (!Number.isInteger(results) || results < PASSAGES_PER_ANSWER.min || results > PASSAGES_PER_ANSWER.max)) {
    throw new UserError(`--results must be a whole number from ${PASSAGES_PER_ANSWER.min} to ${PASSAGES_PER_ANSWER.max}.`);
  }
  const { config, log, embedder } = await startRuntime();
  const engine = await openEngine(config, embedder, log, await openIndexTarget(config, embedder));
  process.stdout.write(renderAnswerText(await engine.ask(question, { results: results ?? config.answerResults })));
});

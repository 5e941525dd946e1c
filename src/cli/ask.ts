import { parseArgs } from 'node:util';
import { PASSAGES_PER_ANSWER } from '../answers/answer.js';
import { UserError } from '../errors.js';
import { renderAnswerText } from '../console/render.js';
import { takeCollectionArgs } from '../console/summary-args.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

runMain(async () => {
  const { collections, rest } = takeCollectionArgs(process.argv.slice(2));
  const { positionals, values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { results: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, outlet: { type: 'string' }, article: { type: 'string' } },
  });
  const question = positionals.join(' ');
  if (!question.trim()) throw new UserError('Usage: npm run ask -- "<question>" [--results N] [--since <day>] [--until <day>] [--outlet <name>] [--article <title>] [--collection <name>]');
  const results = values.results === undefined ? undefined : Number(values.results);
  if (results !== undefined && (!Number.isInteger(results) || results < PASSAGES_PER_ANSWER.min || results > PASSAGES_PER_ANSWER.max)) {
    throw new UserError(`--results must be a whole number from ${PASSAGES_PER_ANSWER.min} to ${PASSAGES_PER_ANSWER.max}.`);
  }
  const { config, log, embedder } = await startRuntime();
  const engine = (await openEngine(config, embedder, log, await openIndexTarget(config, embedder))).within(collections);
  const filter = engine.filterOf({ since: values.since, until: values.until, outlet: values.outlet, article: values.article });
  process.stdout.write(renderAnswerText(await engine.ask(question, { results: results ?? config.answerResults, filter })));
});

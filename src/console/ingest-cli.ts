import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { ingest } from '../index/ingest.js';
import { describeIngest, logIngest, progressReporter } from './ingest-report.js';
import { runMain, startRuntime } from './runtime.js';

runMain(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string' },
        rebuild: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}`, 'Usage: npm run ingest -- [--dir <folder or file>] [--rebuild] [--strict]');
  }
  const { config, log, embedder } = await startRuntime();
  const source = values.dir ?? config.seedsDir;
  const progress = progressReporter(log);
  const report = await ingest(config.indexDir, embedder, { source, rebuild: values.rebuild, onProgress: progress.onProgress });
  progress.stop();
  logIngest(log, source, report);
  process.stdout.write(describeIngest(source, report));
  return values.strict && report.problems.length > 0 ? 1 : 0;
});

import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { checkedCollection, type Membership } from '../index/collections.js';
import { ingest } from '../index/ingest.js';
import { DEFAULT_LIMITS } from '../web/fetch-page.js';
import { ingestFromWeb } from '../index/ingest-web.js';
import { mergeUntilTidy } from '../index/merge.js';
import { describeIngest, logIngest, progressReporter } from './ingest-report.js';
import { openIndexTarget, runMain, startRuntime } from './runtime.js';

const USAGE = 'Usage: npm run ingest -- [--dir <folder or file>] [--url <link>]… [--feed <link>]… [--collection shared|server:<server id>] [--rebuild] [--strict]';

runMain(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string' },
        url: { type: 'string', multiple: true },
        feed: { type: 'string', multiple: true },
        rebuild: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        collection: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}`, USAGE);
  }
  let collection: Membership | undefined;
  try {
    collection = values.collection === undefined ? undefined : { name: checkedCollection(values.collection.trim()), at: new Date().toISOString() };
  } catch (error) {
    throw new UserError(`--collection: ${(error as Error).message}.`, USAGE);
  }
  const { config, log, embedder } = await startRuntime();
  const progress = progressReporter(log);
  const fromWeb = Boolean(values.url?.length || values.feed?.length);
  const source = fromWeb ? [...(values.url ?? []), ...(values.feed ?? [])].join(' ') : (values.dir ?? config.seedsDir);
  const target = await openIndexTarget(config, embedder);
  const report = fromWeb
    ? await ingestFromWeb(target, embedder, {
        urls: values.url ?? [],
        feeds: values.feed ?? [],
        // The operator may reach private addresses for the links they type; feed items only with ALLOW_PRIVATE_URLS.
        limits: { ...DEFAULT_LIMITS, allowPrivate: true },
        itemLimits: { ...DEFAULT_LIMITS, allowPrivate: config.allowPrivateUrls },
        onProgress: progress.onProgress,
        retainDays: config.retainDays,
        collection,
      })
    : await ingest(target, embedder, { source, rebuild: values.rebuild, onProgress: progress.onProgress, retainDays: config.retainDays, collection });
  progress.stop();
  logIngest(log, source, report);
  process.stdout.write(describeIngest(source, report));
  if (typeof target === 'string') await mergeUntilTidy(target, [], (merge) => log.info(merge, 'segments merged'));
  else await target.close();
  return values.strict && report.problems.length > 0 ? 1 : 0;
});

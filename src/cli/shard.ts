import { once } from 'node:events';
import { watchIndex } from '../background/index-watcher.js';
import { startBot } from '../discord/bot.js';
import { managerLink } from '../discord/shards.js';
import { UserError } from '../errors.js';
import { openEngine, openIndexTarget, runMain, startRuntime } from './runtime.js';

/** After SIGTERM from the manager: the replies in flight drain (10 s) and the gateway closes. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * One shard of the bot, spawned by the ShardingManager of `npm start` with SHARDS
 * (`src/discord/shards.ts`): answers the servers Discord routes to it, from the shared index, and
 * leaves every write to the manager.
 */
runMain(
  async (stopping) => {
    const { config, log, embedder } = await startRuntime();
    if (!config.discord) throw new UserError('A shard needs DISCORD_TOKEN (it is started by npm start with SHARDS).');
    const engine = await openEngine(config, embedder, log, await openIndexTarget(config, embedder));
    const reload = () => void engine.reload().catch((error: unknown) => log.warn({ err: error }, 'index reload failed; still answering from the previous index'));
    const manager = managerLink(reload);
    const bot = await startBot({ discord: config.discord, engine, log, dataDir: config.dataDir, answerResults: config.answerResults, stopping, writer: manager.writer, deploy: false, deletesDeparted: false });
    const watcher = watchIndex(engine, log, { merge: false });
    if (!stopping.aborted) await once(stopping, 'abort');
    await watcher.stop();
    await bot.stop();
    await engine.close();
  },
  { graceMs: SHUTDOWN_GRACE_MS },
);

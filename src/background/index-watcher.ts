import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import { every, type Repeating } from './every.js';

/** How often the bot looks for a newer index generation (an ingest that finished elsewhere). */
const INDEX_POLL_MS = 2000;

/** Switches the engine to a newer index generation once an ingest has completed it, without a restart. */
export function watchIndex(engine: Engine, log: Logger): Repeating {
  return every(INDEX_POLL_MS, () => reloadWhenIngested(engine, log));
}

async function reloadWhenIngested(engine: Engine, log: Logger): Promise<void> {
  try {
    if (await engine.reload()) {
      log.info({ generation: engine.snapshot.manifest.generation, articles: engine.snapshot.manifest.articles.size }, 'index reloaded');
    }
  } catch (error) {
    log.warn({ err: error }, 'index reload failed; still answering from the previous index');
  }
}

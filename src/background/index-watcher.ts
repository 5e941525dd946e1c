import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import { mergeUntilTidy, segmentSizes, segmentsToMerge } from '../index/merge.js';
import { every, type Repeating } from './every.js';

/** How often the bot looks for a newer index generation (an ingest that finished elsewhere). */
const INDEX_POLL_MS = 2000;

/**
 * Switches the engine to a newer index generation once an ingest has completed it, without a
 * restart; then merges segments when the policy asks for it, and switches again. A shard does
 * not merge (`merge: false`): its manager does every write.
 */
export function watchIndex(engine: Engine, log: Logger, { merge = true }: { merge?: boolean } = {}): Repeating {
  return every(INDEX_POLL_MS, async () => {
    await reloadWhenIngested(engine, log);
    if (merge) await mergeWhenDue(engine, log);
  });
}

/** Merges in the background: queries go on from the loaded generation meanwhile, and switch once the merge is complete. */
async function mergeWhenDue(engine: Engine, log: Logger): Promise<void> {
  // Postgres keeps its own indexes tidy: only the file index has segments to merge.
  if (engine.store === 'postgres') return;
  if (segmentsToMerge(segmentSizes(engine.snapshot)).length === 0) return;
  try {
    await mergeUntilTidy(engine.indexDir, engine.snapshot.segments, (report) => log.info(report, 'segments merged'));
    await reloadWhenIngested(engine, log);
  } catch (error) {
    // Another process holding the write lock (an ingest) is the usual reason: the next tick tries again.
    log.debug({ err: error }, 'segment merge deferred');
  }
}

async function reloadWhenIngested(engine: Engine, log: Logger): Promise<void> {
  try {
    if (await engine.reload()) {
      log.info({ generation: engine.manifest.generation, articles: engine.manifest.articles.size }, 'index reloaded');
    }
  } catch (error) {
    log.warn({ err: error }, 'index reload failed; still answering from the previous index');
  }
}

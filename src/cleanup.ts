/**
 * Clean-ups owed if the process is stopped by a signal (a write lock to free). Library code only
 * registers them: the entry point (`runMain` in `src/cli/runtime.ts`) owns signals and exit codes,
 * runs them, and decides when the process ends. They are synchronous because they may run just
 * before the process exits.
 */
const pending = new Set<() => void>();

/** Registers a clean-up; the returned function removes it (call it once the work is done). */
export function onStop(cleanup: () => void): () => void {
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
}

/** Runs every registered clean-up once; one that fails does not stop the others. */
export function runCleanups(): void {
  for (const cleanup of [...pending]) {
    pending.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the process is stopping
    }
  }
}

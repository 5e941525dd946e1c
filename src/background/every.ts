/** A task run on an interval, never two at once, never keeping the process alive. */
export interface Repeating {
  /** Stops the interval; resolves once the run in flight, if any, has settled (its failure is the task's to report). */
  stop(): Promise<void>;
}

export interface EveryOptions {
  /** Runs the task at once too, as a run like the others (the interval waits for it; `stop` does too). */
  now?: boolean;
}

export function every(ms: number, task: () => Promise<void>, { now = false }: EveryOptions = {}): Repeating {
  let inFlight: Promise<void> | undefined;
  const run = () => {
    if (inFlight) return;
    inFlight = task().finally(() => (inFlight = undefined));
  };
  const timer = setInterval(run, ms);
  timer.unref();
  if (now) run();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}

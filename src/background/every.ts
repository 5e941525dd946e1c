/** A task run on an interval, never two at once, never keeping the process alive. */
export interface Repeating {
  stop(): void;
}

export function every(ms: number, task: () => Promise<void>): Repeating {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void task().finally(() => (running = false));
  }, ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { every } from '../src/background/every.js';

/** A task whose runs finish when the test says so. */
function controlledTask() {
  const finishes: (() => void)[] = [];
  const task = vi.fn(() => new Promise<void>((resolve) => finishes.push(resolve)));
  return { task, finishRun: () => finishes.shift()!() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a background job run every so often', () => {
  it('stops only once the run in flight has finished (the shutdown clean-ups wait for an ingest)', async () => {
    const { task, finishRun } = controlledTask();
    const job = every(60_000, task, { now: true });
    expect(task).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    finishRun();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('stops at once when no run is in flight, and a failed run does not fail the stop', async () => {
    await every(60_000, async () => undefined).stop();
    const failing = every(60_000, () => Promise.reject(new Error('poll failed')), { now: true });
    await expect(failing.stop()).resolves.toBeUndefined();
  });

  it('never starts a run while one is in flight, the one started at once included', async () => {
    vi.useFakeTimers();
    const { task, finishRun } = controlledTask();
    const job = every(100, task, { now: true });
    await vi.advanceTimersByTimeAsync(350);
    expect(task).toHaveBeenCalledTimes(1);
    finishRun();
    await vi.advanceTimersByTimeAsync(100);
    expect(task).toHaveBeenCalledTimes(2);
    finishRun();
    await job.stop();
    expect(task).toHaveBeenCalledTimes(2);
  });
});

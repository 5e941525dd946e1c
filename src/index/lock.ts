import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { onStop } from '../cleanup.js';
import { UserError } from '../errors.js';

/** Writes waiting in this process, by index folder: the lock file alone cannot tell two writes of one process apart. */
const queues = new Map<string, Promise<void>>();

/**
 * One writer at a time: writes of this process wait their turn (two `/add`s, or `/add` and a feed
 * poll), then take a lock file holding the pid, which keeps other processes out; a lock left by a
 * dead process is taken over.
 */
export async function acquireWriteLock(indexDir: string): Promise<() => Promise<void>> {
  const key = path.resolve(indexDir);
  const before = queues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const turn = before.then(() => new Promise<void>((resolve) => (done = resolve)));
  queues.set(key, turn);
  await before;
  const finish = () => {
    done();
    if (queues.get(key) === turn) queues.delete(key);
  };
  try {
    const release = await acquireLockFile(indexDir);
    return async () => {
      try {
        await release();
      } finally {
        finish();
      }
    };
  } catch (error) {
    finish();
    throw error;
  }
}

async function acquireLockFile(indexDir: string): Promise<() => Promise<void>> {
  await mkdir(indexDir, { recursive: true });
  const file = path.join(indexDir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      // Stopped mid-write: the generation being written is abandoned (the live one is intact); the lock is freed.
      // Registered before any other await: a signal that lands while the pid is written frees it too.
      const forget = onStop(() => rmSync(file, { force: true }));
      try {
        await handle.writeFile(`${process.pid}\n`);
      } catch (error) {
        await rm(file, { force: true });
        forget();
        throw error;
      } finally {
        await handle.close();
      }
      // Forgotten only once removed: a signal landing meanwhile still frees it.
      return async () => {
        await rm(file, { force: true });
        forget();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new UserError(`Another ingest (pid ${holder}) is writing the index in ${indexDir}.`, 'Wait for it to finish, then run again.');
      }
      await rm(file, { force: true });
    }
  }
  throw new UserError(`Could not lock the index in ${indexDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

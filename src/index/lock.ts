import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { onStop } from '../cleanup.js';
import { UserError } from '../errors.js';

/** One writer at a time: a lock file holding the writer's pid; a lock left by a dead process is taken over. */
export async function acquireWriteLock(indexDir: string): Promise<() => Promise<void>> {
  await mkdir(indexDir, { recursive: true });
  const file = path.join(indexDir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      // Stopped mid-write: the generation being written is abandoned (the live one is intact); the lock is freed.
      const forget = onStop(() => rmSync(file, { force: true }));
      return async () => {
        forget();
        await rm(file, { force: true });
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

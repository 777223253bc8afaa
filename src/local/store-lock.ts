import { open, readFile, rm } from 'node:fs/promises';

/** Raised when another process already has the local store open (LevelDB allows one process per folder). */
export class StoreInUseError extends Error {
  constructor(readonly root: string, readonly pid: number) {
    super(`the local store ${root} is in use by another market-data process (pid ${pid}); wait for it to finish or stop it`);
    this.name = 'StoreInUseError';
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Take the store's lock file, or fail with the holder's pid. A lock left by a process that died is taken over.
 * Returns the release function.
 */
export async function acquireStoreLock(lockFile: string, root: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) throw new StoreInUseError(root, holder);
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

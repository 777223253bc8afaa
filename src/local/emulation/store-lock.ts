import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../shared/user-error.js';

/** Raised when another process already has the local store open (LevelDB allows one process per folder). */
export class StoreInUseError extends UserError {
  constructor(
    readonly root: string,
    readonly pid: number,
    readonly host?: string,
  ) {
    super(
      `the local store ${root} is in use by another market-data process (pid ${pid}${host ? ` on ${host}` : ''}); wait for it to finish or stop it`,
    );
    this.name = 'StoreInUseError';
  }
}

/** Who holds a lock: written into the lock file in the same step that creates it. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Unique per acquisition, so a lock can be told from a later one of the same pid. */
  readonly token: string;
  readonly since: string;
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

/** A process on another host (a shared folder) cannot be checked, so it counts as alive. */
const ownerGone = (owner: LockOwner): boolean => owner.host === hostname() && !isAlive(owner.pid);

async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.token === 'string' && typeof owner.host === 'string') return owner;
  } catch {
    // An older version wrote the pid alone.
  }
  const pid = Number.parseInt(text, 10);
  return { pid: Number.isInteger(pid) ? pid : 0, host: hostname(), token: `pid-${text.trim().slice(0, 40)}`, since: '' };
}

/** A takeover of this path is already under way by a live process: wait for it rather than report it. */
class TakeoverUnderWay extends Error {
  constructor(readonly pid: number) {
    super(`takeover under way by pid ${pid}`);
  }
}

const ATTEMPTS = 20;

/**
 * Create `path` holding `me`, atomically: the owner is written to a private temporary file first, which is then
 * hard-linked to the lock name; link() fails if the name exists, so the lock never exists without its owner.
 *
 * A lock whose owner is gone is taken over by whoever wins the lock `path.takeover-<its token>` (the same procedure,
 * one level down): only that winner may delete it, after checking it is still the same dead owner's. So two
 * processes can never both hold the lock, and a crash at any point leaves only locks whose owners are gone.
 */
async function claim(path: string, me: LockOwner, root: string, level = 0): Promise<void> {
  const temporary = `${path}.${me.token}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(me));
  } finally {
    await handle.close();
  }
  let taker: number | undefined;
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(temporary, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readOwner(path);
      if (!holder) continue; // released in between: try again
      if (!ownerGone(holder)) {
        if (level > 0) throw new TakeoverUnderWay(holder.pid);
        throw new StoreInUseError(root, holder.pid, holder.host === hostname() ? undefined : holder.host);
      }
      const takeover = `${path}.takeover-${holder.token}`;
      try {
        await claim(takeover, me, root, level + 1);
      } catch (error) {
        if (!(error instanceof TakeoverUnderWay)) throw error;
        taker = error.pid;
        await sleep(10 + Math.random() * 40);
        continue;
      }
      try {
        // Only the takeover's winner deletes a lock of this token, so it cannot change between the check and unlink.
        if ((await readOwner(path))?.token === holder.token) await unlink(path);
      } finally {
        await rm(takeover, { force: true });
      }
    }
    // Still not ours after every attempt: someone else is taking the store over, and will have it.
    throw new StoreInUseError(root, taker ?? (await readOwner(path))?.pid ?? 0);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Take the store's lock file, or fail with the holder's pid. A lock left by a process that is gone is taken over.
 * Returns the release function; if the process exits without calling it (an error, Ctrl-C, a closed pipe), the lock
 * is still removed on exit.
 */
export async function acquireStoreLock(lockFile: string, root: string): Promise<() => Promise<void>> {
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID(), since: new Date().toISOString() };
  await claim(lockFile, me, root);
  const releaseOnExit = () => {
    try {
      if (readFileSync(lockFile, 'utf8').includes(me.token)) unlinkSync(lockFile);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', releaseOnExit);
  return async () => {
    process.off('exit', releaseOnExit);
    if ((await readOwner(lockFile))?.token === me.token) await rm(lockFile, { force: true });
  };
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreInUseError, acquireStoreLock } from '../../src/local/store-lock.js';

describe('acquireStoreLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lock-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses a store another live process holds, naming it', async () => {
    const lock = join(dir, 'store.lock');
    await writeFile(lock, String(process.ppid));
    await expect(acquireStoreLock(lock, dir)).rejects.toThrow(StoreInUseError);
    await expect(acquireStoreLock(lock, dir)).rejects.toThrow(`in use by another market-data process (pid ${process.ppid})`);
  });

  it('takes over a lock left by a process that is gone, and releases it', async () => {
    const lock = join(dir, 'store.lock');
    await writeFile(lock, '999999999');
    const release = await acquireStoreLock(lock, dir);
    await release();
    const again = await acquireStoreLock(lock, dir);
    await again();
  });
});

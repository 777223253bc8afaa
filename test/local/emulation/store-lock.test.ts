import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreInUseError, acquireStoreLock } from '../../../src/local/emulation/store-lock.js';

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

  it('writes its owner into the lock in the same step, and releases only its own lock', async () => {
    const lock = join(dir, 'store.lock');
    const release = await acquireStoreLock(lock, dir);
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), token: expect.any(String) });
    // The same process asking again is refused too: LevelDB cannot open a folder twice.
    await expect(acquireStoreLock(lock, dir)).rejects.toThrow(`(pid ${process.pid})`);
    await release();
    await expect(readFile(lock, 'utf8')).rejects.toThrow('ENOENT');
    expect((await readdir(dir)).filter((f) => f.startsWith('store.lock'))).toEqual([]);
  });

  it('takes over a lock whose taker crashed mid-takeover, one level down', async () => {
    const lock = join(dir, 'store.lock');
    const dead = { pid: 999_999_998, host: hostname(), since: '' };
    await writeFile(lock, JSON.stringify({ ...dead, token: 'first' }));
    await writeFile(`${lock}.takeover-first`, JSON.stringify({ ...dead, token: 'second' }));
    const release = await acquireStoreLock(lock, dir);
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await readdir(dir)).sort()).toEqual(['store.lock']);
    await release();
  });

  it('waits for a live process that is taking a stale lock over, then names it', async () => {
    const lock = join(dir, 'store.lock');
    await writeFile(lock, JSON.stringify({ pid: 999_999_998, host: hostname(), token: 'stale', since: '' }));
    await writeFile(`${lock}.takeover-stale`, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'taker', since: '' }));
    await expect(acquireStoreLock(lock, dir)).rejects.toThrow(`in use by another market-data process (pid ${process.ppid})`);
  });

  it('cannot check a process on another host, so its lock holds', async () => {
    const lock = join(dir, 'store.lock');
    await writeFile(lock, JSON.stringify({ pid: 999_999_998, host: 'elsewhere', token: 't', since: '' }));
    await expect(acquireStoreLock(lock, dir)).rejects.toThrow('(pid 999999998 on elsewhere)');
  });
});

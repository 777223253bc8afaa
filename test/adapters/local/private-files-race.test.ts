import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Files listed by readdir that another process removes before they are tightened (a lock attempt's temporary file). */
const vanishing = new Set<string>();

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    readdir: (async (path: string, options: never) => {
      const entries = await fs.readdir(path, options);
      for (const name of vanishing) await rm(name, { recursive: true, force: true });
      return entries;
    }) as typeof fs.readdir,
  };
});

const { tightenTree } = await import('../../../src/adapters/local/private-files.js');

describe('tightening a store another process is writing to', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'private-race-'));
    vanishing.clear();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('skips a file or folder that is gone by the time it is reached, and tightens the rest', async () => {
    await writeFile(join(root, 'store.lock.1234.tmp'), '', { mode: 0o644 });
    await mkdir(join(root, 'gone'));
    await writeFile(join(root, 'kept.jsonl'), '', { mode: 0o644 });
    vanishing.add(join(root, 'store.lock.1234.tmp')).add(join(root, 'gone'));

    await tightenTree(root);

    expect((await stat(join(root, 'kept.jsonl'))).mode & 0o777).toBe(0o600);
  });

  it('still fails when the folder it was asked to tighten does not exist', async () => {
    await expect(tightenTree(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

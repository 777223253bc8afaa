import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlDeadLetterStore } from '../../src/local/dead-letter-store.js';

describe('JsonlDeadLetterStore', () => {
  let dir: string;
  let store: JsonlDeadLetterStore<{ id: number }>;
  const all = async () => {
    const out: number[] = [];
    for await (const e of store.entries()) out.push(e.id);
    return out;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dlq-'));
    store = new JsonlDeadLetterStore(join(dir, 'nested', 'dlq.jsonl'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is empty before anything is appended', async () => {
    expect(await all()).toEqual([]);
    expect(await store.count()).toBe(0);
  });

  it('appends and streams entries in order', async () => {
    await store.append([{ id: 1 }, { id: 2 }]);
    await store.append([{ id: 3 }]);
    expect(await all()).toEqual([1, 2, 3]);
  });

  it('drains: entries that fail again stay, the others are gone', async () => {
    await store.append([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await store.drain(async (entries) => {
      for await (const e of entries) if (e.id === 2) await store.append([e]);
    });
    expect(await all()).toEqual([2]);
  });

  it('keeps the entries of a redrive that stopped halfway, ahead of newer ones', async () => {
    await store.append([{ id: 1 }, { id: 2 }]);
    await expect(
      store.drain(async () => {
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    await store.append([{ id: 3 }]);
    expect(await all()).toEqual([1, 2, 3]);
    const seen: number[] = [];
    await store.drain(async (entries) => {
      for await (const e of entries) seen.push(e.id);
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(await all()).toEqual([]);
    await expect(readFile(store.file, 'utf8')).rejects.toThrow();
  });

  it('does nothing when there is nothing to drain', async () => {
    let called = false;
    await store.drain(async () => {
      called = true;
    });
    expect(called).toBe(false);
  });
});

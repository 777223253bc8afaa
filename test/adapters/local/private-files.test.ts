import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendLines, ensurePrivateDir, tightenTree, withPath } from '../../../src/adapters/local/private-files.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('private local files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'private-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates a file only its owner can read, one line per entry, each ending in a newline', async () => {
    const file = join(dir, 'letters.jsonl');
    await appendLines(file, ['{"a":1}', '{"b":2}']);
    await appendLines(file, ['{"c":3}']);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(await modeOf(file)).toBe(0o600);
  });

  it('ends a torn last line before appending, so the next entry is never glued to it', async () => {
    const file = join(dir, 'letters.jsonl');
    await writeFile(file, '{"a":1}\n{"torn":');
    await appendLines(file, ['{"b":2}']);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"torn":\n{"b":2}\n');
  });

  it('writes nothing, and creates no file, for no lines', async () => {
    const file = join(dir, 'letters.jsonl');
    await appendLines(file, []);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names the file a write failed on', async () => {
    const file = join(dir, 'missing-folder', 'letters.jsonl');
    await expect(appendLines(file, ['{}'])).rejects.toMatchObject({ code: 'ENOENT', path: file });
  });

  it('gives a file-system error the path it was about, and leaves other errors and known paths alone', () => {
    const bare = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    expect(withPath(bare, '/data/a.jsonl')).toMatchObject({ path: '/data/a.jsonl' });
    const known = Object.assign(new Error('denied'), { code: 'EACCES', path: '/data/b.jsonl' });
    expect(withPath(known, '/data/a.jsonl')).toMatchObject({ path: '/data/b.jsonl' });
    const plain = new Error('not from the file system');
    expect(withPath(plain, '/data/a.jsonl')).not.toHaveProperty('path');
    expect(withPath('a string', '/data/a.jsonl')).toBe('a string');
  });

  it('creates folders, parents included, that only their owner can enter', async () => {
    const nested = join(dir, 'store', 'dev');
    await ensurePrivateDir(nested);
    expect(await modeOf(nested)).toBe(0o700);
    expect(await modeOf(join(dir, 'store'))).toBe(0o700);
  });

  it('tightens every folder and file under a store made before files were private, and follows no link', async () => {
    const root = join(dir, 'store');
    await mkdir(join(root, 'dev', 'demo'), { recursive: true, mode: 0o755 });
    await writeFile(join(root, 'top.jsonl'), '', { mode: 0o644 });
    await writeFile(join(root, 'dev', 'demo', 'letters.jsonl'), '', { mode: 0o644 });
    const outside = join(dir, 'outside.txt');
    await writeFile(outside, '', { mode: 0o644 });
    await symlink(outside, join(root, 'dev', 'link'));
    await chmod(root, 0o755);

    await tightenTree(root);

    for (const folder of [root, join(root, 'dev'), join(root, 'dev', 'demo')]) expect(await modeOf(folder), folder).toBe(0o700);
    for (const file of [join(root, 'top.jsonl'), join(root, 'dev', 'demo', 'letters.jsonl')]) expect(await modeOf(file), file).toBe(0o600);
    expect(await modeOf(outside)).toBe(0o644);
  });
});

import { chmod, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Local data (alerts, dead letters with message bodies, notifications) is for its owner only. */
const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create a folder (and its missing parents) that only its owner can enter. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Make every folder under `root` (itself included) 0700 and every file 0600: stores created before files were
 * private, and files a library created with the default umask, are tightened when the store is opened.
 */
export async function tightenTree(root: string): Promise<void> {
  await chmod(root, PRIVATE_DIR_MODE);
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    // Another process may remove what was listed (a lock attempt's temporary file): what is gone needs no tightening.
    if (entry.isDirectory()) await tightenTree(path).catch(unlessGone);
    else if (entry.isFile()) await chmod(path, PRIVATE_FILE_MODE).catch(unlessGone);
  }
}

function unlessGone(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/** Give a file-system error the path it was about, so the user is told which file failed. */
export function withPath(error: unknown, path: string): unknown {
  if (error instanceof Error && (error as NodeJS.ErrnoException).code && !(error as NodeJS.ErrnoException).path) {
    Object.assign(error, { path });
  }
  return error;
}

/**
 * Append lines to a JSONL file that only its owner can read, in one write. A file whose last line was torn by a
 * crash or a full disk (it does not end in a newline) first gets the newline, so the torn line stays a line of its
 * own that readers skip and report, and is never glued to the next entry.
 */
export async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  let handle;
  try {
    handle = await open(file, 'a+', PRIVATE_FILE_MODE);
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(`${prefix}${lines.join('\n')}\n`);
  } catch (error) {
    throw withPath(error, file);
  } finally {
    await handle?.close();
  }
}

import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eventDeadLetters, tickDeadLetters } from '../emulation/dead-letter-store.js';
import { fileExists } from '../formats/jsonl-reader.js';
import { localPaths, sessionTableNames, type LocalPaths } from '../emulation/paths.js';
import { freshSession } from './session-reset.js';
import { openLocalStore, withStoreLock } from '../emulation/store.js';
import { dropTable } from '../emulation/tables.js';
import type { TableKey } from '../../resources/index.js';
import { plural } from '../../shared/text.js';

export interface ResetPlan {
  readonly environment: string;
  readonly root: string;
  /** Nothing is there: the environment was never used, or is already reset. */
  readonly empty: boolean;
  /** What will be deleted, one line each, for the user to confirm. */
  readonly items: readonly string[];
}

/** How many dead letters a session holds; a damaged queue must not stand in the way of deleting it. */
async function deadLetterCount(paths: LocalPaths): Promise<string> {
  try {
    const ticks = await tickDeadLetters(paths.ticksDlq).count();
    const events = await eventDeadLetters(paths.eventsDlq).count();
    return `${plural(ticks, 'tick')}, ${plural(events, 'event')}`;
  } catch (error) {
    return `not counted: ${(error as Error).message}`;
  }
}

/** What `reset` would delete in an environment's local folder, counted where it is cheap to count. */
export async function planReset(home: string, environment: string, keepRules: boolean): Promise<ResetPlan> {
  const main = localPaths(home, environment);
  const demo = localPaths(home, environment, 'demo');
  if (!(await fileExists(main.root)) || (await readdir(main.root)).filter((e) => e !== 'store.lock').length === 0) {
    return { environment, root: main.root, empty: true, items: [] };
  }
  const items = [
    keepRules
      ? 'the embedded store: alerts, symbol state, market data and audit trail (the rule overrides are kept)'
      : 'the embedded store: alerts, rule overrides, symbol state, market data and audit trail',
    `the dead-letter queues (${await deadLetterCount(main)}) and the notifications file`,
    `the demo run of npm start (its tables, dead letters (${await deadLetterCount(demo)}) and notifications)`,
  ];
  return { environment, root: main.root, empty: false, items };
}

/**
 * Delete an environment's local data, under the store lock so no other command is halfway through it. Without
 * `keepRules` the whole folder goes; with it, both sessions start afresh and the rule overrides stay.
 */
export async function reset(home: string, environment: string, keepRules: boolean): Promise<void> {
  const paths = localPaths(home, environment);
  if (keepRules) {
    const store = await openLocalStore({ environment, home });
    try {
      await freshSession(store.client, { environment, session: 'main', paths });
      const demo = sessionTableNames(environment, 'demo');
      for (const key of Object.keys(demo) as TableKey[]) await dropTable(store.client, demo[key]);
      await rm(localPaths(home, environment, 'demo').sessionDir, { recursive: true, force: true });
    } finally {
      await store.close();
    }
    return;
  }
  await withStoreLock(paths, async () => {
    for (const entry of await readdir(paths.root)) {
      if (!entry.startsWith('store.lock')) await rm(join(paths.root, entry), { recursive: true, force: true });
    }
  });
  // Another command may have taken the lock since; then the folder stays, empty but for its lock.
  await rmdir(paths.root).catch(() => undefined);
}

import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourceNames } from '../resources/index.js';

/** The project root (this file is src/local/paths.ts), so every command finds the same store whatever its cwd. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Overrides the local data folder (tests use a temporary one so they never touch the user's data). */
export const DATA_HOME_VARIABLE = 'MARKET_DATA_HOME';

export function dataHome(override?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(override ?? env[DATA_HOME_VARIABLE] ?? resolve(PROJECT_ROOT, '.local-data'));
}

/** Where one environment's local copy of the system keeps its state. */
export interface LocalPaths {
  readonly root: string;
  /** The embedded DynamoDB's LevelDB folder. */
  readonly dynamo: string;
  readonly lock: string;
  /** Local stand-ins for the two dead-letter queues, one JSON message per line. */
  readonly ticksDlq: string;
  readonly eventsDlq: string;
  readonly notifications: string;
}

export function localPaths(home: string, environmentSuffix: string): LocalPaths {
  const root = resolve(home, environmentSuffix);
  const names = resourceNames(environmentSuffix);
  return {
    root,
    dynamo: resolve(root, 'dynamodb'),
    lock: resolve(root, 'store.lock'),
    ticksDlq: resolve(root, `${names.marketDataDlq}.jsonl`),
    eventsDlq: resolve(root, `${names.marketEventsDlq}.jsonl`),
    notifications: resolve(root, 'notifications.jsonl'),
  };
}

/** A path as short as it can be shown: relative when it is under the working directory. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

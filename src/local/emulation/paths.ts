import { resolve } from 'node:path';
import { TABLES, resourceNames, type TableKey } from '../../resources/index.js';
import { PROJECT_ROOT } from '../../shared/project-root.js';

/** Overrides the local data folder (tests use a temporary one so they never touch the user's data). */
const DATA_HOME_VARIABLE = 'MARKET_DATA_HOME';

export function dataHome(override?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(override ?? env[DATA_HOME_VARIABLE] ?? resolve(PROJECT_ROOT, '.local-data'));
}

/**
 * What a run's results belong to. `main` is what `replay` and `dlq redrive` accumulate; `demo` is the bundled sample
 * session that `npm start` replays afresh each time, kept apart (tables with a prefix, files in a folder of its own)
 * so that it never touches the user's data, but with the same rules.
 */
export type Session = 'main' | 'demo';

/** The prefix of the demo session's tables in the environment's embedded store. */
const DEMO_TABLE_PREFIX = 'demo-';

/** The tables a session uses in the embedded store. */
export function sessionTableNames(environmentSuffix: string, session: Session): Record<TableKey, string> {
  const names = resourceNames(environmentSuffix);
  const prefix = session === 'demo' ? DEMO_TABLE_PREFIX : '';
  return Object.fromEntries(Object.entries(TABLES).map(([key, table]) => [key, `${prefix}${names[table.resource]}`])) as Record<TableKey, string>;
}

/** Where one environment's local copy of the system keeps its state. */
export interface LocalPaths {
  /** The environment's folder: the store and its lock. */
  readonly root: string;
  readonly session: Session;
  /** The session's folder: its dead-letter and notification files. */
  readonly sessionDir: string;
  /** The embedded DynamoDB's LevelDB folder. */
  readonly dynamo: string;
  readonly lock: string;
  /** Local stand-ins for the two dead-letter queues, one JSON message per line. */
  readonly ticksDlq: string;
  readonly eventsDlq: string;
  readonly notifications: string;
}

export function localPaths(home: string, environmentSuffix: string, session: Session = 'main'): LocalPaths {
  const root = resolve(home, environmentSuffix);
  const sessionDir = session === 'demo' ? resolve(root, 'demo') : root;
  const names = resourceNames(environmentSuffix);
  return {
    root,
    session,
    sessionDir,
    dynamo: resolve(root, 'dynamodb'),
    lock: resolve(root, 'store.lock'),
    ticksDlq: resolve(sessionDir, `${names.marketDataDlq}.jsonl`),
    eventsDlq: resolve(sessionDir, `${names.marketEventsDlq}.jsonl`),
    notifications: resolve(sessionDir, 'notifications.jsonl'),
  };
}

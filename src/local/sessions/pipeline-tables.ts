import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/aws/index.js';
import type { TableKey } from '../../resources/index.js';
import { localPaths, sessionTableNames, type LocalPaths, type Session } from '../emulation/paths.js';
import { freshSession } from './session-reset.js';
import { openLocalStore } from '../emulation/store.js';
import { ensureTables } from '../emulation/tables.js';

/** DynamoDB of a deployed environment, used instead of the embedded store. */
export interface RemoteTables {
  readonly documents: DynamoDBDocumentClient;
  readonly region: string;
  /** Table names when they differ from the environment's resource names (read from a stack's outputs). */
  readonly tableNames?: Partial<Record<TableKey, string>>;
}

/** What the local pipeline runs against: tables, plus the folder for its dead-letter and notification files. */
export interface PipelineTables extends RemoteTables {
  readonly paths: LocalPaths;
  close(): Promise<void>;
}

export interface PipelineTablesOptions {
  readonly environment: string;
  readonly home: string;
  /** Use these tables instead of the embedded store (the local files stay under `home`). */
  readonly remote?: RemoteTables;
  /** The embedded store's session to run in (default `main`). */
  readonly session?: Session;
  /** Clear the session first (alerts, state, dead letters, notifications; rules kept). Embedded store only: not with `remote`. */
  readonly fresh?: boolean;
}

/** The embedded store of `environment` under `home` (one of its sessions), or the given deployed tables. */
export async function openPipelineTables(options: PipelineTablesOptions): Promise<PipelineTables> {
  const { environment, home, remote, session = 'main' } = options;
  if (remote) {
    return { ...remote, paths: localPaths(home, environment), close: async () => {} };
  }
  const store = await openLocalStore({ environment, home });
  const paths = localPaths(home, environment, session);
  try {
    if (options.fresh) await freshSession(store.client, { environment, session, paths, ...(session === 'demo' && { rulesFrom: 'main' as const }) });
    else await ensureTables(store.client, environment, session);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    documents: createDocumentClient(store.client),
    region: store.region,
    tableNames: sessionTableNames(environment, session),
    paths,
    close: () => store.close(),
  };
}

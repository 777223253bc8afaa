import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/aws/index.js';
import type { TableKey } from '../resources/index.js';
import { localPaths, type LocalPaths } from './paths.js';
import { openLocalStore } from './store.js';

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

/** The embedded store of `environment` under `home`, or the given deployed tables (the local files stay under `home`). */
export async function openPipelineTables(environment: string, home: string, remote?: RemoteTables): Promise<PipelineTables> {
  if (remote) return { ...remote, paths: localPaths(home, environment), close: async () => {} };
  const store = await openLocalStore({ environment, home });
  return { documents: createDocumentClient(store.client), region: store.region, paths: store.paths, close: () => store.close() };
}

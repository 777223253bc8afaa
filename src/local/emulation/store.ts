import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensurePrivateDir, tightenTree } from '../../adapters/local/private-files.js';
import { regionFrom } from '../../resources/index.js';
import { diagnoseDiskFull, DiskFullError, freeBytes, LOW_SPACE_BYTES } from './disk-space.js';
import { startDynalite } from './dynalite.js';
import { localPaths, type LocalPaths } from './paths.js';
import { acquireStoreLock } from './store-lock.js';
import { ensureTables } from './tables.js';

/** The embedded server never checks credentials, but the SDK signs every request, so it needs some. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** One environment's embedded DynamoDB: the server, a client for it, and the folder it keeps everything in. */
export interface LocalStore {
  readonly environment: string;
  readonly region: string;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly paths: LocalPaths;
  close(): Promise<void>;
}

export interface LocalStoreOptions {
  readonly environment: string;
  /** The data home (see paths.ts); the store lives in `<home>/<environment>/`. */
  readonly home: string;
}

/**
 * Start the embedded server on the environment's folder (so a later command sees what an earlier one stored) and
 * create any missing table from src/resources. One process at a time may open a folder.
 */
export async function openLocalStore(options: LocalStoreOptions): Promise<LocalStore> {
  const paths = localPaths(options.home, options.environment);
  await ensurePrivateDir(paths.root);
  const release = await acquireStoreLock(paths.lock, paths.root);
  try {
    // LevelDB creates files as it goes; with this mask they are private (0600) like everything else in the folder.
    process.umask(0o077);
    await tightenTree(paths.root);
    // LevelDB opened on a full disk fails with "Database is closed"; say what is wrong before it gets that far.
    const free = await freeBytes(paths.root).catch(() => Number.POSITIVE_INFINITY);
    if (free < LOW_SPACE_BYTES) throw new DiskFullError(paths.root, free);
    const server = await startDynalite({ path: paths.dynamo });
    const region = regionFrom();
    const client = new DynamoDBClient({ endpoint: server.endpoint, region, credentials: LOCAL_CREDENTIALS });
    diagnoseDiskFull(client, paths.dynamo);
    try {
      await ensureTables(client, options.environment);
    } catch (error) {
      client.destroy();
      await server.close();
      throw error;
    }
    return {
      environment: options.environment,
      region,
      endpoint: server.endpoint,
      client,
      paths,
      close: async () => {
        client.destroy();
        await server.close();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Run `work` holding the environment's store lock, without starting the server: for commands that only read or
 * change the local files (dlq list, reset), so that they never see a replay or redrive halfway through a write.
 */
export async function withStoreLock<T>(paths: LocalPaths, work: () => Promise<T>): Promise<T> {
  await ensurePrivateDir(paths.root);
  const release = await acquireStoreLock(paths.lock, paths.root);
  try {
    return await work();
  } finally {
    await release();
  }
}

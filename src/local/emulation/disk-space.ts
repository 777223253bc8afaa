import { statfs } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UserError } from '../../shared/user-error.js';

/** Below this much free space, a failing store write is put down to a full disk. */
export const LOW_SPACE_BYTES = 8 * 1024 * 1024;

export type FreeSpaceProbe = (dir: string) => Promise<number>;

export const freeBytes: FreeSpaceProbe = async (dir) => {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
};

/** The embedded store could not write because its disk is full (LevelDB only says "Database is closed"). */
export class DiskFullError extends UserError {
  constructor(
    readonly dir: string,
    readonly free: number,
    options?: ErrorOptions,
  ) {
    super(`cannot write the local store ${dir}: the disk is full (ENOSPC, ${free} bytes free): free some space and run the command again`, options);
    this.name = 'DiskFullError';
  }
}

/**
 * When a request to the embedded store fails, look at the disk it writes to: LevelDB reports ENOSPC only in its own
 * log and then answers every request with "Database is closed", which tells the user nothing.
 */
export function diagnoseDiskFull(client: DynamoDBClient, dir: string, probe: FreeSpaceProbe = freeBytes): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const free = await probe(dir).catch(() => Number.POSITIVE_INFINITY);
        if (free < LOW_SPACE_BYTES) throw new DiskFullError(dir, free, { cause: error });
        throw error;
      }
    },
    { step: 'initialize', name: 'diagnoseDiskFull' },
  );
}

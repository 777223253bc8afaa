import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DiskFullError, diagnoseDiskFull } from '../../../src/local/emulation/disk-space.js';
import { describeFailure } from '../../../src/cli/failures.js';

/** LevelDB on a full disk answers every request with an internal error; the store's client says why. */
describe('a full disk under the embedded store', () => {
  it('turns a failing request into "the disk is full" when there is no space left, and leaves it alone otherwise', async () => {
    const server = createServer((_, response) =>
      response
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
        .end('{"__type":"com.amazon.coral.service#InternalFailure","message":"Database is closed"}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = (free: number) => {
      const c = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
      diagnoseDiskFull(c, '/data/dev/dynamodb', async () => free);
      return c;
    };
    try {
      const full = await client(4096)
        .send(new ListTablesCommand({}))
        .catch((e: unknown) => e);
      expect(full).toBeInstanceOf(DiskFullError);
      expect(describeFailure(full)).toBe(
        'cannot write the local store /data/dev/dynamodb: the disk is full (ENOSPC, 4096 bytes free): free some space and run the command again',
      );
      const roomy = await client(10 * 1024 ** 3)
        .send(new ListTablesCommand({}))
        .catch((e: unknown) => e);
      expect(roomy).not.toBeInstanceOf(DiskFullError);
      expect(describeFailure(roomy)).toBe('Database is closed');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

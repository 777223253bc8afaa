import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynalite, type EmbeddedDynamo } from '../../../src/local/emulation/dynalite.js';
import { TEST_CREDENTIALS } from '../../support/dynamo.js';

const clientOf = (server: EmbeddedDynamo) => new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
const table = (name: string) =>
  new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });

describe('the embedded DynamoDB server, on a thread of its own', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers on loopback until closed; closing twice closes once; then nothing answers there', async () => {
    const server = await startDynalite();
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = clientOf(server);
    await client.send(table('ticks'));
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['ticks']);
    client.destroy();
    await Promise.all([server.close(), server.close()]);
    const after = clientOf(server);
    await expect(after.send(new ListTablesCommand({}))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    after.destroy();
  });

  it('keeps its tables on disk for the next server on the same folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dynalite-'));
    const first = await startDynalite({ path: dir });
    const client = clientOf(first);
    await client.send(table('kept'));
    client.destroy();
    await first.close();

    const second = await startDynalite({ path: dir });
    const again = clientOf(second);
    expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    again.destroy();
    await second.close();
  });

  it('serves many servers at once, each with its own data', async () => {
    const servers = await Promise.all([startDynalite(), startDynalite(), startDynalite()]);
    expect(new Set(servers.map((s) => s.endpoint)).size).toBe(3);
    const first = clientOf(servers[0]!);
    await first.send(table('only-in-the-first'));
    const second = clientOf(servers[1]!);
    expect((await second.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    first.destroy();
    second.destroy();
    await Promise.all(servers.map((s) => s.close()));
  });
});

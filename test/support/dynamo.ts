import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../src/adapters/aws/index.js';
import { startDynalite } from '../../src/local/emulation/dynalite.js';
import { ensureTables } from '../../src/local/emulation/tables.js';
import { resourceNames, type ResourceNames } from '../../src/resources/index.js';

export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalDynamo {
  readonly endpoint: string;
  readonly raw: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly names: ResourceNames;
  /** A second, independent client, as a concurrent Lambda instance would have. */
  client(): DynamoDBDocumentClient;
  scan(table: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** An in-memory dynalite on 127.0.0.1 with an ephemeral port and every table of `environment` created. */
export async function startLocalDynamo(environment = 'test'): Promise<LocalDynamo> {
  const server = await startDynalite();
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const raw = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    clients.push(raw);
    return raw;
  };
  const raw = client();
  await ensureTables(raw, environment);
  const documents = createDocumentClient(raw);
  return {
    endpoint: server.endpoint,
    raw,
    documents,
    names: resourceNames(environment),
    client: () => createDocumentClient(client()),
    scan: async (table) => (await documents.send(new ScanCommand({ TableName: table }))).Items ?? [],
    close: async () => {
      clients.forEach((c) => c.destroy());
      await server.close();
    },
  };
}

import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { TABLES, keyAttributes, type KeyAttribute, type TableDefinition, type TableKey } from '../../resources/index.js';
import { sessionTableNames, type Session } from './paths.js';

const keySchema = (partition: KeyAttribute, sort?: KeyAttribute) => [
  { AttributeName: partition.name, KeyType: 'HASH' as const },
  ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
];

/** The CreateTable request for one table definition of src/resources. */
function createTableInput(definition: TableDefinition, tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes(definition).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalSecondaryIndexes.length > 0 && {
      GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  };
}

async function exists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Create every table of one environment's session that does not exist yet. */
export async function ensureTables(client: DynamoDBClient, environmentSuffix: string, session: Session = 'main'): Promise<void> {
  const names = sessionTableNames(environmentSuffix, session);
  for (const [key, definition] of Object.entries(TABLES) as [TableKey, TableDefinition][]) {
    if (!(await exists(client, names[key]))) await client.send(new CreateTableCommand(createTableInput(definition, names[key])));
  }
}

/** True when every table of the session exists (the demo session's only after a first npm start). */
export async function hasSessionTables(client: DynamoDBClient, environmentSuffix: string, session: Session): Promise<boolean> {
  for (const name of Object.values(sessionTableNames(environmentSuffix, session))) if (!(await exists(client, name))) return false;
  return true;
}

/** Delete a table and wait until it is gone (the embedded server removes its items after answering). */
export async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  while (await exists(client, tableName)) await sleep(10);
}

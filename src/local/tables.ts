import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLES, keyAttributes, resourceNames, type KeyAttribute, type TableDefinition } from '../resources/index.js';

const keySchema = (partition: KeyAttribute, sort?: KeyAttribute) => [
  { AttributeName: partition.name, KeyType: 'HASH' as const },
  ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
];

/** The CreateTable request for one table definition of src/resources. */
export function createTableInput(definition: TableDefinition, tableName: string) {
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

/** Create every table of one environment that does not exist yet; returns the names created. */
export async function ensureTables(client: DynamoDBClient, environmentSuffix: string): Promise<string[]> {
  const names = resourceNames(environmentSuffix);
  const created: string[] = [];
  for (const definition of Object.values(TABLES)) {
    const tableName = names[definition.resource];
    if (await exists(client, tableName)) continue;
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    created.push(tableName);
  }
  return created;
}

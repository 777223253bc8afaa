import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table/index.js';
import { keyAttributes, TABLES, type ResourceNames, type TableDefinition, type TableKey } from '../resources/index.js';
import type { Encryption } from './encryption.js';

export interface StorageProps {
  readonly names: ResourceNames;
  readonly encryption: Encryption;
}

/** The four tables, built from their definitions in src/resources: on demand, PITR, CMK, destroyable. */
export class Storage extends Construct {
  readonly tables: { readonly [K in TableKey]: DynamodbTable };

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const table = (key: TableKey) => tableFrom(this, key, TABLES[key], props);
    this.tables = {
      alerts: table('alerts'),
      alertRules: table('alertRules'),
      marketData: table('marketData'),
      auditTrail: table('auditTrail'),
    };
  }
}

function tableFrom(scope: Construct, id: string, definition: TableDefinition, props: StorageProps): DynamodbTable {
  return new DynamodbTable(scope, id, {
    name: props.names[definition.resource],
    billingMode: 'PAY_PER_REQUEST',
    hashKey: definition.partitionKey.name,
    rangeKey: definition.sortKey?.name,
    attribute: keyAttributes(definition).map(({ name, type }) => ({ name, type })),
    globalSecondaryIndex: definition.globalSecondaryIndexes.length
      ? definition.globalSecondaryIndexes.map((index) => ({
          name: index.name,
          hashKey: index.partitionKey.name,
          rangeKey: index.sortKey?.name,
          projectionType: 'ALL',
        }))
      : undefined,
    pointInTimeRecovery: { enabled: definition.pointInTimeRecovery },
    serverSideEncryption: { enabled: true, kmsKeyArn: props.encryption.arn },
    ttl: definition.ttlAttribute ? { attributeName: definition.ttlAttribute, enabled: true } : undefined,
    deletionProtectionEnabled: false,
  });
}

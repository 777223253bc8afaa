import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table/index.js';
import { keyAttributes, TABLES, type ResourceNames, type TableDefinition, type TableKey } from '../resources/index.js';
import type { Encryption } from './encryption.js';
import type { ExecutionRole } from './iam.js';

/** Item actions a function may be granted on a table. */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'BatchWriteItem';

/**
 * What a principal needs on a table's key to read and write items: DynamoDB uses the key through the grant it
 * creates with the table, but it also checks that the caller may decrypt with the key and describe it.
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;

export interface EncryptedTableProps {
  readonly name: string;
  /** Keys, indexes, TTL and point-in-time recovery, from src/resources. */
  readonly definition: TableDefinition;
  readonly encryption: Encryption;
}

/** A DynamoDB table on demand, encrypted with the stack's key, destroyable, built from its definition in src/resources. */
export class EncryptedTable extends Construct {
  readonly table: DynamodbTable;
  readonly encryption: Encryption;

  constructor(scope: Construct, id: string, props: EncryptedTableProps) {
    super(scope, id);
    const { definition } = props;
    this.encryption = props.encryption;
    this.table = new DynamodbTable(this, 'table', {
      name: props.name,
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

  get arn(): string {
    return this.table.arn;
  }
  get name(): string {
    return this.table.name;
  }

  /** The given item actions on this table only, with the key actions DynamoDB checks the caller for. */
  grantItemActions(role: ExecutionRole, actions: readonly TableAction[]): void {
    role.allow(
      actions.map((action) => `dynamodb:${action}`),
      [this.arn],
    );
    role.allowKey(this.encryption, TABLE_KEY_ACTIONS);
  }
}

export interface StorageProps {
  readonly names: ResourceNames;
  readonly encryption: Encryption;
}

/** The four tables of src/resources TABLES. */
export class Storage extends Construct {
  readonly tables: { readonly [K in TableKey]: EncryptedTable };

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const table = (key: TableKey) =>
      new EncryptedTable(this, key, { name: props.names[TABLES[key].resource], definition: TABLES[key], encryption: props.encryption });
    this.tables = {
      alerts: table('alerts'),
      alertRules: table('alertRules'),
      marketData: table('marketData'),
      auditTrail: table('auditTrail'),
    };
  }
}

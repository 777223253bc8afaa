import { DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/aws/index.js';
import { ServiceError } from './errors.js';
import { UserError } from '../shared/user-error.js';
import { dataHome, localPaths, sessionTableNames, type Session } from '../local/emulation/paths.js';
import { displayPath } from '../shared/text.js';
import type { RemoteTables } from '../local/sessions/pipeline-tables.js';
import { openLocalStore } from '../local/emulation/store.js';
import { hasSessionTables } from '../local/emulation/tables.js';
import { ENVIRONMENT_SUFFIX_PATTERN, TABLES, environmentSuffixFrom, regionFrom, resourceNames, type TableKey } from '../resources/index.js';
import { dynamoClient } from './aws-clients.js';
import { checkEndpoint, checkEnvironmentEndpoints, checkRegion, endpointOf } from './endpoints.js';
import { readStackOutputs, type OutputKey, type StackOutputs } from './stack-outputs.js';

/** Options every command takes to choose where it runs. */
export interface TargetOptions {
  readonly env?: string;
  readonly dataDir?: string;
  readonly aws?: boolean;
  readonly outputs?: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** The demo session of the embedded store (what `npm start` last ran) instead of the accumulated data. */
  readonly demo?: boolean;
}

/** The embedded store (the default), or a deployed environment reached with the standard AWS SDK configuration. */
export type Target =
  | { readonly kind: 'local'; readonly environment: string; readonly home: string; readonly session: Session }
  | {
      readonly kind: 'aws';
      readonly environment: string;
      readonly region: string;
      /** An explicit DynamoDB endpoint (LocalStack, a DynamoDB-compatible server); otherwise the SDK's. */
      readonly endpoint?: string;
      readonly outputs?: StackOutputs;
    };

export type LocalTarget = Extract<Target, { kind: 'local' }>;
export type AwsTarget = Extract<Target, { kind: 'aws' }>;

function environmentOf(options: TargetOptions, outputs?: StackOutputs): string {
  if (options.env !== undefined) {
    if (!ENVIRONMENT_SUFFIX_PATTERN.test(options.env)) {
      throw new UserError(`--env "${options.env}" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit`);
    }
    return options.env;
  }
  return outputs?.environment() ?? environmentSuffixFrom();
}

export async function resolveTarget(options: TargetOptions): Promise<Target> {
  if (!options.aws && !options.outputs && !options.endpoint) {
    return { kind: 'local', environment: environmentOf(options), home: dataHome(options.dataDir), session: options.demo ? 'demo' : 'main' };
  }
  if (options.demo) throw new UserError("--demo names the embedded store's demo session: leave out --aws, --outputs and --endpoint");
  const outputs = options.outputs ? await readStackOutputs(options.outputs) : undefined;
  // Where signed requests go is checked before any is sent: a region is part of a host name, an endpoint takes them.
  const region = options.region
    ? checkRegion(options.region, '--region')
    : outputs?.get('region')
      ? checkRegion(outputs.get('region')!, `${outputs.file}: aws_region`)
      : checkRegion(regionFrom(), 'AWS_REGION');
  if (options.endpoint) checkEndpoint(options.endpoint, '--endpoint');
  checkEnvironmentEndpoints();
  return {
    kind: 'aws',
    environment: environmentOf(options, outputs),
    region,
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(outputs && { outputs }),
  };
}

export function describeTarget(target: Target): string {
  if (target.kind === 'local') {
    const session = target.session === 'demo' ? ', the demo run of npm start' : '';
    return `the embedded store (${displayPath(localPaths(target.home, target.environment).root)}, environment ${target.environment}${session})`;
  }
  return `${target.endpoint ?? `AWS ${target.region}`} (environment ${target.environment})`;
}

/** The DynamoDB endpoint requests go to, for error messages. */
const dynamoEndpointOf = (target: AwsTarget): string => endpointOf('DynamoDB', target.endpoint) ?? `https://dynamodb.${target.region}.amazonaws.com`;

const TABLE_OUTPUTS: Record<TableKey, OutputKey> = {
  alerts: 'alertsTable',
  alertRules: 'alertRulesTable',
  marketData: 'marketDataTable',
  auditTrail: 'auditTrailTable',
};

/** A table's name in the target: the outputs file's when it has one, else the environment's resource name. */
export function tableName(target: Target, table: TableKey): string {
  if (target.kind === 'local') return sessionTableNames(target.environment, target.session)[table];
  const fromOutputs = target.kind === 'aws' ? target.outputs?.get(TABLE_OUTPUTS[table]) : undefined;
  return fromOutputs ?? resourceNames(target.environment)[TABLES[table].resource];
}

/** Fail with a clear message when a table is missing or DynamoDB cannot be reached. */
async function requireTables(client: DynamoDBClient, target: AwsTarget, tables: readonly TableKey[]): Promise<void> {
  for (const table of tables) {
    const name = tableName(target, table);
    try {
      await client.send(new DescribeTableCommand({ TableName: name }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new UserError(
          `table ${name} does not exist at ${dynamoEndpointOf(target)}: deploy the stack (ENVIRONMENT_SUFFIX=${target.environment} npm run deploy), ` +
            'or choose the deployed environment with --env or --outputs',
        );
      }
      throw new ServiceError(error, { endpoint: dynamoEndpointOf(target), service: 'DynamoDB' });
    }
  }
}

/** DynamoDB access for a command: the embedded store (tables created on first use) or a deployed environment's tables. */
export interface TableAccess extends RemoteTables {
  readonly documents: DynamoDBDocumentClient;
  /** The plain client under `documents`, for requests that compare stored attribute values exactly. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

export async function openTables(target: Target, tables: readonly TableKey[]): Promise<TableAccess> {
  if (target.kind === 'local') {
    const store = await openLocalStore({ environment: target.environment, home: target.home });
    if (target.session === 'demo' && !(await hasSessionTables(store.client, target.environment, 'demo'))) {
      await store.close();
      throw new UserError(`there is no demo run in environment ${target.environment} yet: npm start makes one`);
    }
    return { documents: createDocumentClient(store.client), client: store.client, region: store.region, close: () => store.close() };
  }
  return openRemoteTables(target, tables);
}

/** A deployed environment's tables, checked to exist. */
export async function openRemoteTables(target: AwsTarget, tables: readonly TableKey[]): Promise<TableAccess> {
  const client = dynamoClient(target);
  try {
    await requireTables(client, target, tables);
  } catch (error) {
    client.destroy();
    throw error;
  }
  const tableNames = Object.fromEntries(tables.map((table) => [table, tableName(target, table)]));
  return { documents: createDocumentClient(client), client, region: target.region, tableNames, close: async () => client.destroy() };
}

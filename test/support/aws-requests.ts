/**
 * Every AWS request the code under test sends, as IAM authorizes it: recorded by a middleware that joins the
 * middleware stack of each AWS SDK client when it first sends, so that a call the handlers add later is recorded
 * without anyone listing it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** What a caller must be allowed on the KMS key of a resource encrypted with one: the service uses it on the caller's behalf. */
export interface KeyUse {
  readonly actions: readonly string[];
  /** The service that calls KMS (kms:ViaService is `<service>.<region>.amazonaws.com`). */
  readonly service: string;
  readonly encryptionContext: Readonly<Record<string, string>>;
}

export interface AwsRequest {
  /** The IAM action the request is authorized as (PublishBatch is sns:Publish). */
  readonly action: string;
  /** The ARN of the resource it acts on, `*` for an action IAM authorizes on no resource. */
  readonly resource: string;
  /** The key use the request implies if the resource is encrypted with a customer managed key. */
  readonly keyUse?: KeyUse;
  /** Who sends it with the function's role: the function's code, or Lambda itself (what for). */
  readonly sentBy: string;
}

export const FUNCTION_CODE = 'function code';

/** IAM service prefix of each SDK client's service id. */
const IAM_SERVICES: Readonly<Record<string, string>> = { DynamoDB: 'dynamodb', SNS: 'sns', SQS: 'sqs' };

/** Operations IAM authorizes as another action: the batch forms of SNS and SQS calls. */
const AUTHORIZED_AS: Readonly<Record<string, string>> = {
  'sns:PublishBatch': 'sns:Publish',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/**
 * The key actions each action implies on an encrypted resource's key: DynamoDB checks that the caller may decrypt
 * with the table's key and describe it; a sender to a queue or topic generates data keys and decrypts a cached one; a
 * receiver decrypts. Every action a request may be authorized as is listed, so that a new one must say what it implies.
 */
const KEY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(
    ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query', 'Scan', 'ConditionCheckItem'].map((op) => [
      `dynamodb:${op}`,
      ['kms:Decrypt', 'kms:DescribeKey'],
    ]),
  ),
  'sqs:SendMessage': ['kms:GenerateDataKey', 'kms:Decrypt'],
  'sqs:ReceiveMessage': ['kms:Decrypt'],
  'sqs:DeleteMessage': [],
  'sqs:ChangeMessageVisibility': [],
  'sqs:GetQueueAttributes': [],
  'sns:Publish': ['kms:GenerateDataKey', 'kms:Decrypt'],
  // CloudWatch Logs encrypts a log group with its own service principal, not the writer's.
  'logs:CreateLogStream': [],
  'logs:PutLogEvents': [],
  'xray:PutTraceSegments': [],
  'xray:PutTelemetryRecords': [],
};

/** `arn:partition:service:region:account:resource`, split. */
export function parseArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } {
  const [prefix, partition, service, region, account, ...rest] = arn.split(':');
  if (prefix !== 'arn' || !partition || !service || rest.length === 0) throw new Error(`not an ARN: ${arn}`);
  return { partition, service, region: region!, account: account!, resource: rest.join(':') };
}

/** The encryption context the service gives KMS for the resource (as each service documents it). */
function encryptionContextOf(arn: string): Record<string, string> {
  const { service, account, resource } = parseArn(arn);
  switch (service) {
    case 'dynamodb':
      return { 'aws:dynamodb:tableName': resource.split('/')[1]!, 'aws:dynamodb:subscriberId': account };
    case 'sqs':
      return { 'aws:sqs:arn': arn };
    case 'sns':
      return { 'aws:sns:topicArn': arn };
    default:
      throw new Error(`no encryption context known for ${service}`);
  }
}

/** The request IAM sees for `action` on `resource`, with the key use it implies. */
export function awsRequest(action: string, resource: string, sentBy: string): AwsRequest {
  const keyActions = KEY_ACTIONS[action];
  if (!keyActions) throw new Error(`which key actions ${action} implies is not known: add it to KEY_ACTIONS`);
  if (keyActions.length === 0 || resource === '*') return { action, resource, sentBy };
  const keyUse = { actions: keyActions, service: parseArn(resource).service, encryptionContext: encryptionContextOf(resource) };
  return { action, resource, keyUse, sentBy };
}

/** The resources one SDK call acts on, from its input: each table of a batch is authorized on its own. */
function resourcesOf(service: string, input: Record<string, unknown>, region: string, account: string): string[] {
  switch (service) {
    case 'dynamodb': {
      if (input.TransactItems) throw new Error('transactions are authorized per item: not recorded yet');
      const tables = typeof input.TableName === 'string' ? [input.TableName] : Object.keys((input.RequestItems as object | undefined) ?? {});
      return tables.map((table) => (table.startsWith('arn:') ? table : `arn:aws:dynamodb:${region}:${account}:table/${table}`));
    }
    case 'sqs': {
      if (typeof input.QueueUrl !== 'string') return [];
      const [queueAccount, name] = new URL(input.QueueUrl).pathname.split('/').slice(1);
      return [`arn:aws:sqs:${region}:${queueAccount}:${name}`];
    }
    case 'sns':
      return [input.TopicArn ?? input.TargetArn].filter((arn): arn is string => typeof arn === 'string');
    default:
      return [];
  }
}

/** The requests one SDK call is authorized as: one per resource it acts on. */
function requestsOf(
  serviceId: string | undefined,
  context: Record<string, unknown>,
  input: Record<string, unknown>,
  region: string,
  account: string,
): AwsRequest[] {
  const service = IAM_SERVICES[serviceId ?? ''];
  const operation = (context.__smithy_context as { operation?: string } | undefined)?.operation;
  if (!service || !operation)
    throw new Error(`the IAM action of ${serviceId} ${String(context.commandName)} is not known: add its service to IAM_SERVICES`);
  const resources = resourcesOf(service, input, region, account);
  if (resources.length === 0) throw new Error(`which resource ${service}:${operation} acts on is not known: add it to resourcesOf`);
  const action = AUTHORIZED_AS[`${service}:${operation}`] ?? `${service}:${operation}`;
  return resources.map((resource) => awsRequest(action, resource, FUNCTION_CODE));
}

interface SdkClient {
  readonly config: { readonly serviceId?: string; region(): Promise<string> };
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority: 'high' }): void;
  };
}
type Send = (this: SdkClient, ...args: unknown[]) => unknown;

export interface AwsRequestRecorder {
  /** The requests recorded so far, forgotten here; fails if a request could not be recorded. */
  take(): AwsRequest[];
  /** Records nothing that this client sends (the test's own calls). */
  ignore(client: object): void;
  /** Runs before each recorded request is sent (a test that must act between two calls of the code under test). */
  beforeSend(listener: (request: AwsRequest) => Promise<void>): void;
  stop(): void;
}

/** Each recorder's middleware needs a name of its own in a stack. */
let recorders = 0;

/**
 * Records each request that any AWS SDK v3 client of this process sends, from now until stop(). `account` is the
 * account the callers run in: a DynamoDB table is named without it.
 */
export function recordAwsRequests(account: string): AwsRequestRecorder {
  // Every SDK client, the DynamoDB document client included, extends the one Smithy client class.
  const base = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: Send };
  for (const client of [SNSClient, SQSClient]) {
    if (Object.getPrototypeOf(client.prototype) !== base) throw new Error(`${client.name} does not share the client class the recorder hooks`);
  }
  const name = `recordAwsRequests${++recorders}`;
  const requests: AwsRequest[] = [];
  const ignored = new WeakSet<object>();
  const joined = new WeakSet<object>();
  const unrecorded: string[] = [];
  const listeners: Array<(request: AwsRequest) => Promise<void>> = [];
  let recording = true;

  const record = (client: SdkClient) => (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: Record<string, unknown>) => {
    return async (args: { input: Record<string, unknown> }) => {
      if (recording && !ignored.has(client.middlewareStack)) {
        let recorded: AwsRequest[] = [];
        try {
          recorded = requestsOf(client.config.serviceId, context, args.input, await client.config.region(), account);
        } catch (error) {
          // Not thrown here, where the code under test might handle it: take() reports it.
          unrecorded.push((error as Error).message);
        }
        for (const request of recorded) {
          requests.push(request);
          for (const listener of listeners) await listener(request);
        }
      }
      return next(args);
    };
  };

  const original = base.send;
  base.send = function (this: SdkClient, ...args: unknown[]) {
    // A document client shares its DynamoDB client's stack: one middleware serves both.
    if (!joined.has(this.middlewareStack)) {
      joined.add(this.middlewareStack);
      this.middlewareStack.add(record(this), { step: 'initialize', name, priority: 'high' });
    }
    return original.apply(this, args);
  };

  return {
    take: () => {
      if (unrecorded.length > 0) throw new Error(`requests not recorded: ${unrecorded.splice(0).join('; ')}`);
      return requests.splice(0);
    },
    ignore: (client) => ignored.add((client as SdkClient).middlewareStack),
    beforeSend: (listener) => void listeners.push(listener),
    stop: () => {
      recording = false;
      base.send = original;
    },
  };
}

/**
 * Every AWS request of both functions is allowed by the policies the stack deploys. The Lambda entry points run with
 * the environment of their synthesized aws_lambda_function, against dynalite and the SNS and SQS fakes; each request
 * their SDK clients send is recorded, with what Lambda itself sends with their roles, and evaluated by an IAM policy
 * evaluator against the synthesized role, queue, topic and key policies.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as dataProcessor } from '../../src/handlers/data-processor.js';
import { handler as marketProcessor } from '../../src/handlers/market-processor.js';
import { FUNCTION_CODE, awsRequest, recordAwsRequests, type AwsRequest, type AwsRequestRecorder } from '../support/aws-requests.js';
import { DeployedStack, TEST_ACCOUNT } from '../support/deployed-stack.js';
import { startLocalDynamo, TEST_CREDENTIALS, type LocalDynamo } from '../support/dynamo.js';
import { denied, describeCheck, evaluate } from '../support/iam-evaluation.js';
import { lambdaContext, marketEvent, sqsEvent, sqsRecord } from '../support/lambda.js';
import { startFakeSns, type FakeSns } from '../support/sns-fake.js';
import { startFakeSqs, type FakeSqs } from '../support/sqs-fake.js';
import { asList, parsePolicy, ref, synthesizeInMemory, type PolicyDocument, type Statement, type TerraformJson } from '../infra/synth.js';

const DATA_PROCESSOR = 'data-processor-test';
const MARKET_PROCESSOR = 'market-processor-test';
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${TEST_ACCOUNT}:${resource}`;
const table = (name: string) => arn('dynamodb', `table/${name}`);
const logStream = (fn: string) => arn('logs', `log-group:/aws/lambda/${fn}:log-stream:2026/11/20/[$LATEST]0123456789abcdef`);

let json: TerraformJson;
let stack: DeployedStack;
let db: LocalDynamo;
let sns: FakeSns;
let sqs: FakeSqs;
let recorder: AwsRequestRecorder;
/** What each function's role sends: the requests of its code, recorded, and Lambda's own. */
const sent: Record<string, AwsRequest[]> = {};

/** The function's deployed variables, with the SDK pointed at the local endpoints by standard configuration. */
function useDeployedEnvironment(functionName: string): void {
  vi.unstubAllEnvs();
  const variables = {
    ...stack.lambdaFunction(functionName).environment,
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  };
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

/**
 * Makes the next state update lose a race, as when another instance writes the symbol's state between this one's
 * read and its update: the engine then hands its ticks over. The symbol must have no state yet.
 */
function loseNextStateRace(symbol: string): () => boolean {
  let raced = false;
  recorder.beforeSend(async (request) => {
    if (raced || request.action !== 'dynamodb:UpdateItem') return;
    raced = true;
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol, version: 1 } }));
  });
  return () => raced;
}

const tick = (symbol: string, price: number) => sqsRecord(JSON.stringify({ symbol, price }), Date.now() - 60_000);

/** Batches that reach each AWS call of data-processor: the requests of its code and of its deployment. */
async function runDataProcessor(): Promise<AwsRequest[]> {
  useDeployedEnvironment(DATA_PROCESSOR);
  const bad = sqsRecord('{"symbol":"AAPL"}');
  // Alerts raised, published and recorded.
  expect(await dataProcessor(sqsEvent([tick('AAPL', 155), tick('GE', 20), tick('MSFT', 100), bad]), lambdaContext())).toEqual({
    batchItemFailures: [{ itemIdentifier: bad.messageId }],
  });
  const raced = loseNextStateRace('TSLA');
  expect(await dataProcessor(sqsEvent([tick('TSLA', 400)]), lambdaContext())).toEqual({ batchItemFailures: [] });
  expect(raced()).toBe(true);
  // AAPL's alert stays pending in its state until a later batch finds its record.
  expect(await dataProcessor(sqsEvent([tick('AAPL', 156)]), lambdaContext())).toEqual({ batchItemFailures: [] });
  expect(sns.published.map((p) => p.attributes.symbol).sort()).toEqual(['AAPL', 'GE', 'TSLA']);
  return [...recorder.take(), ...stack.lambdaRequests(stack.lambdaFunction(DATA_PROCESSOR))];
}

/** Events that reach each AWS call of market-processor. */
async function runMarketProcessor(): Promise<AwsRequest[]> {
  useDeployedEnvironment(MARKET_PROCESSOR);
  const trade = marketEvent('evt-iam-1', 'Trade Execution', { exchange: 'NYSE', symbol: 'NVDA', price: 151, volume: 10 });
  expect(await marketProcessor(trade, lambdaContext())).toMatchObject({ status: 'processed', stored: 'created', alertIds: [expect.any(String)] });
  // Delivered again: stored already, and its alert pending until its record is found.
  expect(await marketProcessor(trade, lambdaContext())).toMatchObject({ status: 'processed', stored: 'exists' });
  const raced = loseNextStateRace('AMD');
  const race = marketEvent('evt-iam-2', 'Trade Execution', { exchange: 'NYSE', symbol: 'AMD', price: 20, volume: 10 });
  expect(await marketProcessor(race, lambdaContext())).toMatchObject({ status: 'processed', alertIds: [expect.any(String)] });
  expect(raced()).toBe(true);
  const quote = marketEvent('evt-iam-3', 'Market Quote', { exchange: 'NYSE', symbol: 'NVDA' });
  expect(await marketProcessor(quote, lambdaContext())).toMatchObject({ status: 'rejected' });
  expect(sqs.sent.map((m) => m.attributes.EventId)).toEqual(['evt-iam-3']);
  return [...recorder.take(), ...stack.lambdaRequests(stack.lambdaFunction(MARKET_PROCESSOR))];
}

beforeAll(async () => {
  json = synthesizeInMemory({ environmentSuffix: 'test' }).json;
  stack = new DeployedStack(json);
  [db, sns, sqs] = await Promise.all([startLocalDynamo('test'), startFakeSns(), startFakeSqs()]);
  recorder = recordAwsRequests(TEST_ACCOUNT);
  recorder.ignore(db.raw);
  sent[DATA_PROCESSOR] = await runDataProcessor();
  sent[MARKET_PROCESSOR] = await runMarketProcessor();
  vi.unstubAllEnvs();
}, 60_000);
afterAll(async () => {
  recorder.stop();
  await Promise.all([db.close(), sns.close(), sqs.close()]);
});

/** Distinct `action resource` pairs, sorted. */
const summary = (requests: readonly AwsRequest[]) => [...new Set(requests.map((r) => `${r.action} ${r.resource}`))].sort();
const keyArn = () => stack.resolve(ref('aws_kms_key', Object.keys(json.resource.aws_kms_key!)[0]!, 'arn'));

/** The synthesized stack with one policy document changed. */
function withPolicy(type: string, select: (block: Record<string, unknown>) => boolean, change: (policy: PolicyDocument) => void): DeployedStack {
  const copy = structuredClone(json);
  const blocks = Object.values(copy.resource[type] ?? {}).filter(select);
  expect(blocks).toHaveLength(1);
  const policy = parsePolicy(blocks[0]!.policy);
  change(policy);
  blocks[0]!.policy = JSON.stringify(policy);
  return new DeployedStack(copy);
}

const rolePolicy = (roleName: string) => (block: Record<string, unknown>) => block.name === roleName;

/** Each action, and each resource, of the role's policy that could go without any request of the function being denied. */
async function grantsNotNeeded(functionName: string, roleName: string): Promise<string[]> {
  const [, block] = Object.entries(json.resource.aws_iam_role_policy!).find(([, b]) => b.name === roleName)!;
  const unneeded: string[] = [];
  for (const [index, statement] of parsePolicy(block.policy).Statement.entries()) {
    const without = (key: 'Action' | 'Resource', value: string) =>
      withPolicy('aws_iam_role_policy', rolePolicy(roleName), (policy) => {
        const rest = asList(statement[key]).filter((v) => v !== value);
        if (rest.length === 0) policy.Statement.splice(index, 1);
        else (policy.Statement[index] as Statement)[key] = rest;
      });
    for (const action of asList(statement.Action)) {
      const checks = await evaluate(without('Action', action), functionName, sent[functionName]!);
      if (!denied(checks).some((c) => c.action === action)) unneeded.push(`${action} on ${String(statement.Resource)}`);
    }
    const resources = asList(statement.Resource);
    for (const resource of resources.length > 1 ? resources : []) {
      if (denied(await evaluate(without('Resource', resource), functionName, sent[functionName]!)).length === 0) {
        unneeded.push(`${String(statement.Action)} on ${resource}`);
      }
    }
  }
  return unneeded;
}

describe('data-processor', () => {
  it('sends these requests with its role: its code, and Lambda polling the queue, writing logs and traces', () => {
    expect(summary(sent[DATA_PROCESSOR]!)).toEqual([
      `dynamodb:BatchGetItem ${table('alert-rules-test')}`,
      `dynamodb:BatchGetItem ${table('market-alerts-test')}`,
      `dynamodb:BatchWriteItem ${table('market-alerts-test')}`,
      `dynamodb:UpdateItem ${table('alert-rules-test')}`,
      `logs:CreateLogStream ${logStream(DATA_PROCESSOR)}`,
      `logs:PutLogEvents ${logStream(DATA_PROCESSOR)}`,
      `sns:Publish ${arn('sns', 'trading-alerts-test')}`,
      `sqs:DeleteMessage ${arn('sqs', 'market-data-queue-test')}`,
      `sqs:GetQueueAttributes ${arn('sqs', 'market-data-queue-test')}`,
      `sqs:ReceiveMessage ${arn('sqs', 'market-data-queue-test')}`,
      'xray:PutTelemetryRecords *',
      'xray:PutTraceSegments *',
    ]);
  });

  it('is allowed each of them, and each key use they imply, by the deployed policies', async () => {
    const checks = await evaluate(stack, DATA_PROCESSOR, sent[DATA_PROCESSOR]!);
    expect(denied(checks).map(describeCheck)).toEqual([]);
    const keyUses = checks.filter((c) => c.resource === keyArn()).map((c) => `${c.action} for ${c.request.action}`);
    expect([...new Set(keyUses)].sort()).toEqual([
      'kms:Decrypt for dynamodb:BatchGetItem',
      'kms:Decrypt for dynamodb:BatchWriteItem',
      'kms:Decrypt for dynamodb:UpdateItem',
      'kms:Decrypt for sns:Publish',
      'kms:Decrypt for sqs:ReceiveMessage',
      'kms:DescribeKey for dynamodb:BatchGetItem',
      'kms:DescribeKey for dynamodb:BatchWriteItem',
      'kms:DescribeKey for dynamodb:UpdateItem',
      'kms:GenerateDataKey for sns:Publish',
    ]);
  });

  it('needs every action and resource its role policy grants: without any one, one of its requests is denied', async () => {
    expect(await grantsNotNeeded(DATA_PROCESSOR, 'data-processor-role-test')).toEqual([]);
  }, 30_000);
});

describe('market-processor', () => {
  it('sends these requests with its role: its code, and Lambda dead-lettering, writing logs and traces', () => {
    expect(summary(sent[MARKET_PROCESSOR]!)).toEqual([
      `dynamodb:BatchGetItem ${table('alert-rules-test')}`,
      `dynamodb:BatchGetItem ${table('market-alerts-test')}`,
      `dynamodb:BatchWriteItem ${table('market-alerts-test')}`,
      `dynamodb:PutItem ${table('audit-trail-test')}`,
      `dynamodb:PutItem ${table('market-data-test')}`,
      `dynamodb:UpdateItem ${table('alert-rules-test')}`,
      `logs:CreateLogStream ${logStream(MARKET_PROCESSOR)}`,
      `logs:PutLogEvents ${logStream(MARKET_PROCESSOR)}`,
      `sns:Publish ${arn('sns', 'trading-alerts-test')}`,
      `sqs:SendMessage ${arn('sqs', 'market-events-dlq-test')}`,
      'xray:PutTelemetryRecords *',
      'xray:PutTraceSegments *',
    ]);
    expect(sent[MARKET_PROCESSOR]!.filter((r) => r.action === 'sqs:SendMessage').map((r) => r.sentBy)).toEqual([
      FUNCTION_CODE,
      'Lambda (dead-letter queue of asynchronous invocations)',
    ]);
  });

  it('is allowed each of them, and each key use they imply, by the deployed policies', async () => {
    const checks = await evaluate(stack, MARKET_PROCESSOR, sent[MARKET_PROCESSOR]!);
    expect(denied(checks).map(describeCheck)).toEqual([]);
    // Both sends, the handler's and Lambda's, generate a data key with the stack's key and may decrypt a cached one.
    const send = [`sqs:SendMessage ${arn('sqs', 'market-events-dlq-test')}`, `kms:GenerateDataKey ${keyArn()}`, `kms:Decrypt ${keyArn()}`];
    expect(checks.filter((c) => c.request.action === 'sqs:SendMessage').map((c) => `${c.action} ${c.resource}`)).toEqual([...send, ...send]);
  });

  it('needs every action and resource its role policy grants: without any one, one of its requests is denied', async () => {
    expect(await grantsNotNeeded(MARKET_PROCESSOR, 'market-processor-role-test')).toEqual([]);
  }, 30_000);
});

describe('the evaluation', () => {
  it('denies the lookup of delivered alerts when market-alerts grants BatchWriteItem only', async () => {
    const withoutLookup = withPolicy('aws_iam_role_policy', rolePolicy('data-processor-role-test'), (policy) => {
      const alerts = policy.Statement.find((s) => asList(s.Resource).some((r) => r.includes('storage_alerts_table')))!;
      alerts.Action = asList(alerts.Action).filter((a) => a !== 'dynamodb:BatchGetItem');
    });
    const checks = await evaluate(withoutLookup, DATA_PROCESSOR, sent[DATA_PROCESSOR]!);
    expect(denied(checks).map(describeCheck)).toEqual([
      `ImplicitlyDenied: dynamodb:BatchGetItem on ${table('market-alerts-test')}, sent by function code`,
    ]);
  });

  it('reports a request to a table the stack does not have', async () => {
    await expect(db.client().send(new PutCommand({ TableName: 'market-alerts-elsewhere', Item: { symbol: 'A', timestamp: 't' } }))).rejects.toThrow();
    const checks = await evaluate(stack, DATA_PROCESSOR, recorder.take());
    expect(checks.map(describeCheck)).toEqual([`NoSuchResource: dynamodb:PutItem on ${table('market-alerts-elsewhere')}, sent by function code`]);
  });

  it("applies the queue's policy to the request's context: a queue that refuses requests over TLS refuses the function's", async () => {
    const refusing = withPolicy(
      'aws_sqs_queue_policy',
      (b) => String(b.queue_url).includes('event-ingestion_dlq'),
      (policy) => (policy.Statement[0]!.Condition = { Bool: { 'aws:SecureTransport': 'true' } }),
    );
    const checks = await evaluate(refusing, MARKET_PROCESSOR, sent[MARKET_PROCESSOR]!);
    expect(denied(checks).map(describeCheck)).toEqual([
      `ExplicitlyDenied: sqs:SendMessage on ${arn('sqs', 'market-events-dlq-test')}, sent by function code`,
      `ExplicitlyDenied: sqs:SendMessage on ${arn('sqs', 'market-events-dlq-test')}, sent by Lambda (dead-letter queue of asynchronous invocations)`,
    ]);
  });

  it('applies the key policy: without the statement that delegates to IAM, the role may use the key for nothing', async () => {
    const withoutDelegation = withPolicy(
      'aws_kms_key',
      () => true,
      (policy) => (policy.Statement = policy.Statement.filter((s) => s.Sid !== 'EnableIamPolicies')),
    );
    const checks = await evaluate(withoutDelegation, DATA_PROCESSOR, sent[DATA_PROCESSOR]!);
    const keyChecks = checks.filter((c) => c.resource === keyArn());
    expect(keyChecks.length).toBeGreaterThan(0);
    expect(denied(checks)).toEqual(keyChecks);
  });

  it('sets kms:ViaService to the service that uses the key: a key limited to SQS and SNS refuses the tables', async () => {
    const messagingOnly = withPolicy(
      'aws_kms_key',
      () => true,
      (policy) =>
        policy.Statement.push({
          Sid: 'MessagingOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:ViaService': ['sqs.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com'] } },
        }),
    );
    const checks = await evaluate(messagingOnly, DATA_PROCESSOR, sent[DATA_PROCESSOR]!);
    expect(denied(checks).length).toBeGreaterThan(0);
    expect(denied(checks)).toEqual(checks.filter((c) => c.resource === keyArn() && c.request.action.startsWith('dynamodb:')));
    expect(denied(checks).every((c) => c.decision === 'ExplicitlyDenied')).toBe(true);
  });

  it('refuses to decide on a condition key the evaluator leaves out (an encryption context)', async () => {
    const byTable = withPolicy('aws_iam_role_policy', rolePolicy('data-processor-role-test'), (policy) => {
      const key = policy.Statement.find((s) => asList(s.Action).includes('kms:Decrypt'))!;
      key.Condition = { StringEquals: { 'kms:EncryptionContext:aws:dynamodb:tableName': ['alert-rules-test', 'market-alerts-test'] } };
    });
    await expect(evaluate(byTable, DATA_PROCESSOR, sent[DATA_PROCESSOR]!)).rejects.toThrow(
      'a policy tests kms:EncryptionContext:aws:dynamodb:tableName, which the evaluator leaves out of kms:Decrypt',
    );
  });

  it('needs to know which key actions an action implies', () => {
    expect(() => awsRequest('dynamodb:DescribeTable', table('market-alerts-test'), FUNCTION_CODE)).toThrow(
      'which key actions dynamodb:DescribeTable implies is not known: add it to KEY_ACTIONS',
    );
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient, ListEventBusesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionRunner, Invocation } from '../../../src/infra/moto/function-runner.js';
import {
  deploy,
  destroy,
  startFunctions,
  stopMoto,
  validateStack,
  type DeploymentRecord,
  type Timings,
} from '../../../src/infra/moto/local-deployment.js';
import { terraform } from '../../../src/infra/moto/terraform.js';
import { findTools, missingFor } from '../../../src/infra/moto/tools.js';
import { resourceNames } from '../../../src/resources/index.js';
import { spawnMarketData } from '../../support/cli.js';

/**
 * The stack on real Terraform: validated against the machine's hashicorp/aws provider, applied to a moto_server on
 * 127.0.0.1, driven with market-data and the deployed handler bundles, and destroyed down to nothing. Each part is
 * skipped, saying what is missing, on a machine without terraform, a provider mirror or moto_server.
 */
const tools = findTools();
const skipped = (missing: string[]) => (missing.length > 0 ? ` (skipped: ${missing.join('; ')})` : '');
const forValidate = missingFor(tools, 'terraform', 'mirror');
const forMoto = missingFor(tools, 'terraform', 'mirror', 'motoServer');
if (forMoto.length > 0) console.warn(`Terraform on moto tests skipped: ${forMoto.join('; ')}`);

/** Every step of a run, for the report at the end. */
const timings: Timings = {};

describe.skipIf(forValidate.length > 0)(`terraform validate of the synthesized stack${skipped(forValidate)}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-validate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes with the mirror provider, installed from the mirror; the stack keeps its own pin', { timeout: 240_000 }, async () => {
    const { prepared, timings: steps } = await validateStack(dir, 'tfcheck', tools);
    Object.assign(timings, Object.fromEntries(Object.entries(steps).map(([k, v]) => [`validate:${k}`, v])));
    // The bindings' version stays in the stack; only the override admits the mirror's.
    expect(prepared.stack.terraform?.required_providers?.aws).toEqual({ source: 'hashicorp/aws', version: '6.66.0' });
    expect(tools.mirror!.versions).toContain(prepared.providerVersion);
    const installed = join(prepared.stackDir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws', prepared.providerVersion);
    expect(existsSync(installed)).toBe(true);
    expect(readFileSync(prepared.terraform.cliConfigFile, 'utf8')).toContain(`path    = "${tools.mirror!.path}"`);
  });

  it("rejects what the provider does not know: validate checks the stack against the provider's schema", { timeout: 120_000 }, async () => {
    const stackDir = join(dir, 'synth', 'stacks', 'market-data-pipeline-tfcheck');
    const broken = join(stackDir, 'broken.tf.json');
    await writeFile(broken, JSON.stringify({ resource: { aws_sqs_queue: { broken: { name: 'broken', no_such_argument: 1 } } } }));
    const options = { binary: tools.terraform!, cwd: stackDir, cliConfigFile: join(dir, 'terraform.rc') };
    try {
      await expect(terraform(options, ['validate', '-no-color'])).rejects.toThrow('No argument or block type is named "no_such_argument"');
    } finally {
      await rm(broken);
    }
  });
});

describe.skipIf(forMoto.length > 0)(`the stack applied to moto_server, driven, destroyed${skipped(forMoto)}`, () => {
  const environment = 'motoe2e';
  const names = resourceNames(environment);
  const symbol = 'ZMOTO';
  let dir: string;
  let home: string;
  let record: DeploymentRecord;
  let runner: FunctionRunner | undefined;
  let destroyed = false;
  const invocations: Invocation[] = [];
  let notifications: { queueUrl: string; subscriptionArn: string } | undefined;

  const aws = () => ({ region: record.region, endpoint: record.endpoint, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const cli = (...args: string[]) =>
    spawnMarketData([...args, '--outputs', record.outputsFile, '--endpoint', record.endpoint], {
      MARKET_DATA_HOME: home,
      AWS_ACCESS_KEY_ID: 'moto',
      AWS_SECRET_ACCESS_KEY: 'moto',
    });
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    const run = await cli(...args, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1_000))) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-moto-'));
    home = await mkdtemp(join(tmpdir(), 'tf-moto-home-'));
    const deployed = await deploy({ dir, environmentSuffix: environment, tools });
    record = deployed.record;
    Object.assign(timings, deployed.timings);
  }, 900_000);

  afterAll(async () => {
    await runner?.stop();
    if (record && !destroyed) await destroy(record).catch(() => undefined);
    if (record) await stopMoto(record);
    console.info(
      `Terraform on moto, seconds: ${Object.entries(timings)
        .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)}`)
        .join(', ')}`,
    );
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }, 900_000);

  it('apply creates every resource of the synthesized stack, and the outputs file is what the CLI reads', async () => {
    const stack = JSON.parse(readFileSync(join(record.stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    const synthesized = Object.entries(stack.resource).flatMap(([type, blocks]) => Object.keys(blocks).map((id) => `${type}.${id}`));
    expect(synthesized).toHaveLength(41);
    expect([...record.resources].sort()).toEqual(
      [...synthesized, 'aws_sqs_queue.moto_delivery_processing_market-processor_function_EE27BA66'].sort(),
    );
    const outputs = JSON.parse(readFileSync(record.outputsFile, 'utf8')) as Record<string, string>;
    expect(outputs).toMatchObject({
      environment_suffix: 'motoe2e',
      aws_region: 'us-east-1',
      dynamodb_table_name: 'market-alerts-motoe2e',
      sqs_queue_url: `${record.endpoint}/123456789012/market-data-queue-motoe2e`,
      default_alert_rule: '{"above":150,"below":50,"mode":"cross"}',
    });
  });

  it("moto runs no function itself: the queue's mapping is disabled and the bus rules deliver to a queue", async () => {
    const lambda = new LambdaClient(aws());
    const events = new EventBridgeClient(aws());
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(EventSourceMappings.map((m) => [m.FunctionArn?.split(':').at(-1), m.State, m.BatchSize, m.FunctionResponseTypes])).toEqual([
      ['data-processor-motoe2e', 'Disabled', 25, ['ReportBatchItemFailures']],
    ]);
    for (const rule of [names.tradeEventsRule, names.quoteEventsRule]) {
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: names.eventBus }));
      expect(Targets.map((t) => t.Arn)).toEqual(['arn:aws:sqs:us-east-1:123456789012:market-processor-motoe2e-deliveries']);
    }
    lambda.destroy();
    events.destroy();
  });

  it('rules set, list and delete work on the deployed alert-rules table', { timeout: 60_000 }, async () => {
    expect((await cli('rules', 'set', 'AAPL', '--above', '500', '--below', '1')).code).toBe(0);
    const list = await cliJson<{ symbols: { symbol: string; override: unknown }[] }>('rules', 'list');
    expect(list.symbols.find((s) => s.symbol === 'AAPL')?.override).toEqual({ above: 500, below: 1 });
    expect((await cli('rules', 'delete', 'AAPL')).code).toBe(0);
    const after = await cliJson<{ symbols: { symbol: string; override?: unknown }[] }>('rules', 'list');
    expect(after.symbols.find((s) => s.symbol === 'AAPL')?.override ?? null).toBeNull();
  });

  it(
    'published ticks and events run through the deployed functions: alerts in market-alerts, notifications on trading-alerts, invalid ones in the DLQs',
    { timeout: 300_000 },
    async () => {
      const sqs = new SQSClient(aws());
      const sns = new SNSClient(aws());
      const dynamo = new DynamoDBClient(aws());
      // A queue subscribed to the topic, as a trader's would be.
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'test-notifications' }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: `arn:aws:sns:us-east-1:123456789012:${names.tradingAlertsTopic}`,
          Protocol: 'sqs',
          Endpoint: Attributes!.QueueArn,
        }),
      );
      notifications = { queueUrl: QueueUrl!, subscriptionArn: SubscriptionArn! };

      const started = Date.now();
      runner = await startFunctions(record, { retryDelaySeconds: 1, onInvocation: (i) => invocations.push(i) });
      const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
      const file = join(home, 'session.jsonl');
      const lines = [
        { symbol, price: 140, timestamp: ago(60) },
        { symbol, price: 155.5, timestamp: ago(50) },
        { symbol, price: 156, timestamp: ago(40) },
        { symbol, price: -1 },
        { source: 'market.data', 'detail-type': 'Trade Execution', time: ago(30), detail: { exchange: 'NYSE', symbol, price: 45, volume: 100 } },
        { source: 'market.data', 'detail-type': 'Market Quote', time: ago(20), detail: { symbol, price: 47 } },
      ];
      await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const published = await cliJson<{ ticksSent: number; eventsSent: number; failed: unknown[] }>('publish', file);
      expect(published).toMatchObject({ ticksSent: 4, eventsSent: 2, failed: [] });

      // The alerts, read by the CLI and straight from moto's table.
      const alerts = await eventually('two alerts', async () => {
        const items = await cliJson<{ alert_type: string; price: number }[]>('alerts', symbol);
        return items.length >= 2 ? items : undefined;
      });
      expect(alerts.map((a) => [a.alert_type, a.price])).toEqual([
        ['HIGH', 155.5],
        ['LOW', 45],
      ]);
      const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: names.alertsTable }));
      expect(Items.map((i) => [i.symbol?.S, i.alert_type?.S]).sort()).toEqual([
        [symbol, 'HIGH'],
        [symbol, 'LOW'],
      ]);
      const stored = await dynamo.send(new ScanCommand({ TableName: names.marketDataTable }));
      expect(stored.Items?.map((i) => i.symbol?.S)).toEqual([symbol]);

      // Each alert as a notification to the subscribed queue.
      const received: { Message: string; MessageAttributes: Record<string, { Value: string }> }[] = [];
      await eventually('two notifications', async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        received.push(...Messages.map((m) => JSON.parse(m.Body!)));
        return received.length >= 2 ? received : undefined;
      });
      expect(received.map((n) => [n.MessageAttributes.symbol?.Value, n.MessageAttributes.alert_type?.Value]).sort()).toEqual([
        [symbol, 'HIGH'],
        [symbol, 'LOW'],
      ]);
      expect(received.map((n) => n.MessageAttributes.alert_id?.Value).sort()).toEqual(Items.map((i) => i.alert_id?.S).sort());

      // The invalid tick: failed on each of its receives, then moved to market-data-dlq by the queue's redrive policy.
      const ticksDlq = await eventually('the invalid tick in market-data-dlq', async () => {
        const { ticks } = await cliJson<{ ticks: { items: { messageId: string; body: string }[] } }>('dlq', 'list', '--queue', 'ticks');
        return ticks.items.length > 0 ? ticks.items : undefined;
      });
      expect(ticksDlq.map((m) => m.body)).toEqual([JSON.stringify({ symbol, price: -1 })]);
      const attempts = invocations.filter((i) => i.functionName === names.dataProcessor && i.failed.includes(ticksDlq[0]!.messageId));
      expect(attempts).toHaveLength(3);
      // The invalid event (a quote without an exchange): straight to market-events-dlq with its reason.
      const { events } = await cliJson<{ events: { items: { body: string; error?: string }[] } }>('dlq', 'list', '--queue', 'events');
      expect(events.items).toHaveLength(1);
      expect(events.items[0]!.error).toContain('detail.exchange');
      timings.drive = Date.now() - started;

      const text = await cli('alerts', symbol);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`HIGH  ${symbol}   155.5 > 150`);
      sqs.destroy();
      sns.destroy();
      dynamo.destroy();
    },
  );

  it('destroy removes every resource: nothing in the state, nothing of the stack left in moto', { timeout: 900_000 }, async () => {
    await runner?.stop();
    runner = undefined;
    const sqs = new SQSClient(aws());
    const sns = new SNSClient(aws());
    if (notifications) {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: notifications.subscriptionArn }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: notifications.queueUrl }));
    }
    const { remaining } = await destroy(record, timings);
    destroyed = true;
    expect(remaining).toEqual([]);

    const dynamo = new DynamoDBClient(aws());
    const lambda = new LambdaClient(aws());
    const iam = new IAMClient(aws());
    const kms = new KMSClient(aws());
    const events = new EventBridgeClient(aws());
    expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).toEqual([]);
    const roles = (await iam.send(new ListRolesCommand({}))).Roles ?? [];
    expect(roles.map((r) => r.RoleName)).not.toEqual(expect.arrayContaining([names.dataProcessorRole]));
    expect(roles.filter((r) => r.RoleName?.endsWith(`-${environment}`))).toEqual([]);
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases ?? [];
    expect(aliases.filter((a) => !a.AliasName?.startsWith('alias/aws/'))).toEqual([]);
    // A KMS key cannot be deleted at once: destroy schedules its deletion.
    const keyArn = JSON.parse(readFileSync(record.outputsFile, 'utf8')).kms_key_arn as string;
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyState).toBe('PendingDeletion');
    expect((await events.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(['default']);
    await expect(events.send(new DescribeEventBusCommand({ Name: names.eventBus }))).rejects.toThrow(/does not exist/);
    for (const client of [sqs, sns, dynamo, lambda, iam, kms, events]) client.destroy();
  });
});

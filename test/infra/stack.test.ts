/**
 * One describe per row of DESIGN §2's table of required settings, on the synthesized Terraform JSON.
 * Every required value is written here as a literal: a test that read back the constant the stack reads could not
 * fail when the constant changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  asList,
  parsePolicy,
  ref,
  resourcesOf,
  resourceWhere,
  synthesize,
  synthesizeInMemory,
  type Block,
  type Statement,
  type TerraformJson,
} from './synth.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const SUFFIX = 'dev';
/** The deployed names of the dev environment, as DESIGN §2 spells them. */
const names = {
  marketDataQueue: 'market-data-queue-dev',
  marketDataDlq: 'market-data-dlq-dev',
  marketEventsDlq: 'market-events-dlq-dev',
  eventBus: 'market-data-bus-dev',
  tradeEventsRule: 'trade-events-dev',
  quoteEventsRule: 'quote-events-dev',
  dataProcessor: 'data-processor-dev',
  marketProcessor: 'market-processor-dev',
  dataProcessorLogGroup: '/aws/lambda/data-processor-dev',
  marketProcessorLogGroup: '/aws/lambda/market-processor-dev',
  dataProcessorRole: 'data-processor-role-dev',
  marketProcessorRole: 'market-processor-role-dev',
  tradingAlertsTopic: 'trading-alerts-dev',
  opsAlarmsTopic: 'ops-alarms-dev',
  dashboard: 'market-data-pipeline-dev',
} as const;
const alarms = {
  dataProcessorErrorRate: 'data-processor-error-rate-dev',
  marketProcessorErrorRate: 'market-processor-error-rate-dev',
  dataProcessorFailedMessageRate: 'data-processor-failed-message-rate-dev',
  lateTicks: 'late-ticks-dev',
  marketProcessorDuration: 'market-processor-duration-dev',
  marketDataDlqNotEmpty: 'market-data-dlq-not-empty-dev',
  marketEventsDlqNotEmpty: 'market-events-dlq-not-empty-dev',
} as const;
const TABLE_NAMES = {
  alerts: 'market-alerts-dev',
  alertRules: 'alert-rules-dev',
  marketData: 'market-data-dev',
  auditTrail: 'audit-trail-dev',
} as const;
type TableKey = keyof typeof TABLE_NAMES;
const DAY = 86_400;

let json: TerraformJson;

// Asked for in each test, so that mutation testing knows which tests check each construct (a plain run builds it
// once per file: see synthesizeInMemory).
beforeEach(() => {
  json = synthesizeInMemory({ environmentSuffix: SUFFIX }).json;
});

const only = (type: string): [string, Block] => {
  const all = resourcesOf(json, type);
  expect(all).toHaveLength(1);
  return all[0]!;
};
const byName = (type: string, name: string) => resourceWhere(json, type, 'name', name);
const fn = (name: string) => resourceWhere(json, 'aws_lambda_function', 'function_name', name);
const queue = (name: string) => byName('aws_sqs_queue', name);
const table = (key: TableKey) => byName('aws_dynamodb_table', TABLE_NAMES[key]);
const keyArn = () => ref('aws_kms_key', only('aws_kms_key')[0], 'arn');
const environmentOf = (block: Block) => (block.environment as { variables: Record<string, string> }).variables;
const tableRef = (key: TableKey, attribute = 'name') => ref('aws_dynamodb_table', table(key)[0], attribute);
const topicRef = (name: string) => ref('aws_sns_topic', byName('aws_sns_topic', name)[0], 'arn');
const queueRef = (name: string, attribute: string) => ref('aws_sqs_queue', queue(name)[0], attribute);

/** The deploying account and partition, as the stack reads them from its data sources. */
const accountId = () => `\${data.aws_caller_identity.${Object.keys(json.data.aws_caller_identity!)[0]}.account_id}`;
const partition = () => `\${data.aws_partition.${Object.keys(json.data.aws_partition!)[0]}.partition}`;
/** An ARN in this account and us-east-1, spelled out from the resource's name. */
const arnIn = (service: string, resource: string) => `arn:${partition()}:${service}:us-east-1:${accountId()}:${resource}`;
/** The seven alarms of DESIGN §2 and §4, the only callers CloudWatch may publish to ops-alarms and use the key for. */
const alarmArns = () => Object.values(alarms).map((name) => arnIn('cloudwatch', `alarm:${name}`));

/** The one statement of a function role that names a wildcard resource: X-Ray's write actions have no resource type. */
const XRAY_STATEMENT = { Sid: 'XRayWriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' };

/** The inline policy of the role a function runs as. */
function rolePolicyOf(functionName: string): Statement[] {
  const [, fnBlock] = fn(functionName);
  const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(fnBlock.role as string)?.[1];
  expect(roleId).toBeDefined();
  const policies = resourcesOf(json, 'aws_iam_role_policy').filter(([, b]) => b.role === ref('aws_iam_role', roleId!, 'id'));
  expect(policies).toHaveLength(1);
  return parsePolicy(policies[0]![1].policy).Statement;
}

/** Actions granted on one resource by a list of statements, sorted. */
const actionsOn = (statements: Statement[], resource: string) =>
  statements
    .filter((s) => asList(s.Resource).includes(resource))
    .flatMap((s) => asList(s.Action))
    .sort();

describe('λ data-processor', () => {
  it('has 3072 MB, a 60 s timeout, arm64, reserved concurrency 5 and a Node.js 22+ managed runtime', () => {
    const [, block] = fn(names.dataProcessor);
    expect(block).toMatchObject({ memory_size: 3072, timeout: 60, architectures: ['arm64'], reserved_concurrent_executions: 5 });
    expect(Number(/^nodejs(\d+)\.x$/.exec(block.runtime as string)?.[1])).toBeGreaterThanOrEqual(22);
    expect(block.handler).toBe('index.handler');
  });

  it('encrypts its environment variables with the CMK', () => {
    expect(fn(names.dataProcessor)[1].kms_key_arn).toBe(keyArn());
  });

  it('logs to /aws/lambda/data-processor-dev, created first with 30-day retention and the CMK', () => {
    const [logId, logGroup] = byName('aws_cloudwatch_log_group', `/aws/lambda/${names.dataProcessor}`);
    expect(logGroup).toMatchObject({ retention_in_days: 30, kms_key_id: keyArn() });
    expect(fn(names.dataProcessor)[1].depends_on).toContain(`aws_cloudwatch_log_group.${logId}`);
  });

  // The one test that writes the stack with its assets, as `cdktn synth` does: seconds of zipping.
  it('is packaged from the built bundle as a zip in the stack assets', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
    const synth = synthesize({ environmentSuffix: SUFFIX });
    json = synth.json;
    const [, block] = fn(names.dataProcessor);
    const archive = join(synth.stackDir, block.filename as string);
    expect(block.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(existsSync(archive)).toBe(true);
    expect(readFileSync(archive).includes('index.mjs')).toBe(true);
    expect(block.source_code_hash).toEqual(expect.any(String));
  });

  it('gets the alert engine settings and resources through the environment variables the handler reads', () => {
    expect(environmentOf(fn(names.dataProcessor)[1])).toEqual({
      ENVIRONMENT: 'dev',
      ALERTS_TABLE: tableRef('alerts'),
      ALERT_RULES_TABLE: tableRef('alertRules'),
      TRADING_ALERTS_TOPIC_ARN: topicRef(names.tradingAlertsTopic),
      ALERT_THRESHOLD_HIGH: '150',
      ALERT_THRESHOLD_LOW: '50',
      ALERT_TRIGGER_MODE: 'cross',
    });
  });

  it('passes thresholds and trigger mode given to the stack through to both functions and the default_alert_rule output', () => {
    const custom = synthesizeInMemory({ environmentSuffix: 'thr', alerting: { above: 200.5, below: 20, mode: 'every' } }).json;
    for (const name of ['data-processor-thr', 'market-processor-thr']) {
      const variables = environmentOf(resourceWhere(custom, 'aws_lambda_function', 'function_name', name)[1]);
      expect(variables).toMatchObject({ ALERT_THRESHOLD_HIGH: '200.5', ALERT_THRESHOLD_LOW: '20', ALERT_TRIGGER_MODE: 'every' });
    }
    expect(custom.output.default_alert_rule!.value).toBe('{"above":200.5,"below":20,"mode":"every"}');
    const rearm = synthesizeInMemory({ environmentSuffix: 'rearm', alerting: { above: 150, below: 50, mode: 'cross', rearm: '0.5%' } }).json;
    for (const name of ['data-processor-rearm', 'market-processor-rearm']) {
      expect(environmentOf(resourceWhere(rearm, 'aws_lambda_function', 'function_name', name)[1])).toMatchObject({ ALERT_REARM: '0.5%' });
    }
    expect(rearm.output.default_alert_rule!.value).toBe('{"above":150,"below":50,"mode":"cross","rearm":"0.5%"}');
  });

  it('traces every invocation with X-Ray (active tracing)', () => {
    expect(fn(names.dataProcessor)[1].tracing_config).toEqual({ mode: 'Active' });
  });
});

describe('SQS → data-processor mapping', () => {
  it('delivers market-data-queue to data-processor in batches of 25 with partial batch responses', () => {
    const [, mapping] = only('aws_lambda_event_source_mapping');
    expect(mapping).toMatchObject({
      event_source_arn: ref('aws_sqs_queue', queue(names.marketDataQueue)[0], 'arn'),
      function_name: ref('aws_lambda_function', fn(names.dataProcessor)[0], 'arn'),
      batch_size: 25,
      function_response_types: ['ReportBatchItemFailures'],
    });
  });

  it('sets a batching window of 1 s, the least Lambda accepts for SQS batches above 10', () => {
    const [, mapping] = only('aws_lambda_event_source_mapping');
    expect(mapping.maximum_batching_window_in_seconds).toBe(1);
  });

  it('polls at most 5 concurrent batches, the reserved concurrency (Lambda accepts 2..1000)', () => {
    expect(only('aws_lambda_event_source_mapping')[1].scaling_config).toEqual({ maximum_concurrency: 5 });
  });

  it('is created only after the role may receive from the queue, which Lambda checks on creation', () => {
    const [, mapping] = only('aws_lambda_event_source_mapping');
    const policyId = resourcesOf(json, 'aws_iam_role_policy').find(([, b]) => b.name === names.dataProcessorRole)![0];
    expect(mapping.depends_on).toContain(`aws_iam_role_policy.${policyId}`);
    const queueArn = ref('aws_sqs_queue', queue(names.marketDataQueue)[0], 'arn');
    expect(actionsOn(rolePolicyOf(names.dataProcessor), queueArn)).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
  });
});

describe('SQS market-data-queue', () => {
  it('keeps messages 14 days', () => {
    expect(queue(names.marketDataQueue)[1].message_retention_seconds).toBe(14 * DAY);
  });

  // AWS's advice for an SQS event source: at least 6 × the function timeout plus the batching window.
  it('hides a message for 6 × the 60 s function timeout plus the 1 s batching window: 361 s', () => {
    expect(queue(names.marketDataQueue)[1].visibility_timeout_seconds).toBe(361);
  });

  it('redrives to market-data-dlq after 3 receives', () => {
    const redrive = JSON.parse(queue(names.marketDataQueue)[1].redrive_policy as string) as Record<string, unknown>;
    expect(redrive).toEqual({ deadLetterTargetArn: queueRef(names.marketDataDlq, 'arn'), maxReceiveCount: 3 });
  });
});

describe('DLQs', () => {
  it.each([names.marketDataDlq, names.marketEventsDlq])('%s keeps messages 14 days', (name) => {
    expect(queue(name)[1].message_retention_seconds).toBe(14 * DAY);
  });

  it('market-events-dlq accepts messages from EventBridge for the two rules only', () => {
    const [dlqId] = queue(names.marketEventsDlq);
    const [, policy] = resourceWhere(json, 'aws_sqs_queue_policy', 'queue_url', ref('aws_sqs_queue', dlqId, 'url'));
    const allow = parsePolicy(policy.policy).Statement.filter((s) => s.Effect === 'Allow');
    const ruleArns = [names.tradeEventsRule, names.quoteEventsRule].map((name) =>
      ref('aws_cloudwatch_event_rule', byName('aws_cloudwatch_event_rule', name)[0], 'arn'),
    );
    expect(allow).toEqual([
      {
        Sid: 'AllowServiceSend',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: ref('aws_sqs_queue', dlqId, 'arn'),
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      },
    ]);
  });
});

describe('DynamoDB tables', () => {
  const keysOf = (block: Block) => ({ hash: block.hash_key, range: block.range_key });

  it('market-alerts: PK symbol (S), SK timestamp (S), point-in-time recovery, on demand', () => {
    const [, block] = table('alerts');
    expect(keysOf(block)).toEqual({ hash: 'symbol', range: 'timestamp' });
    expect(block.attribute).toEqual([
      { name: 'symbol', type: 'S' },
      { name: 'timestamp', type: 'S' },
    ]);
    expect(block).toMatchObject({ billing_mode: 'PAY_PER_REQUEST', point_in_time_recovery: { enabled: true } });
  });

  it('market-data: PK event_id, SK timestamp, ExchangeIndex and SymbolIndex, TTL on expires_at, PITR', () => {
    const [, block] = table('marketData');
    expect(keysOf(block)).toEqual({ hash: 'event_id', range: 'timestamp' });
    expect(block.global_secondary_index).toEqual([
      { name: 'ExchangeIndex', hash_key: 'exchange', range_key: 'timestamp', projection_type: 'ALL' },
      { name: 'SymbolIndex', hash_key: 'symbol', range_key: 'timestamp', projection_type: 'ALL' },
    ]);
    expect(block).toMatchObject({ ttl: { attribute_name: 'expires_at', enabled: true }, point_in_time_recovery: { enabled: true } });
  });

  it('audit-trail: PK audit_id, SK timestamp, EventTypeIndex (event_type, timestamp), PITR', () => {
    const [, block] = table('auditTrail');
    expect(keysOf(block)).toEqual({ hash: 'audit_id', range: 'timestamp' });
    expect(block.global_secondary_index).toEqual([
      { name: 'EventTypeIndex', hash_key: 'event_type', range_key: 'timestamp', projection_type: 'ALL' },
    ]);
    expect(block.point_in_time_recovery).toEqual({ enabled: true });
  });

  it('alert-rules: PK symbol (S), PITR', () => {
    const [, block] = table('alertRules');
    expect(keysOf(block)).toEqual({ hash: 'symbol', range: undefined });
    expect(block.point_in_time_recovery).toEqual({ enabled: true });
  });

  // DynamoDB rejects attribute definitions that no key or index uses.
  it.each([
    [
      'alerts',
      [
        ['symbol', 'S'],
        ['timestamp', 'S'],
      ],
    ],
    ['alertRules', [['symbol', 'S']]],
    [
      'marketData',
      [
        ['event_id', 'S'],
        ['timestamp', 'S'],
        ['exchange', 'S'],
        ['symbol', 'S'],
      ],
    ],
    [
      'auditTrail',
      [
        ['audit_id', 'S'],
        ['timestamp', 'S'],
        ['event_type', 'S'],
      ],
    ],
  ] as const)('%s defines exactly the attributes its keys and indexes use, all on demand', (key, attributes) => {
    const [, block] = table(key);
    expect(block.attribute).toEqual(attributes.map(([name, type]) => ({ name, type })));
    expect(block.billing_mode).toBe('PAY_PER_REQUEST');
    expect(block.read_capacity).toBeUndefined();
  });
});

describe('EventBridge', () => {
  it('has the bus market-data-bus', () => {
    expect(only('aws_cloudwatch_event_bus')[1].name).toBe(names.eventBus);
  });

  it.each([
    [names.tradeEventsRule, ['Trade Execution', 'Trade Update']],
    [names.quoteEventsRule, ['Market Quote', 'Price Update']],
  ])('rule %s matches source market.data and its detail-types on the bus', (name, detailTypes) => {
    const [, rule] = byName('aws_cloudwatch_event_rule', name);
    expect(rule.event_bus_name).toBe(ref('aws_cloudwatch_event_bus', only('aws_cloudwatch_event_bus')[0], 'name'));
    expect(JSON.parse(rule.event_pattern as string)).toEqual({ source: ['market.data'], 'detail-type': detailTypes });
  });

  it.each([names.tradeEventsRule, names.quoteEventsRule])('rule %s targets market-processor, retries at most 2 times, then the DLQ', (name) => {
    const [ruleId] = byName('aws_cloudwatch_event_rule', name);
    const [, target] = resourceWhere(json, 'aws_cloudwatch_event_target', 'rule', ref('aws_cloudwatch_event_rule', ruleId, 'name'));
    expect(target).toMatchObject({
      arn: ref('aws_lambda_function', fn(names.marketProcessor)[0], 'arn'),
      event_bus_name: ref('aws_cloudwatch_event_bus', only('aws_cloudwatch_event_bus')[0], 'name'),
      retry_policy: { maximum_retry_attempts: 2 },
      dead_letter_config: { arn: ref('aws_sqs_queue', queue(names.marketEventsDlq)[0], 'arn') },
    });
    // Lambda targets are authorized by the function's resource policy; a role on the target breaks delivery.
    expect(target.role_arn).toBeUndefined();
  });

  it.each([names.tradeEventsRule, names.quoteEventsRule])('rule %s may invoke market-processor (resource policy per rule)', (name) => {
    const [ruleId] = byName('aws_cloudwatch_event_rule', name);
    const [, permission] = resourceWhere(json, 'aws_lambda_permission', 'source_arn', ref('aws_cloudwatch_event_rule', ruleId, 'arn'));
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      function_name: ref('aws_lambda_function', fn(names.marketProcessor)[0], 'function_name'),
    });
  });

  it("names each rule's permission after its rule, so the function policy holds one statement per rule", () => {
    expect(
      resourcesOf(json, 'aws_lambda_permission')
        .map(([, p]) => p.statement_id)
        .sort(),
    ).toEqual(['AllowEventBridge-quoteEventsRule', 'AllowEventBridge-tradeEventsRule']);
  });
});

describe('λ market-processor', () => {
  it('has 512 MB, a 30 s timeout, arm64, Node.js 22+ and the CMK for its environment', () => {
    expect(fn(names.marketProcessor)[1]).toMatchObject({
      memory_size: 512,
      timeout: 30,
      architectures: ['arm64'],
      runtime: 'nodejs22.x',
      kms_key_arn: keyArn(),
    });
  });

  it('has MARKET_DATA_TABLE, AUDIT_TRAIL_TABLE and ENVIRONMENT, the alerting settings and the events DLQ it sends invalid events to', () => {
    expect(environmentOf(fn(names.marketProcessor)[1])).toEqual({
      MARKET_DATA_TABLE: tableRef('marketData'),
      AUDIT_TRAIL_TABLE: tableRef('auditTrail'),
      ENVIRONMENT: 'dev',
      MARKET_DATA_TTL_DAYS: '30',
      ALERTS_TABLE: tableRef('alerts'),
      ALERT_RULES_TABLE: tableRef('alertRules'),
      TRADING_ALERTS_TOPIC_ARN: topicRef(names.tradingAlertsTopic),
      ALERT_THRESHOLD_HIGH: '150',
      ALERT_THRESHOLD_LOW: '50',
      ALERT_TRIGGER_MODE: 'cross',
      MARKET_EVENTS_DLQ_URL: queueRef(names.marketEventsDlq, 'url'),
    });
  });

  it('sends failed asynchronous invocations to market-events-dlq after 2 retries', () => {
    const [fnId, block] = fn(names.marketProcessor);
    expect(block.dead_letter_config).toEqual({ target_arn: queueRef(names.marketEventsDlq, 'arn') });
    const [, invokeConfig] = only('aws_lambda_function_event_invoke_config');
    expect(invokeConfig).toMatchObject({ function_name: ref('aws_lambda_function', fnId, 'function_name'), maximum_retry_attempts: 2 });
  });

  it('traces every invocation with X-Ray (active tracing)', () => {
    expect(fn(names.marketProcessor)[1].tracing_config).toEqual({ mode: 'Active' });
  });

  it.each([
    [names.marketProcessor, names.marketProcessorRole, names.marketProcessorLogGroup],
    [names.dataProcessor, names.dataProcessorRole, names.dataProcessorLogGroup],
  ])('%s is created after its role policy (Lambda checks DLQ and X-Ray permissions on creation) and its log group', (name, roleName, logGroup) => {
    const [, block] = fn(name);
    const policyId = resourcesOf(json, 'aws_iam_role_policy').find(([, b]) => b.name === roleName)![0];
    const [logId] = byName('aws_cloudwatch_log_group', logGroup);
    expect(block.depends_on).toEqual(expect.arrayContaining([`aws_iam_role_policy.${policyId}`, `aws_cloudwatch_log_group.${logId}`]));
  });
});

describe('SNS', () => {
  it.each([names.tradingAlertsTopic, names.opsAlarmsTopic])('has the topic %s, encrypted with the CMK', (name) => {
    expect(byName('aws_sns_topic', name)[1].kms_master_key_id).toBe(keyArn());
  });

  it("lets CloudWatch publish to ops-alarms for this account's seven alarms only", () => {
    const [topicId] = byName('aws_sns_topic', names.opsAlarmsTopic);
    const [, policy] = resourceWhere(json, 'aws_sns_topic_policy', 'arn', ref('aws_sns_topic', topicId, 'arn'));
    expect(parsePolicy(policy.policy).Statement.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'AllowServicePublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: ref('aws_sns_topic', topicId, 'arn'),
        Condition: { StringEquals: { 'aws:SourceAccount': accountId() }, ArnLike: { 'aws:SourceArn': alarmArns() } },
      },
    ]);
  });

  it('names exactly the alarms the stack has among the callers of ops-alarms', () => {
    const stackAlarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => arnIn('cloudwatch', `alarm:${String(a.alarm_name)}`));
    expect([...stackAlarms].sort()).toEqual([...alarmArns()].sort());
  });
});

describe('KMS', () => {
  it('is a customer managed key with rotation and a 7-day deletion window', () => {
    expect(only('aws_kms_key')[1]).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
  });

  it('has the alias alias/market-data-key-dev', () => {
    expect(only('aws_kms_alias')[1]).toEqual(
      expect.objectContaining({ name: `alias/market-data-key-${SUFFIX}`, target_key_id: ref('aws_kms_key', only('aws_kms_key')[0], 'key_id') }),
    );
  });

  it('lets exactly the services that use the key use it, each with only what it needs', () => {
    const statements = parsePolicy(only('aws_kms_key')[1].policy).Statement;
    expect(statements.map((s) => s.Principal)).toEqual([
      { AWS: `arn:${partition()}:iam::${accountId()}:root` },
      { Service: 'logs.us-east-1.amazonaws.com' },
      { Service: 'events.amazonaws.com' },
      { Service: 'cloudwatch.amazonaws.com' },
    ]);
    expect(statements[0]).toEqual({ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: statements[0]!.Principal, Action: 'kms:*', Resource: '*' });
  });

  // Confused-deputy guard: CloudWatch passes the alarm and its account on to KMS when it publishes to the topic.
  it("lets CloudWatch generate and decrypt data keys for this account's seven alarms only", () => {
    const cloudwatch = parsePolicy(only('aws_kms_key')[1].policy).Statement.find((s) => s.Sid === 'AllowDeliveryCloudwatch');
    expect(cloudwatch).toEqual({
      Sid: 'AllowDeliveryCloudwatch',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId() }, ArnLike: { 'aws:SourceArn': alarmArns() } },
    });
  });

  // EventBridge's deliveries reach KMS without aws:SourceArn or aws:SourceAccount (AWS documents neither for it), so
  // a condition on them would lose every event the DLQ should keep. The queue policy limits it to the two rules.
  it('lets EventBridge generate and decrypt data keys for market-events-dlq, without conditions it does not send', () => {
    const events = parsePolicy(only('aws_kms_key')[1].policy).Statement.find((s) => s.Sid === 'AllowDeliveryEvents');
    expect(events).toEqual({
      Sid: 'AllowDeliveryEvents',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
    });
  });

  it('lets CloudWatch Logs use the key for the two function log groups only (encryption context)', () => {
    const logs = parsePolicy(only('aws_kms_key')[1].policy).Statement.find((s) => s.Sid === 'AllowCloudWatchLogs')!;
    const arns = logs.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'];
    expect(asList(arns).map((arn) => arn.replace(/^.*:log-group:/, ''))).toEqual([names.dataProcessorLogGroup, names.marketProcessorLogGroup]);
    expect(asList(arns).every((arn) => arn.includes(':logs:us-east-1:'))).toBe(true);
  });
});

describe('IAM', () => {
  it('has one role per function, assumable by Lambda only', () => {
    const roles = resourcesOf(json, 'aws_iam_role');
    expect(roles.map(([, r]) => r.name).sort()).toEqual([names.dataProcessorRole, names.marketProcessorRole].sort());
    for (const [, role] of roles) {
      const [trust] = parsePolicy(role.assume_role_policy).Statement;
      expect(trust).toEqual({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
    }
    const roleOf = (functionName: string) => fn(functionName)[1].role;
    expect(roleOf(names.dataProcessor)).not.toBe(roleOf(names.marketProcessor));
  });

  it('grants data-processor only the actions it uses, each on its own resource', () => {
    const statements = rolePolicyOf(names.dataProcessor);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alertRules')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    // Alerts written, and looked up to forget the pending alerts that were delivered.
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alerts')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(actionsOn(statements, ref('aws_sns_topic', byName('aws_sns_topic', names.tradingAlertsTopic)[0], 'arn'))).toEqual(['sns:Publish']);
    expect(actionsOn(statements, keyArn())).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    const [logId] = byName('aws_cloudwatch_log_group', names.dataProcessorLogGroup);
    expect(actionsOn(statements, `${ref('aws_cloudwatch_log_group', logId, 'arn')}:*`)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements).toContainEqual(XRAY_STATEMENT);
    expect(statements).toHaveLength(7);
  });

  it('grants market-processor only the actions it uses, each on its own resource', () => {
    const statements = rolePolicyOf(names.marketProcessor);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('marketData')[0], 'arn'))).toEqual(['dynamodb:PutItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('auditTrail')[0], 'arn'))).toEqual(['dynamodb:PutItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alertRules')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    // Alerts written, and looked up to forget the pending alerts that were delivered.
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alerts')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    // One statement for both uses of the DLQ (Lambda's async failures and the handler's invalid events).
    expect(statements.filter((s) => asList(s.Resource).includes(queueRef(names.marketEventsDlq, 'arn')))).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueRef(names.marketEventsDlq, 'arn') },
    ]);
    // SendMessage to a queue encrypted with the CMK: the sender generates and decrypts the data key.
    expect(actionsOn(statements, keyArn())).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(statements.flatMap((s) => asList(s.Action))).not.toContain('sqs:ReceiveMessage');
    expect(statements).toContainEqual(XRAY_STATEMENT);
    expect(statements).toHaveLength(9);
  });

  it("names no wildcard action in the function roles, and the wildcard resource only for X-Ray's two write actions", () => {
    for (const name of [names.dataProcessor, names.marketProcessor]) {
      const statements = rolePolicyOf(name);
      for (const statement of statements) {
        expect(asList(statement.Action).filter((a) => a.includes('*'))).toEqual([]);
        expect(statement.Effect).toBe('Allow');
        // Any other wildcard is the log streams of the function's own log group.
        const partial = asList(statement.Resource).filter((r) => r !== '*' && r.includes('*'));
        for (const resource of partial) expect(resource).toMatch(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*$/);
      }
      expect(statements.filter((s) => asList(s.Resource).includes('*'))).toEqual([XRAY_STATEMENT]);
    }
  });
});

describe('CloudWatch', () => {
  const alarm = (name: string) => resourceWhere(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', name)[1];
  type Query = { id: string; expression?: string; label?: string; return_data: boolean; metric?: Record<string, unknown> };
  /** The dimensions Powertools Metrics gives data-processor's EMF metrics in dev (see test/handlers/observability.test.ts). */
  const DATA_PROCESSOR_EMF = { service: 'data-processor', environment: 'dev' };

  it.each([
    [alarms.dataProcessorErrorRate, names.dataProcessor],
    [alarms.marketProcessorErrorRate, names.marketProcessor],
  ])('%s: errors ÷ invocations > 1 %% over 5 minutes, by metric math', (alarmName, functionName) => {
    const block = alarm(alarmName);
    const queries = block.metric_query as Query[];
    const fnName = ref('aws_lambda_function', fn(functionName)[0], 'function_name');
    const metric = (metricName: string) => queries.find((q) => q.metric?.metric_name === metricName)!;
    for (const name of ['Errors', 'Invocations']) {
      expect(metric(name).metric).toMatchObject({ namespace: 'AWS/Lambda', period: 300, stat: 'Sum', dimensions: { FunctionName: fnName } });
      expect(metric(name).return_data).toBe(false);
    }
    const expressions = queries.filter((q) => q.expression);
    expect(expressions).toHaveLength(1);
    expect(expressions[0]).toMatchObject({ return_data: true });
    // The rate in percent of the two metrics, guarded against periods without invocations.
    expect(expressions[0]!.expression).toBe(`IF(${metric('Invocations').id} > 0, 100 * ${metric('Errors').id} / ${metric('Invocations').id}, 0)`);
    expect(block).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 1, evaluation_periods: 1 });
    expect(expressions[0]).toMatchObject({ id: 'error_rate', label: 'Error rate (%)' });
    expect(block.alarm_description).toBe(`${fnName}: more than 1% of invocations failed over 5 minutes`);
    // CloudWatch rejects an alarm that sets both a metric query and a single metric.
    for (const single of ['metric_name', 'namespace', 'statistic', 'period']) expect(block[single]).toBeUndefined();
  });

  describe('data-processor failed-message rate (it reports failures per message and never raises Lambda Errors)', () => {
    it("is FailedMessages ÷ TicksReceived × 100 > 1 over 5 minutes, on the EMF metrics with the handler's exact dimensions", () => {
      const block = alarm(alarms.dataProcessorFailedMessageRate);
      expect(block.metric_query).toEqual([
        {
          id: 'failed',
          return_data: false,
          metric: { namespace: 'MarketData', metric_name: 'FailedMessages', dimensions: DATA_PROCESSOR_EMF, period: 300, stat: 'Sum' },
        },
        {
          id: 'received',
          return_data: false,
          metric: { namespace: 'MarketData', metric_name: 'TicksReceived', dimensions: DATA_PROCESSOR_EMF, period: 300, stat: 'Sum' },
        },
        {
          id: 'failed_rate',
          expression: 'IF(FILL(received, 0) > 0, 100 * FILL(failed, 0) / FILL(received, 0), IF(FILL(failed, 0) > 0, 100, 0))',
          label: 'Failed messages (% of ticks received)',
          return_data: true,
        },
      ]);
      expect(block).toMatchObject({
        comparison_operator: 'GreaterThanThreshold',
        threshold: 1,
        evaluation_periods: 1,
        // A period without ticks has no data: nothing failed.
        treat_missing_data: 'notBreaching',
        alarm_description:
          `${ref('aws_lambda_function', fn(names.dataProcessor)[0], 'function_name')}: more than 1% of the ticks received failed over 5 minutes ` +
          '(they are redelivered, then dead-lettered): see its log group for "message not processed"',
      });
      for (const single of ['metric_name', 'namespace', 'statistic', 'period', 'dimensions']) expect(block[single]).toBeUndefined();
    });

    // CloudWatch accepts an alarm on metric math only if exactly one query returns data, a single time series.
    it('returns exactly one time series: one expression, the only query with return_data', () => {
      const queries = alarm(alarms.dataProcessorFailedMessageRate).metric_query as Query[];
      expect(queries.filter((q) => q.return_data).map((q) => q.id)).toEqual(['failed_rate']);
      // Query ids start with a lowercase letter and the expression names only the queries defined beside it.
      for (const q of queries) expect(q.id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
      const referenced = queries.find((q) => q.expression)!.expression!.match(/\b[a-z][a-z_]*\b/g);
      expect(new Set(referenced)).toEqual(new Set(['failed', 'received']));
    });

    /** The expression for one period's sums (undefined: no data point), evaluated with IF and FILL as CloudWatch defines them. */
    const rate = (failed: number | undefined, received: number | undefined): number => {
      const expression = (alarm(alarms.dataProcessorFailedMessageRate).metric_query as Query[]).find((q) => q.expression)!.expression!;
      const js = expression.replace(/FILL\((\w+), 0\)/g, '($1 ?? 0)').replace(/\bIF\(/g, 'when(');
      const evaluate = new Function('when', 'failed', 'received', `return ${js};`) as (...args: unknown[]) => number;
      return evaluate((condition: boolean, then: number, otherwise: number) => (condition ? then : otherwise), failed, received);
    };

    it.each([
      [11, 1000, 1.1, true],
      [10, 1000, 1, false],
      [0, 25, 0, false],
      [undefined, 25, 0, false],
      [3, undefined, 100, true],
      [3, 0, 100, true],
      [25, 25, 100, true],
    ])('%s failed of %s received is %s %%: alarm %s', (failed, received, percent, alarming) => {
      expect(rate(failed, received)).toBeCloseTo(percent, 10);
      expect(rate(failed, received) > 1).toBe(alarming);
    });
  });

  describe('late ticks (both functions feed the alert engine)', () => {
    const MARKET_PROCESSOR_EMF = { service: 'market-processor', environment: 'dev' };

    it("is data-processor's LateTicks + market-processor's LateTicks > 0 over 5 minutes, by metric math", () => {
      const block = alarm(alarms.lateTicks);
      expect(block.metric_query).toEqual([
        {
          id: 'data_processor',
          return_data: false,
          metric: { namespace: 'MarketData', metric_name: 'LateTicks', dimensions: DATA_PROCESSOR_EMF, period: 300, stat: 'Sum' },
        },
        {
          id: 'market_processor',
          return_data: false,
          metric: { namespace: 'MarketData', metric_name: 'LateTicks', dimensions: MARKET_PROCESSOR_EMF, period: 300, stat: 'Sum' },
        },
        {
          id: 'late_ticks',
          expression: 'FILL(data_processor, 0) + FILL(market_processor, 0)',
          label: 'Late ticks (both functions)',
          return_data: true,
        },
      ]);
      expect(block).toMatchObject({
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
        evaluation_periods: 1,
        treat_missing_data: 'notBreaching',
        alarm_description:
          `${ref('aws_lambda_function', fn(names.dataProcessor)[0], 'function_name')}, ` +
          `${ref('aws_lambda_function', fn(names.marketProcessor)[0], 'function_name')}: ticks arrived beyond the lateness horizon over 5 minutes ` +
          '(counted and logged, but too late to be evaluated exactly): search both log groups for "late tick"',
      });
      for (const single of ['metric_name', 'namespace', 'statistic', 'period', 'dimensions']) expect(block[single]).toBeUndefined();
    });

    /** The expression for one period's sums (undefined: no data point), with FILL as CloudWatch defines it. */
    const sum = (dataProcessor: number | undefined, marketProcessor: number | undefined): number => {
      const expression = (alarm(alarms.lateTicks).metric_query as Query[]).find((q) => q.expression)!.expression!;
      const js = expression.replace(/FILL\((\w+), 0\)/g, '($1 ?? 0)');
      return (new Function('data_processor', 'market_processor', `return ${js};`) as (...args: unknown[]) => number)(dataProcessor, marketProcessor);
    };

    it.each([
      [0, 0, 0, false],
      [0, undefined, 0, false],
      [1, undefined, 1, true],
      [undefined, 1, 1, true],
      [0, 1, 1, true],
      [3, 2, 5, true],
    ])('%s late in data-processor and %s in market-processor is %s: alarm %s', (dp, mp, total, alarming) => {
      expect(sum(dp, mp)).toBe(total);
      expect(sum(dp, mp) > 0).toBe(alarming);
    });
  });

  it("reads each environment's own EMF metrics", () => {
    const pr42 = synthesizeInMemory({ environmentSuffix: 'pr42' }).json;
    const late = resourceWhere(pr42, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'late-ticks-pr42')[1];
    expect((late.metric_query as Query[]).filter((q) => q.metric).map((q) => q.metric!.dimensions)).toEqual([
      { service: 'data-processor', environment: 'pr42' },
      { service: 'market-processor', environment: 'pr42' },
    ]);
    const rate = resourceWhere(pr42, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'data-processor-failed-message-rate-pr42')[1];
    for (const query of (rate.metric_query as Query[]).filter((q) => q.metric)) {
      expect(query.metric!.dimensions).toEqual({ service: 'data-processor', environment: 'pr42' });
    }
  });

  it('market-processor duration: average above 5 s over 5 minutes', () => {
    const fnName = ref('aws_lambda_function', fn(names.marketProcessor)[0], 'function_name');
    expect(alarm(alarms.marketProcessorDuration)).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Duration',
      statistic: 'Average',
      period: 300,
      evaluation_periods: 1,
      threshold: 5000,
      comparison_operator: 'GreaterThanThreshold',
      dimensions: { FunctionName: fnName },
      alarm_description: `${fnName}: average duration above 5000 ms over 5 minutes`,
    });
  });

  it.each([
    [alarms.marketDataDlqNotEmpty, names.marketDataDlq],
    [alarms.marketEventsDlqNotEmpty, names.marketEventsDlq],
  ])('%s: messages visible in %s', (alarmName, queueName) => {
    const queueNameRef = ref('aws_sqs_queue', queue(queueName)[0], 'name');
    expect(alarm(alarmName)).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueNameRef },
      statistic: 'Maximum',
      period: 300,
      evaluation_periods: 1,
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      alarm_description: `${queueNameRef} holds messages that failed processing: inspect and redrive them`,
    });
  });

  it('has these seven alarms, all notifying ops-alarms on ALARM and on OK', () => {
    const opsArn = topicRef(names.opsAlarmsTopic);
    const all = resourcesOf(json, 'aws_cloudwatch_metric_alarm');
    expect(all.map(([, a]) => a.alarm_name).sort()).toEqual(Object.values(alarms).sort());
    for (const [, block] of all) expect(block).toMatchObject({ alarm_actions: [opsArn], ok_actions: [opsArn] });
  });

  it('lays out the dashboard: alarms on top, then functions, EventBridge, queues and ticks, over 5-minute periods', () => {
    const body = JSON.parse(only('aws_cloudwatch_dashboard')[1].dashboard_body as string) as { widgets: unknown[] };
    const fnName = (name: string) => ref('aws_lambda_function', fn(name)[0], 'function_name');
    const perFunction = (metric: string) =>
      [names.dataProcessor, names.marketProcessor].map((name) => ['AWS/Lambda', metric, 'FunctionName', fnName(name)]);
    const bus = ref('aws_cloudwatch_event_bus', only('aws_cloudwatch_event_bus')[0], 'name');
    const rule = (name: string) => ref('aws_cloudwatch_event_rule', byName('aws_cloudwatch_event_rule', name)[0], 'name');
    const deliveries = (name: string) =>
      ['Invocations', 'FailedInvocations', 'InvocationsSentToDlq'].map((m) => ['AWS/Events', m, 'EventBusName', bus, 'RuleName', rule(name)]);
    const sqs = (metric: string, name: string) => ['AWS/SQS', metric, 'QueueName', queueRef(name, 'name')];
    const emf = (metric: string) => ['MarketData', metric, 'service', 'data-processor', 'environment', 'dev'];
    const widget = (title: string, x: number, y: number, stat: string, metrics: unknown[]) => ({
      type: 'metric',
      x,
      y,
      width: 12,
      height: 6,
      properties: { title, region: 'us-east-1', metrics, stat, period: 300, view: 'timeSeries' },
    });
    const alarmArns = Object.values(alarms).map((name) =>
      ref('aws_cloudwatch_metric_alarm', resourceWhere(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', name)[0], 'arn'),
    );
    expect(body.widgets).toEqual([
      { type: 'alarm', x: 0, y: 0, width: 24, height: 3, properties: { title: 'Alarms', alarms: alarmArns } },
      widget('Invocations', 0, 3, 'Sum', perFunction('Invocations')),
      widget('Errors and throttles', 12, 3, 'Sum', [...perFunction('Errors'), ...perFunction('Throttles')]),
      widget('Duration (ms)', 0, 9, 'Average', perFunction('Duration')),
      widget('EventBridge deliveries', 12, 9, 'Sum', [...deliveries(names.tradeEventsRule), ...deliveries(names.quoteEventsRule)]),
      widget('Tick queue backlog', 0, 15, 'Maximum', [sqs('ApproximateNumberOfMessagesVisible', names.marketDataQueue)]),
      widget('Oldest tick (s)', 12, 15, 'Maximum', [sqs('ApproximateAgeOfOldestMessage', names.marketDataQueue)]),
      widget('Dead-letter queues', 0, 21, 'Maximum', [
        sqs('ApproximateNumberOfMessagesVisible', names.marketDataDlq),
        sqs('ApproximateNumberOfMessagesVisible', names.marketEventsDlq),
      ]),
      widget(
        'Ticks: received, processed, failed, invalid, late',
        12,
        21,
        'Sum',
        ['TicksReceived', 'TicksProcessed', 'FailedMessages', 'InvalidMessages', 'LateTicks'].map(emf),
      ),
      widget('Failed messages (% of ticks received)', 0, 27, 'Sum', [
        [...emf('FailedMessages'), { id: 'failed', visible: false }],
        [...emf('TicksReceived'), { id: 'received', visible: false }],
        [
          {
            id: 'failed_rate',
            expression: 'IF(FILL(received, 0) > 0, 100 * FILL(failed, 0) / FILL(received, 0), IF(FILL(failed, 0) > 0, 100, 0))',
            label: 'failed %',
          },
        ],
      ]),
      widget('Late ticks (beyond the lateness horizon)', 12, 27, 'Sum', [
        [...emf('LateTicks'), { label: 'data-processor' }],
        ['MarketData', 'LateTicks', 'service', 'market-processor', 'environment', 'dev', { label: 'market-processor' }],
      ]),
    ]);
  });

  it('has a dashboard of the pipeline that shows every alarm and the EMF tick metrics', () => {
    const [, dashboard] = only('aws_cloudwatch_dashboard');
    expect(dashboard.dashboard_name).toBe(names.dashboard);
    const body = JSON.parse(dashboard.dashboard_body as string) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> };
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm')!;
    const alarmArns = resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(([id]) => ref('aws_cloudwatch_metric_alarm', id, 'arn'));
    expect(alarmWidget.properties.alarms).toHaveLength(7);
    expect([...(alarmWidget.properties.alarms as string[])].sort()).toEqual(alarmArns.sort());
    // Metric widgets must name their region.
    for (const widget of body.widgets.filter((w) => w.type === 'metric')) expect(widget.properties.region).toBe('us-east-1');
    const metricsOf = (title: string) => body.widgets.find((w) => w.properties.title === title)!.properties.metrics;
    const emf = (metric: string) => ['MarketData', metric, 'service', 'data-processor', 'environment', 'dev'];
    expect(metricsOf('Ticks: received, processed, failed, invalid, late')).toEqual(
      ['TicksReceived', 'TicksProcessed', 'FailedMessages', 'InvalidMessages', 'LateTicks'].map(emf),
    );
    expect(metricsOf('Failed messages (% of ticks received)')).toEqual([
      [...emf('FailedMessages'), { id: 'failed', visible: false }],
      [...emf('TicksReceived'), { id: 'received', visible: false }],
      [
        {
          id: 'failed_rate',
          expression: 'IF(FILL(received, 0) > 0, 100 * FILL(failed, 0) / FILL(received, 0), IF(FILL(failed, 0) > 0, 100, 0))',
          label: 'failed %',
        },
      ],
    ]);
    // Widgets tile the 24-column grid without overlapping.
    const cells = new Set<string>();
    for (const { x, y, width, height } of body.widgets as unknown as Array<{ x: number; y: number; width: number; height: number }>) {
      expect(x + width).toBeLessThanOrEqual(24);
      for (let i = x; i < x + width; i++)
        for (let j = y; j < y + height; j++) {
          expect(cells.has(`${i},${j}`), `${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });
});

describe('outputs', () => {
  it('has sqs_queue_url, sns_topic_arn, dynamodb_table_name and lambda_function_name of the source documents', () => {
    expect(json.output.sqs_queue_url!.value).toBe(queueRef(names.marketDataQueue, 'url'));
    expect(json.output.sns_topic_arn!.value).toBe(topicRef(names.tradingAlertsTopic));
    expect(json.output.dynamodb_table_name!.value).toBe(tableRef('alerts'));
    expect(json.output.lambda_function_name!.value).toBe(ref('aws_lambda_function', fn(names.dataProcessor)[0], 'function_name'));
  });

  it('has the bus, rules, tables, DLQs, log groups and the default alert rule', () => {
    expect(Object.keys(json.output).sort()).toEqual([
      'alert_rules_table_name',
      'audit_trail_table_name',
      'aws_region',
      'data_processor_log_group_name',
      'default_alert_rule',
      'dynamodb_table_name',
      'environment_suffix',
      'event_bus_arn',
      'event_bus_name',
      'kms_key_arn',
      'lambda_function_name',
      'market_data_dlq_url',
      'market_data_table_name',
      'market_events_dlq_url',
      'market_processor_function_name',
      'market_processor_log_group_name',
      'ops_alarms_topic_arn',
      'quote_events_rule_arn',
      'sns_topic_arn',
      'sqs_queue_url',
      'trade_events_rule_arn',
    ]);
    expect(json.output.trade_events_rule_arn!.value).toBe(
      ref('aws_cloudwatch_event_rule', byName('aws_cloudwatch_event_rule', names.tradeEventsRule)[0], 'arn'),
    );
    expect(json.output.market_events_dlq_url!.value).toBe(queueRef(names.marketEventsDlq, 'url'));
    expect(json.output.market_processor_log_group_name!.value).toBe(
      ref('aws_cloudwatch_log_group', byName('aws_cloudwatch_log_group', names.marketProcessorLogGroup)[0], 'name'),
    );
    for (const output of Object.values(json.output)) expect(output.description).toBeTruthy();
  });

  it('publishes the default alert rule the functions apply, so tools read it from the deployment', () => {
    expect(JSON.parse(json.output.default_alert_rule!.value)).toEqual({ above: 150, below: 50, mode: 'cross' });
  });
});

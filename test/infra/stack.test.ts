/** One describe per row of DESIGN §2's table of required settings, on the synthesized Terraform JSON. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alarmNames,
  DEFAULTS,
  DEPLOYMENT_DEFAULTS,
  ENV,
  EVENT_RULES,
  EVENT_SOURCE,
  keyAttributes,
  resourceNames,
  STACK_OUTPUTS,
  TABLES,
  type TableKey,
} from '../../src/resources/index.js';
import {
  asList,
  parsePolicy,
  ref,
  resourcesOf,
  resourceWhere,
  synthesize,
  type Block,
  type Statement,
  type Synthesized,
  type TerraformJson,
} from './synth.js';

const SUFFIX = 'dev';
const names = resourceNames(SUFFIX);
const DAY = 86_400;

let synth: Synthesized;
let json: TerraformJson;

beforeAll(() => {
  synth = synthesize({ environmentSuffix: SUFFIX });
  json = synth.json;
});

const only = (type: string): [string, Block] => {
  const all = resourcesOf(json, type);
  expect(all).toHaveLength(1);
  return all[0]!;
};
const byName = (type: string, name: string) => resourceWhere(json, type, 'name', name);
const fn = (name: string) => resourceWhere(json, 'aws_lambda_function', 'function_name', name);
const queue = (name: string) => byName('aws_sqs_queue', name);
const table = (key: TableKey) => byName('aws_dynamodb_table', names[TABLES[key].resource]);
const keyArn = () => ref('aws_kms_key', only('aws_kms_key')[0], 'arn');
const environmentOf = (block: Block) => (block.environment as { variables: Record<string, string> }).variables;

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

  it('is packaged from the built bundle as a zip in the stack assets', () => {
    const [, block] = fn(names.dataProcessor);
    const archive = join(synth.stackDir, block.filename as string);
    expect(block.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(existsSync(archive)).toBe(true);
    expect(readFileSync(archive).includes('index.mjs')).toBe(true);
    expect(block.source_code_hash).toEqual(expect.any(String));
  });

  it('gets the alert engine settings and resources through the environment variables the handler reads', () => {
    expect(environmentOf(fn(names.dataProcessor)[1])).toEqual({
      [ENV.environment]: SUFFIX,
      [ENV.alertsTable]: ref('aws_dynamodb_table', table('alerts')[0], 'name'),
      [ENV.alertRulesTable]: ref('aws_dynamodb_table', table('alertRules')[0], 'name'),
      [ENV.tradingAlertsTopicArn]: ref('aws_sns_topic', byName('aws_sns_topic', names.tradingAlertsTopic)[0], 'arn'),
      [ENV.thresholdAbove]: String(DEFAULTS.thresholds.above),
      [ENV.thresholdBelow]: String(DEFAULTS.thresholds.below),
      [ENV.triggerMode]: DEFAULTS.triggerMode,
    });
  });

  it('passes thresholds and trigger mode given to the stack through to both functions', () => {
    const custom = synthesize({ environmentSuffix: 'thr', alerting: { above: 200, below: 20, mode: 'every' } }).json;
    for (const name of ['data-processor-thr', 'market-processor-thr']) {
      const variables = environmentOf(resourceWhere(custom, 'aws_lambda_function', 'function_name', name)[1]);
      expect(variables).toMatchObject({ [ENV.thresholdAbove]: '200', [ENV.thresholdBelow]: '20', [ENV.triggerMode]: 'every' });
    }
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

  it('sets a batching window of at least 1 s, which Lambda requires for SQS batches above 10', () => {
    const [, mapping] = only('aws_lambda_event_source_mapping');
    expect(mapping.batch_size).toBeGreaterThan(10);
    expect(mapping.maximum_batching_window_in_seconds).toBeGreaterThanOrEqual(1);
    expect(mapping.maximum_batching_window_in_seconds).toBeLessThanOrEqual(300);
  });

  it('never polls more concurrent batches than the function may run (2..1000, ≤ reserved concurrency)', () => {
    const { maximum_concurrency } = only('aws_lambda_event_source_mapping')[1].scaling_config as { maximum_concurrency: number };
    expect(maximum_concurrency).toBeGreaterThanOrEqual(2);
    expect(maximum_concurrency).toBeLessThanOrEqual(fn(names.dataProcessor)[1].reserved_concurrent_executions as number);
  });

  it('is created only after the role may receive from the queue, which Lambda checks on creation', () => {
    const [, mapping] = only('aws_lambda_event_source_mapping');
    const policyId = resourcesOf(json, 'aws_iam_role_policy').find(([, b]) => b.name === names.dataProcessorRole)![0];
    expect(mapping.depends_on).toContain(`aws_iam_role_policy.${policyId}`);
    const queueArn = ref('aws_sqs_queue', queue(names.marketDataQueue)[0], 'arn');
    expect(actionsOn(rolePolicyOf(names.dataProcessor), queueArn)).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    );
  });
});

describe('SQS market-data-queue', () => {
  it('keeps messages 14 days', () => {
    expect(queue(names.marketDataQueue)[1].message_retention_seconds).toBe(14 * DAY);
  });

  it('hides a message for at least 6 × the function timeout, and never less than the timeout', () => {
    const visibility = queue(names.marketDataQueue)[1].visibility_timeout_seconds as number;
    const timeout = fn(names.dataProcessor)[1].timeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    expect(visibility).toBeLessThanOrEqual(43_200);
  });

  it('redrives to market-data-dlq after the configured receives', () => {
    const redrive = JSON.parse(queue(names.marketDataQueue)[1].redrive_policy as string) as Record<string, unknown>;
    expect(redrive).toEqual({
      deadLetterTargetArn: ref('aws_sqs_queue', queue(names.marketDataDlq)[0], 'arn'),
      maxReceiveCount: DEFAULTS.maxReceiveCount,
    });
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
    const ruleArns = Object.keys(EVENT_RULES).map((key) => ref('aws_cloudwatch_event_rule', byName('aws_cloudwatch_event_rule', names[key as keyof typeof EVENT_RULES])[0], 'arn'));
    expect(allow).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: ref('aws_sqs_queue', dlqId, 'arn'),
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      }),
    ]);
  });
});

describe('DynamoDB tables', () => {
  const keysOf = (block: Block) => ({ hash: block.hash_key, range: block.range_key });

  it('market-alerts: PK symbol (S), SK timestamp (S), point-in-time recovery, on demand', () => {
    const [, block] = table('alerts');
    expect(block.name).toBe(`market-alerts-${SUFFIX}`);
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

  it.each(Object.keys(TABLES) as TableKey[])('%s defines exactly the attributes its keys and indexes use, all on demand', (key) => {
    const [, block] = table(key);
    // DynamoDB rejects attribute definitions that no key or index uses.
    expect(block.attribute).toEqual(keyAttributes(TABLES[key]).map(({ name, type }) => ({ name, type })));
    expect(block.billing_mode).toBe('PAY_PER_REQUEST');
    expect(block.read_capacity).toBeUndefined();
  });
});

describe('EventBridge', () => {
  it('has the bus market-data-bus', () => {
    expect(only('aws_cloudwatch_event_bus')[1].name).toBe(names.eventBus);
  });

  it.each(Object.entries(EVENT_RULES))('rule %s matches source market.data and its detail-types on the bus', (key, detailTypes) => {
    const [, rule] = byName('aws_cloudwatch_event_rule', names[key as keyof typeof EVENT_RULES]);
    expect(rule.event_bus_name).toBe(ref('aws_cloudwatch_event_bus', only('aws_cloudwatch_event_bus')[0], 'name'));
    expect(JSON.parse(rule.event_pattern as string)).toEqual({ source: [EVENT_SOURCE], 'detail-type': [...detailTypes] });
  });

  it('pins the documented detail-types', () => {
    expect(EVENT_RULES).toEqual({
      tradeEventsRule: ['Trade Execution', 'Trade Update'],
      quoteEventsRule: ['Market Quote', 'Price Update'],
    });
  });

  it.each(Object.keys(EVENT_RULES))('rule %s targets market-processor, retries at most 2 times, then the DLQ', (key) => {
    const [ruleId] = byName('aws_cloudwatch_event_rule', names[key as keyof typeof EVENT_RULES]);
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

  it.each(Object.keys(EVENT_RULES))('rule %s may invoke market-processor (resource policy per rule)', (key) => {
    const [ruleId] = byName('aws_cloudwatch_event_rule', names[key as keyof typeof EVENT_RULES]);
    const [, permission] = resourceWhere(json, 'aws_lambda_permission', 'source_arn', ref('aws_cloudwatch_event_rule', ruleId, 'arn'));
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      function_name: ref('aws_lambda_function', fn(names.marketProcessor)[0], 'function_name'),
    });
  });
});

describe('λ market-processor', () => {
  it('has 512 MB, a 30 s timeout, arm64, Node.js 22+ and the CMK for its environment', () => {
    expect(fn(names.marketProcessor)[1]).toMatchObject({
      memory_size: 512,
      timeout: 30,
      architectures: ['arm64'],
      runtime: DEFAULTS.lambdaRuntime,
      kms_key_arn: keyArn(),
    });
  });

  it('has MARKET_DATA_TABLE, AUDIT_TRAIL_TABLE and ENVIRONMENT, plus the alerting settings', () => {
    const variables = environmentOf(fn(names.marketProcessor)[1]);
    expect(variables).toMatchObject({
      MARKET_DATA_TABLE: ref('aws_dynamodb_table', table('marketData')[0], 'name'),
      AUDIT_TRAIL_TABLE: ref('aws_dynamodb_table', table('auditTrail')[0], 'name'),
      ENVIRONMENT: SUFFIX,
      [ENV.marketDataTtlDays]: '30',
      [ENV.alertRulesTable]: ref('aws_dynamodb_table', table('alertRules')[0], 'name'),
    });
  });

  it('sends failed asynchronous invocations to market-events-dlq after 2 retries', () => {
    const [fnId, block] = fn(names.marketProcessor);
    expect(block.dead_letter_config).toEqual({ target_arn: ref('aws_sqs_queue', queue(names.marketEventsDlq)[0], 'arn') });
    const [, invokeConfig] = only('aws_lambda_function_event_invoke_config');
    expect(invokeConfig).toMatchObject({
      function_name: ref('aws_lambda_function', fnId, 'function_name'),
      maximum_retry_attempts: DEPLOYMENT_DEFAULTS.asyncInvokeMaxRetries,
    });
    expect(DEPLOYMENT_DEFAULTS.asyncInvokeMaxRetries).toBeLessThanOrEqual(2);
  });

  it('is created after its role may send to the DLQ (Lambda checks on creation) and after its log group', () => {
    const [, block] = fn(names.marketProcessor);
    const policyId = resourcesOf(json, 'aws_iam_role_policy').find(([, b]) => b.name === names.marketProcessorRole)![0];
    const [logId] = byName('aws_cloudwatch_log_group', names.marketProcessorLogGroup);
    expect(block.depends_on).toEqual(expect.arrayContaining([`aws_iam_role_policy.${policyId}`, `aws_cloudwatch_log_group.${logId}`]));
  });
});

describe('SNS', () => {
  it.each([names.tradingAlertsTopic, names.opsAlarmsTopic])('has the topic %s, encrypted with the CMK', (name) => {
    expect(byName('aws_sns_topic', name)[1].kms_master_key_id).toBe(keyArn());
  });

  it('lets CloudWatch publish to ops-alarms for this account\'s alarms only', () => {
    const [topicId] = byName('aws_sns_topic', names.opsAlarmsTopic);
    const [, policy] = resourceWhere(json, 'aws_sns_topic_policy', 'arn', ref('aws_sns_topic', topicId, 'arn'));
    const allow = parsePolicy(policy.policy).Statement.filter((s) => s.Effect === 'Allow');
    const alarmArns = resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(([id]) => ref('aws_cloudwatch_metric_alarm', id, 'arn'));
    expect(allow).toHaveLength(1);
    expect(asList(allow[0]!.Condition?.ArnLike?.['aws:SourceArn']).sort()).toEqual(alarmArns.sort());
    expect(allow).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': expect.stringContaining('aws_caller_identity') },
          ArnLike: { 'aws:SourceArn': expect.any(Array) },
        },
      }),
    ]);
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
    const principals = statements.map((s) => s.Principal);
    expect(principals).toEqual([
      { AWS: expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/) },
      { Service: 'logs.us-east-1.amazonaws.com' },
      { Service: 'cloudwatch.amazonaws.com' },
      { Service: 'events.amazonaws.com' },
    ]);
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      expect(statements.find((s) => asList(s.Principal !== '*' ? s.Principal?.Service : undefined).includes(service))?.Action).toEqual([
        'kms:GenerateDataKey',
        'kms:Decrypt',
      ]);
    }
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
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alertRules')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alerts')[0], 'arn'))).toEqual(['dynamodb:BatchWriteItem']);
    expect(actionsOn(statements, ref('aws_sns_topic', byName('aws_sns_topic', names.tradingAlertsTopic)[0], 'arn'))).toEqual(['sns:Publish']);
    expect(actionsOn(statements, keyArn())).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    const [logId] = byName('aws_cloudwatch_log_group', names.dataProcessorLogGroup);
    expect(actionsOn(statements, `${ref('aws_cloudwatch_log_group', logId, 'arn')}:*`)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements).toHaveLength(6);
  });

  it('grants market-processor only the actions it uses, each on its own resource', () => {
    const statements = rolePolicyOf(names.marketProcessor);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('marketData')[0], 'arn'))).toEqual(['dynamodb:PutItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('auditTrail')[0], 'arn'))).toEqual(['dynamodb:PutItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alertRules')[0], 'arn'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(statements, ref('aws_dynamodb_table', table('alerts')[0], 'arn'))).toEqual(['dynamodb:BatchWriteItem']);
    expect(actionsOn(statements, ref('aws_sqs_queue', queue(names.marketEventsDlq)[0], 'arn'))).toEqual(['sqs:SendMessage']);
    expect(actionsOn(statements, keyArn())).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(statements.flatMap((s) => asList(s.Action))).not.toContain('sqs:ReceiveMessage');
    expect(statements).toHaveLength(8);
  });

  it('names no wildcard resource and no wildcard action in the function roles', () => {
    for (const name of [names.dataProcessor, names.marketProcessor]) {
      for (const statement of rolePolicyOf(name)) {
        expect(asList(statement.Resource)).not.toContain('*');
        expect(asList(statement.Action).filter((a) => a.includes('*'))).toEqual([]);
        expect(statement.Effect).toBe('Allow');
      }
    }
  });
});

describe('CloudWatch', () => {
  const alarms = alarmNames(SUFFIX);
  const alarm = (name: string) => resourceWhere(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', name)[1];

  it.each([
    [alarms.dataProcessorErrorRate, names.dataProcessor],
    [alarms.marketProcessorErrorRate, names.marketProcessor],
  ])('%s: errors ÷ invocations > 1 %% over 5 minutes, by metric math', (alarmName, functionName) => {
    const block = alarm(alarmName);
    const queries = block.metric_query as Array<{ id: string; expression?: string; return_data: boolean; metric?: Record<string, unknown> }>;
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
    // CloudWatch rejects an alarm that sets both a metric query and a single metric.
    for (const single of ['metric_name', 'namespace', 'statistic', 'period']) expect(block[single]).toBeUndefined();
  });

  it('market-processor duration: average above 5 s', () => {
    expect(alarm(alarms.marketProcessorDuration)).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Duration',
      statistic: 'Average',
      threshold: 5000,
      comparison_operator: 'GreaterThanThreshold',
      dimensions: { FunctionName: ref('aws_lambda_function', fn(names.marketProcessor)[0], 'function_name') },
    });
  });

  it.each([
    [alarms.marketDataDlqNotEmpty, names.marketDataDlq],
    [alarms.marketEventsDlqNotEmpty, names.marketEventsDlq],
  ])('%s: messages visible in %s', (alarmName, queueName) => {
    expect(alarm(alarmName)).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: ref('aws_sqs_queue', queue(queueName)[0], 'name') },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
    });
  });

  it('has these five alarms, all notifying ops-alarms on ALARM and on OK', () => {
    const opsArn = ref('aws_sns_topic', byName('aws_sns_topic', names.opsAlarmsTopic)[0], 'arn');
    const all = resourcesOf(json, 'aws_cloudwatch_metric_alarm');
    expect(all.map(([, a]) => a.alarm_name).sort()).toEqual(Object.values(alarms).sort());
    for (const [, block] of all) expect(block).toMatchObject({ alarm_actions: [opsArn], ok_actions: [opsArn] });
  });

  it('has a dashboard of the pipeline that shows every alarm', () => {
    const [, dashboard] = only('aws_cloudwatch_dashboard');
    expect(dashboard.dashboard_name).toBe(names.dashboard);
    const body = JSON.parse(dashboard.dashboard_body as string) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> };
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm')!;
    expect(alarmWidget.properties.alarms).toHaveLength(5);
    // Metric widgets must name their region.
    for (const widget of body.widgets.filter((w) => w.type === 'metric')) expect(widget.properties.region).toBe('us-east-1');
  });
});

describe('outputs', () => {
  it('has sqs_queue_url, sns_topic_arn, dynamodb_table_name and lambda_function_name of the source documents', () => {
    expect(json.output.sqs_queue_url!.value).toBe(ref('aws_sqs_queue', queue(names.marketDataQueue)[0], 'url'));
    expect(json.output.sns_topic_arn!.value).toBe(ref('aws_sns_topic', byName('aws_sns_topic', names.tradingAlertsTopic)[0], 'arn'));
    expect(json.output.dynamodb_table_name!.value).toBe(ref('aws_dynamodb_table', table('alerts')[0], 'name'));
    expect(json.output.lambda_function_name!.value).toBe(ref('aws_lambda_function', fn(names.dataProcessor)[0], 'function_name'));
  });

  it('has the bus, rules, tables, DLQs and log groups, under the names in src/resources', () => {
    expect(Object.keys(json.output).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    expect(json.output.trade_events_rule_arn!.value).toBe(ref('aws_cloudwatch_event_rule', byName('aws_cloudwatch_event_rule', names.tradeEventsRule)[0], 'arn'));
    expect(json.output.market_events_dlq_url!.value).toBe(ref('aws_sqs_queue', queue(names.marketEventsDlq)[0], 'url'));
    expect(json.output.market_processor_log_group_name!.value).toBe(
      ref('aws_cloudwatch_log_group', byName('aws_cloudwatch_log_group', names.marketProcessorLogGroup)[0], 'name'),
    );
    for (const output of Object.values(json.output)) expect(output.description).toBeTruthy();
  });
});

/**
 * The constructs one at a time, in a stack of their own: grants on queues, topics and tables (key access included),
 * second grants to the same resource, and the one lazy policy rendering behind every policy.
 */
import { TerraformOutput, TerraformStack, Testing } from 'cdktn';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider/index.js';
import { describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { STACK_OUTPUTS, TABLES, type TableDefinition } from '../../src/resources/index.js';
import { AwsAccount } from '../../src/infra/account.js';
import { Encryption } from '../../src/infra/encryption.js';
import { ExecutionRole } from '../../src/infra/iam.js';
import { LazyPolicy } from '../../src/infra/lazy-policy.js';
import { defineOutputs } from '../../src/infra/outputs.js';
import { EncryptedQueue, EncryptedTopic } from '../../src/infra/messaging.js';
import { EncryptedTable } from '../../src/infra/storage.js';
import { parsePolicy, type Statement, type TerraformJson } from './synth.js';

/** `${type.id.attribute}` of the index-th resource of a type (ordered by logical id), as the synthesized JSON refers to it. */
const refTo = (json: TerraformJson, type: string, attribute: string, index = 0) =>
  `\${${type}.${Object.keys(json.resource[type]!)[index]}.${attribute}}`;
const keyArn = (json: TerraformJson) => refTo(json, 'aws_kms_key', 'arn');
const account = (json: TerraformJson) => `\${data.aws_caller_identity.${Object.keys(json.data.aws_caller_identity!)[0]}.account_id}`;
const partition = (json: TerraformJson) => `\${data.aws_partition.${Object.keys(json.data.aws_partition!)[0]}.partition}`;

function testbed() {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const account = new AwsAccount(stack, 'account', 'eu-west-1');
  const encryption = new Encryption(stack, 'encryption', {
    account,
    keyName: 'key-t',
    aliasName: 'alias/key-t',
    logGroupNames: ['/aws/lambda/fn-t'],
  });
  const synth = () => JSON.parse(Testing.synth(stack)) as TerraformJson;
  const only = (json: TerraformJson, type: string) => {
    const blocks = Object.values(json.resource[type] ?? {});
    expect(blocks).toHaveLength(1);
    return blocks[0]!;
  };
  const keyPolicy = (json: TerraformJson) => parsePolicy(only(json, 'aws_kms_key').policy).Statement;
  const rolePolicy = (json: TerraformJson) => parsePolicy(only(json, 'aws_iam_role_policy').policy).Statement;
  return { stack, account, encryption, synth, only, keyPolicy, rolePolicy };
}

const withoutBaseStatements = (statements: Statement[]) =>
  statements.filter((s) => !['EnableIamPolicies', 'AllowCloudWatchLogs'].includes(s.Sid ?? ''));

describe('Encryption', () => {
  it('is a key with rotation, a 7-day deletion window and its alias, for the account and for Logs on its log groups', () => {
    const { synth, only, keyPolicy } = testbed();
    const json = synth();
    expect(only(json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7, tags: { Name: 'key-t' } });
    expect(only(json, 'aws_kms_alias')).toEqual({ name: 'alias/key-t', target_key_id: refTo(json, 'aws_kms_key', 'key_id') });
    expect(keyPolicy(json)).toEqual([
      {
        Sid: 'EnableIamPolicies',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition(json)}:iam::${account(json)}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'AllowCloudWatchLogs',
        Effect: 'Allow',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:GenerateDataKeyPair',
          'kms:GenerateDataKeyPairWithoutPlaintext',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': [`arn:${partition(json)}:logs:eu-west-1:${account(json)}:log-group:/aws/lambda/fn-t`] },
        },
      },
    ]);
    expect(String(only(json, 'aws_kms_key').description)).toContain('key-t');
  });

  it('names the callers a delivering service acts for, by account and ARN, each grant in a statement of its own', () => {
    const { encryption, synth, keyPolicy } = testbed();
    encryption.allowServiceDelivery('cloudwatch.amazonaws.com', ['arn:aws:cloudwatch:eu-west-1:1:alarm:a']);
    encryption.allowServiceDelivery('cloudwatch.amazonaws.com', ['arn:aws:cloudwatch:eu-west-1:1:alarm:b']);
    encryption.allowServiceDelivery('s3.amazonaws.com', ['arn:aws:s3:::bucket']);
    const json = synth();
    const delivery = (sid: string, service: string, arn: string) => ({
      Sid: sid,
      Effect: 'Allow',
      Principal: { Service: service },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account(json) }, ArnLike: { 'aws:SourceArn': [arn] } },
    });
    expect(withoutBaseStatements(keyPolicy(json))).toEqual([
      delivery('AllowDeliveryCloudwatch', 'cloudwatch.amazonaws.com', 'arn:aws:cloudwatch:eu-west-1:1:alarm:a'),
      delivery('AllowDeliveryCloudwatch2', 'cloudwatch.amazonaws.com', 'arn:aws:cloudwatch:eu-west-1:1:alarm:b'),
      delivery('AllowDeliveryS3', 's3.amazonaws.com', 'arn:aws:s3:::bucket'),
    ]);
  });

  it('sets no source condition for EventBridge, which does not pass its caller on to KMS', () => {
    const { encryption, synth, keyPolicy } = testbed();
    encryption.allowServiceDelivery('events.amazonaws.com', ['arn:aws:events:eu-west-1:1:rule/bus/a']);
    encryption.allowServiceDelivery('events.amazonaws.com', ['arn:aws:events:eu-west-1:1:rule/bus/b']);
    expect(withoutBaseStatements(keyPolicy(synth()))).toEqual([
      {
        Sid: 'AllowDeliveryEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
      },
    ]);
  });
});

describe('EncryptedQueue', () => {
  const queueIn = (bed: ReturnType<typeof testbed>, deadLetter?: EncryptedQueue) =>
    new EncryptedQueue(bed.stack, deadLetter ? 'source' : 'queue', {
      name: deadLetter ? 'source-t' : 'queue-t',
      encryption: bed.encryption,
      retentionDays: 4,
      visibilityTimeoutSeconds: 45,
      ...(deadLetter && { deadLetter: { queue: deadLetter, maxReceiveCount: 5 } }),
    });

  it('keeps messages the given days, hides them the given seconds, redrives after the given receives, with the key', () => {
    const bed = testbed();
    queueIn(bed, queueIn(bed));
    const json = bed.synth();
    const queues = Object.values(json.resource.aws_sqs_queue!);
    expect(queues).toEqual([
      { name: 'queue-t', message_retention_seconds: 345_600, visibility_timeout_seconds: 45, kms_master_key_id: keyArn(json) },
      {
        name: 'source-t',
        message_retention_seconds: 345_600,
        visibility_timeout_seconds: 45,
        kms_master_key_id: keyArn(json),
        redrive_policy: JSON.stringify({ deadLetterTargetArn: refTo(json, 'aws_sqs_queue', 'arn'), maxReceiveCount: 5 }),
      },
    ]);
  });

  it('gives each service grant its own statement id, and the key use to the service', () => {
    const bed = testbed();
    const queue = queueIn(bed);
    queue.allowServiceToSend('events.amazonaws.com', ['arn:aws:events:eu-west-1:1:rule/bus/a']);
    queue.allowServiceToSend('events.amazonaws.com', ['arn:aws:events:eu-west-1:1:rule/bus/b']);
    const json = bed.synth();
    const policy = Object.values(json.resource.aws_sqs_queue_policy!)[0]!;
    expect(policy.queue_url).toBe(refTo(json, 'aws_sqs_queue', 'url'));
    const send = (sid: string, rule: string) => ({
      Sid: sid,
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: refTo(json, 'aws_sqs_queue', 'arn'),
      Condition: { ArnEquals: { 'aws:SourceArn': [rule] } },
    });
    expect(parsePolicy(policy.policy).Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: refTo(json, 'aws_sqs_queue', 'arn'),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      send('AllowServiceSend', 'arn:aws:events:eu-west-1:1:rule/bus/a'),
      send('AllowServiceSend2', 'arn:aws:events:eu-west-1:1:rule/bus/b'),
    ]);
    expect(withoutBaseStatements(bed.keyPolicy(json)).map((s) => s.Sid)).toEqual(['AllowDeliveryEvents']);
  });

  it('grants consuming with decrypt only: the poller reads messages, it never writes one', () => {
    const bed = testbed();
    const role = new ExecutionRole(bed.stack, 'role', 'role-t');
    queueIn(bed).grantConsumeMessages(role);
    const json = bed.synth();
    expect(bed.rolePolicy(json)).toContainEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn(json) });
  });

  it('grants consuming (receive, delete, attributes; decrypt) and sending (send; data keys) to a role', () => {
    const bed = testbed();
    const queue = queueIn(bed);
    const role = new ExecutionRole(bed.stack, 'role', 'role-t');
    queue.grantConsumeMessages(role);
    queue.grantSendMessages(role);
    const json = bed.synth();
    expect(bed.rolePolicy(json)).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: refTo(json, 'aws_sqs_queue', 'arn'),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: refTo(json, 'aws_sqs_queue', 'arn') },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn(json) },
    ]);
  });
});

describe('EncryptedTopic', () => {
  it('is encrypted with the key, refuses publishing without TLS, and numbers a second service grant', () => {
    const bed = testbed();
    const topic = new EncryptedTopic(bed.stack, 'topic', { name: 'topic-t', encryption: bed.encryption });
    topic.allowServiceToPublish('cloudwatch.amazonaws.com', ['arn:aws:cloudwatch:eu-west-1:1:alarm:a']);
    topic.allowServiceToPublish('cloudwatch.amazonaws.com', ['arn:aws:cloudwatch:eu-west-1:1:alarm:b']);
    const json = bed.synth();
    expect(bed.only(json, 'aws_sns_topic')).toEqual({ name: 'topic-t', kms_master_key_id: keyArn(json) });
    const policy = bed.only(json, 'aws_sns_topic_policy');
    expect(policy.arn).toBe(refTo(json, 'aws_sns_topic', 'arn'));
    const publish = (sid: string, alarm: string) => ({
      Sid: sid,
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: refTo(json, 'aws_sns_topic', 'arn'),
      Condition: { StringEquals: { 'aws:SourceAccount': account(json) }, ArnLike: { 'aws:SourceArn': [alarm] } },
    });
    expect(parsePolicy(policy.policy).Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: refTo(json, 'aws_sns_topic', 'arn'),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      publish('AllowServicePublish', 'arn:aws:cloudwatch:eu-west-1:1:alarm:a'),
      publish('AllowServicePublish2', 'arn:aws:cloudwatch:eu-west-1:1:alarm:b'),
    ]);
    expect(withoutBaseStatements(bed.keyPolicy(json)).map((s) => s.Sid)).toEqual(['AllowDeliveryCloudwatch', 'AllowDeliveryCloudwatch2']);
  });

  it('grants publishing with the data-key actions to a role', () => {
    const bed = testbed();
    const topic = new EncryptedTopic(bed.stack, 'topic', { name: 'topic-t', encryption: bed.encryption });
    const role = new ExecutionRole(bed.stack, 'role', 'role-t');
    topic.grantPublish(role);
    const json = bed.synth();
    expect(bed.rolePolicy(json)).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: refTo(json, 'aws_sns_topic', 'arn') },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn(json) },
    ]);
  });
});

describe('EncryptedTable', () => {
  it('builds a table on demand from its definition: keys, indexes, TTL, PITR, the key, no deletion protection', () => {
    const bed = testbed();
    new EncryptedTable(bed.stack, 'table', { name: 'market-data-t', definition: TABLES.marketData, encryption: bed.encryption });
    const json = bed.synth();
    expect(bed.only(json, 'aws_dynamodb_table')).toEqual({
      name: 'market-data-t',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'event_id',
      range_key: 'timestamp',
      attribute: [
        { name: 'event_id', type: 'S' },
        { name: 'timestamp', type: 'S' },
        { name: 'exchange', type: 'S' },
        { name: 'symbol', type: 'S' },
      ],
      global_secondary_index: [
        { name: 'ExchangeIndex', hash_key: 'exchange', range_key: 'timestamp', projection_type: 'ALL' },
        { name: 'SymbolIndex', hash_key: 'symbol', range_key: 'timestamp', projection_type: 'ALL' },
      ],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: keyArn(json) },
      ttl: { attribute_name: 'expires_at', enabled: true },
      deletion_protection_enabled: false,
    });
  });

  it('leaves out indexes, sort key and TTL a definition does not have', () => {
    const bed = testbed();
    new EncryptedTable(bed.stack, 'table', { name: 'alert-rules-t', definition: TABLES.alertRules, encryption: bed.encryption });
    const json = bed.synth();
    expect(bed.only(json, 'aws_dynamodb_table')).toEqual({
      name: 'alert-rules-t',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'symbol',
      attribute: [{ name: 'symbol', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: keyArn(json) },
      deletion_protection_enabled: false,
    });
  });

  it('builds an index without a sort key when its definition has none', () => {
    const bed = testbed();
    const definition: TableDefinition = {
      resource: 'auditTrailTable',
      partitionKey: { name: 'id', type: 'S' },
      globalSecondaryIndexes: [{ name: 'ByDay', partitionKey: { name: 'day', type: 'N' } }],
      pointInTimeRecovery: false,
    };
    new EncryptedTable(bed.stack, 'table', { name: 'by-day-t', definition, encryption: bed.encryption });
    expect(bed.only(bed.synth(), 'aws_dynamodb_table')).toMatchObject({
      attribute: [
        { name: 'id', type: 'S' },
        { name: 'day', type: 'N' },
      ],
      global_secondary_index: [{ name: 'ByDay', hash_key: 'day', projection_type: 'ALL' }],
      point_in_time_recovery: { enabled: false },
    });
  });

  it('grants item actions on itself only, with the key actions DynamoDB checks the caller for, once per key', () => {
    const bed = testbed();
    const rules = new EncryptedTable(bed.stack, 'rules', { name: 'alert-rules-t', definition: TABLES.alertRules, encryption: bed.encryption });
    const alerts = new EncryptedTable(bed.stack, 'alerts', { name: 'market-alerts-t', definition: TABLES.alerts, encryption: bed.encryption });
    const role = new ExecutionRole(bed.stack, 'role', 'role-t');
    rules.grantItemActions(role, ['GetItem', 'UpdateItem']);
    alerts.grantItemActions(role, ['BatchWriteItem']);
    rules.grantItemActions(role, ['GetItem', 'UpdateItem']);
    const json = bed.synth();
    expect(bed.rolePolicy(json)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: refTo(json, 'aws_dynamodb_table', 'arn', 1) },
      { Effect: 'Allow', Action: 'dynamodb:BatchWriteItem', Resource: refTo(json, 'aws_dynamodb_table', 'arn', 0) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn(json) },
    ]);
  });
});

describe('ExecutionRole', () => {
  it('is assumable by Lambda and renders its grants with their statement ids', () => {
    const bed = testbed();
    const role = new ExecutionRole(bed.stack, 'role', 'role-t');
    role.allow(['xray:PutTraceSegments'], ['*'], 'XRayWriteTraces');
    const json = bed.synth();
    expect(bed.only(json, 'aws_iam_role')).toEqual({
      name: 'role-t',
      assume_role_policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    expect(bed.only(json, 'aws_iam_role_policy')).toMatchObject({ name: 'role-t', role: refTo(json, 'aws_iam_role', 'id') });
    expect(bed.rolePolicy(json)).toEqual([{ Sid: 'XRayWriteTraces', Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }]);
  });
});

describe('defineOutputs', () => {
  it('names each output as src/resources does, wherever in the stack it is declared', () => {
    const bed = testbed();
    const values = Object.fromEntries(Object.keys(STACK_OUTPUTS).map((key) => [key, { value: `v-${key}`, description: `d-${key}` }]));
    defineOutputs(new Construct(bed.stack, 'nested'), values as Parameters<typeof defineOutputs>[1]);
    const outputs = (bed.synth() as unknown as { output: Record<string, { value: string; description: string }> }).output;
    expect(outputs.sqs_queue_url).toEqual({ value: 'v-sqsQueueUrl', description: 'd-sqsQueueUrl' });
    expect(outputs.default_alert_rule).toEqual({ value: 'v-defaultAlertRule', description: 'd-defaultAlertRule' });
    expect(Object.keys(outputs)).toHaveLength(21);
  });
});

describe('LazyPolicy', () => {
  /** The document rendered in a stack of its own. */
  const render = (policy: LazyPolicy): Statement[] => {
    const stack = new TerraformStack(Testing.app(), 'lazy');
    new TerraformOutput(stack, 'document', { value: policy.document });
    const json = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
    return parsePolicy(json.output.document!.value).Statement;
  };

  it('renders the statements added after it was created, then the rendered ones', () => {
    const extra: Statement[] = [];
    const policy = new LazyPolicy([{ sid: 'First', actions: ['sqs:SendMessage'], resources: ['arn:q'] }], () =>
      extra.map((s) => ({ actions: asArray(s.Action), resources: asArray(s.Resource) })),
    );
    policy.add({ actions: ['sns:Publish'], resources: ['arn:t'] });
    extra.push({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: 'arn:k' });
    expect(render(policy)).toEqual([
      { Sid: 'First', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:q' },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:t' },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:k' },
    ]);
  });

  it('renders a statement granted twice once, whatever the order of its actions and resources', () => {
    const policy = new LazyPolicy();
    policy.add({ actions: ['sqs:A', 'sqs:B'], resources: ['arn:1', 'arn:2'] });
    policy.add({ actions: ['sqs:B', 'sqs:A'], resources: ['arn:2', 'arn:1'] });
    expect(render(policy)).toEqual([{ Effect: 'Allow', Action: ['sqs:A', 'sqs:B'], Resource: ['arn:1', 'arn:2'] }]);
  });

  it.each([
    ['statement id', { sid: 'Other' }],
    ['effect', { effect: 'Deny' as const }],
    ['principal', { principal: { Service: 'sns.amazonaws.com' } }],
    ['action', { actions: ['sqs:C'] }],
    ['resource', { resources: ['arn:3'] }],
    ['condition', { conditions: { Bool: { 'aws:SecureTransport': 'false' } } }],
  ])('keeps two statements that differ only in their %s', (_, difference) => {
    const policy = new LazyPolicy();
    const base = { sid: 'Same', principal: { Service: 'sqs.amazonaws.com' }, actions: ['sqs:A'], resources: ['arn:1'] };
    policy.add(base, { ...base, ...difference });
    expect(render(policy)).toHaveLength(2);
  });

  it('numbers the second and later statements that share an id, skipping numbers already taken', () => {
    const policy = new LazyPolicy();
    policy.add(
      { sid: 'Grant', actions: ['a:A'], resources: ['arn:1'] },
      { sid: 'Grant', actions: ['a:B'], resources: ['arn:1'] },
      { sid: 'Grant2', actions: ['a:C'], resources: ['arn:1'] },
      { sid: 'Grant', actions: ['a:D'], resources: ['arn:1'] },
      { actions: ['a:E'], resources: ['arn:1'] },
    );
    expect(render(policy).map((s) => s.Sid)).toEqual(['Grant', 'Grant2', 'Grant22', 'Grant3', undefined]);
  });
});

const asArray = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

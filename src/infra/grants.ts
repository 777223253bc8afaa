/**
 * Grant helpers: each adds to a function's role exactly the actions one kind of use needs, on that resource only,
 * plus the key actions the resource's encryption requires for that use.
 */
import type { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group/index.js';
import type { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table/index.js';
import { ENVELOPE_KEY_ACTIONS, type Encryption } from './encryption.js';

/** What a principal needs on a table's CMK to read and write items through DynamoDB. */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
import type { ExecutionRole } from './iam.js';
import type { EncryptedQueue, EncryptedTopic } from './messaging.js';

/** What the Lambda SQS poller does with the function's role: receive, delete, extend visibility, read attributes. */
export function grantConsumeMessages(role: ExecutionRole, queue: EncryptedQueue): void {
  role.allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], [queue.arn]);
  role.allowKey(queue.encryption, ['kms:Decrypt']);
}

/** SendMessage to an SSE-KMS queue: the sender generates the data key and may need to decrypt a cached one. */
export function grantSendMessages(role: ExecutionRole, queue: EncryptedQueue): void {
  role.allow(['sqs:SendMessage'], [queue.arn]);
  role.allowKey(queue.encryption, ENVELOPE_KEY_ACTIONS);
}

/** Publish and PublishBatch (authorized as sns:Publish) to an SSE-KMS topic. */
export function grantPublish(role: ExecutionRole, topic: EncryptedTopic): void {
  role.allow(['sns:Publish'], [topic.arn]);
  role.allowKey(topic.encryption, ENVELOPE_KEY_ACTIONS);
}

export type TableAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'BatchWriteItem';

/**
 * Item actions on one table encrypted with the CMK. DynamoDB uses the key through the grant it creates with the
 * table, but it also checks that the caller may decrypt with the key (and describe it) when it reads or writes.
 */
export function grantTableActions(role: ExecutionRole, table: DynamodbTable, actions: readonly TableAction[], encryption: Encryption): void {
  role.allow(
    actions.map((action) => `dynamodb:${action}`),
    [table.arn],
  );
  role.allowKey(encryption, TABLE_KEY_ACTIONS);
}

/**
 * What a function with active tracing needs to send its trace segments and the X-Ray telemetry. X-Ray defines no
 * resource type for these actions, so IAM accepts them on "*" only: the one wildcard resource a role is given.
 * Lambda checks the role for xray:PutTraceSegments when it creates or updates a function with active tracing.
 */
export const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export function grantTracing(role: ExecutionRole): void {
  role.allow(TRACING_ACTIONS, ['*'], 'XRayWriteTraces');
}

/** Writing to the function's own log group; the stack creates the group, so no logs:CreateLogGroup. */
export function grantWriteLogs(role: ExecutionRole, logGroup: CloudwatchLogGroup): void {
  role.allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logGroup.arn}:*`]);
}

import { Construct } from 'constructs';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic/index.js';
import { SnsTopicPolicy } from '@cdktn/provider-aws/lib/sns-topic-policy/index.js';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktn/provider-aws/lib/sqs-queue-policy/index.js';
import { ENVELOPE_KEY_ACTIONS, type Encryption } from './encryption.js';
import type { ExecutionRole } from './iam.js';
import { LazyPolicy } from './lazy-policy.js';
import { denyInsecureTransport, servicePrincipal } from './policy.js';
import { DAY_SECONDS } from '../shared/time.js';

export interface EncryptedQueueProps {
  readonly name: string;
  readonly encryption: Encryption;
  readonly retentionDays: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly deadLetter?: { readonly queue: EncryptedQueue; readonly maxReceiveCount: number };
}

/**
 * A standard SQS queue encrypted with the stack's key, reachable over TLS only. Its grants give exactly the actions
 * of one kind of use, plus the key actions that use needs.
 */
export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly encryption: Encryption;
  private readonly policy: LazyPolicy;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    this.encryption = props.encryption;
    this.queue = new SqsQueue(this, 'queue', {
      name: props.name,
      messageRetentionSeconds: props.retentionDays * DAY_SECONDS,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      kmsMasterKeyId: props.encryption.arn,
      redrivePolicy: props.deadLetter
        ? JSON.stringify({ deadLetterTargetArn: props.deadLetter.queue.arn, maxReceiveCount: props.deadLetter.maxReceiveCount })
        : undefined,
    });
    this.policy = new LazyPolicy([denyInsecureTransport(['sqs:*'], this.queue.arn)]);
    new SqsQueuePolicy(this, 'policy', { queueUrl: this.queue.url, policy: this.policy.document });
  }

  get arn(): string {
    return this.queue.arn;
  }
  get url(): string {
    return this.queue.url;
  }
  get name(): string {
    return this.queue.name;
  }

  /**
   * What the Lambda SQS poller does with the function's role, the execution role permissions Lambda documents for
   * an SQS event source mapping: receive, delete, read attributes.
   */
  grantConsumeMessages(role: ExecutionRole): void {
    role.allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], [this.arn]);
    role.allowKey(this.encryption, ['kms:Decrypt']);
  }

  /** SendMessage to an SSE-KMS queue: the sender generates the data key and may need to decrypt a cached one. */
  grantSendMessages(role: ExecutionRole): void {
    role.allow(['sqs:SendMessage'], [this.arn]);
    role.allowKey(this.encryption, ENVELOPE_KEY_ACTIONS);
  }

  /**
   * Lets an AWS service send messages on behalf of the given source resources only (confused-deputy guard), and
   * use the key to do so.
   */
  allowServiceToSend(service: string, sourceArns: readonly string[]): void {
    this.policy.add({
      sid: 'AllowServiceSend',
      principal: servicePrincipal(service),
      actions: ['sqs:SendMessage'],
      resources: [this.arn],
      conditions: { ArnEquals: { 'aws:SourceArn': sourceArns } },
    });
    this.encryption.allowServiceDelivery(service, sourceArns);
  }
}

export interface EncryptedTopicProps {
  readonly name: string;
  readonly encryption: Encryption;
}

/** A standard SNS topic encrypted with the stack's key, reachable over TLS only. */
export class EncryptedTopic extends Construct {
  readonly topic: SnsTopic;
  readonly encryption: Encryption;
  private readonly policy: LazyPolicy;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    this.encryption = props.encryption;
    this.topic = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: props.encryption.arn });
    this.policy = new LazyPolicy([denyInsecureTransport(['sns:Publish'], this.topic.arn)]);
    new SnsTopicPolicy(this, 'policy', { arn: this.topic.arn, policy: this.policy.document });
  }

  get arn(): string {
    return this.topic.arn;
  }

  /** Publish and PublishBatch (authorized as sns:Publish) to an SSE-KMS topic. */
  grantPublish(role: ExecutionRole): void {
    role.allow(['sns:Publish'], [this.arn]);
    role.allowKey(this.encryption, ENVELOPE_KEY_ACTIONS);
  }

  /**
   * Lets an AWS service publish on behalf of the given source resources of this account only (confused-deputy
   * guard), and use the key to do so.
   */
  allowServiceToPublish(service: string, sourceArns: readonly string[]): void {
    this.policy.add({
      sid: 'AllowServicePublish',
      principal: servicePrincipal(service),
      actions: ['sns:Publish'],
      resources: [this.arn],
      conditions: { StringEquals: { 'aws:SourceAccount': this.encryption.account.accountId }, ArnLike: { 'aws:SourceArn': sourceArns } },
    });
    this.encryption.allowServiceDelivery(service, sourceArns);
  }
}

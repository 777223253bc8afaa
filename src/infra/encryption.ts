import { Construct } from 'constructs';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key/index.js';
import { DEFAULTS } from '../resources/index.js';
import type { AwsAccount } from './account.js';
import { LazyPolicy } from './lazy-policy.js';
import { servicePrincipal } from './policy.js';

/** The data-key actions a service needs to write to and read from an SSE-KMS queue or topic. */
export const ENVELOPE_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/**
 * What CloudWatch Logs documents for a log group's key (`kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`,
 * `kms:GenerateDataKey*`, `kms:Describe*`), spelled out: the same actions on a key, without wildcards.
 */
const LOGS_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:DescribeKey',
];

/**
 * Services whose deliveries reach KMS without the caller's aws:SourceArn and aws:SourceAccount, so that a key policy
 * condition on them would deny every delivery. EventBridge: the SNS developer guide states those keys are not
 * supported in a KMS key policy for EventBridge-to-encrypted-topic delivery, and EventBridge documents the key policy
 * for an encrypted SQS target or dead-letter queue without them. Its sends are limited to the stack's two rules by
 * the queue policy (aws:SourceArn), which SQS evaluates itself.
 */
const WITHOUT_SOURCE_CONTEXT: ReadonlySet<string> = new Set(['events.amazonaws.com']);

export interface EncryptionProps {
  readonly account: AwsAccount;
  readonly keyName: string;
  readonly aliasName: string;
  /** Log groups CloudWatch Logs may encrypt with the key (it names each in the encryption context). */
  readonly logGroupNames: readonly string[];
}

/**
 * The customer managed key for every store, queue, topic, log group and Lambda environment of one environment.
 * Its policy delegates to IAM for the account's own principals (the function roles, the deployer; DynamoDB and
 * Lambda use the key through grants those principals create) and names each service principal that uses it, for
 * the resources it acts for: the queues and topics add those when they let a service deliver to them.
 */
export class Encryption extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  readonly arn: string;
  readonly account: AwsAccount;
  private readonly policy: LazyPolicy;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const { account } = props;
    this.account = account;
    this.policy = new LazyPolicy([
      {
        // The AWS default key policy statement: without it IAM policies cannot grant the key and it becomes unmanageable.
        sid: 'EnableIamPolicies',
        principal: { AWS: account.rootArn },
        actions: ['kms:*'],
        resources: ['*'],
      },
      {
        sid: 'AllowCloudWatchLogs',
        principal: servicePrincipal(`logs.${account.region}.amazonaws.com`),
        actions: LOGS_KEY_ACTIONS,
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': props.logGroupNames.map((name) => account.arn('logs', `log-group:${name}`)),
          },
        },
      },
    ]);

    this.key = new KmsKey(this, 'key', {
      description: `${props.keyName}: the market data pipeline's tables, queues, topics, logs and function settings`,
      enableKeyRotation: true,
      deletionWindowInDays: DEFAULTS.keyDeletionWindowDays,
      policy: this.policy.document,
      tags: { Name: props.keyName },
    });
    this.alias = new KmsAlias(this, 'alias', { name: props.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
  }

  /**
   * Lets an AWS service generate and decrypt data keys for the queue or topic it delivers to on behalf of the given
   * resources of this account (confused-deputy guard), wherever the service passes them on to KMS. The key is
   * created first: ARNs of resources that depend on it (alarms notify an encrypted topic) must be built from their
   * names (AwsAccount.arn), not read from the resources, or Terraform finds a cycle.
   */
  allowServiceDelivery(service: string, sourceArns: readonly string[]): void {
    this.policy.add({
      sid: `AllowDelivery${service.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}`,
      principal: servicePrincipal(service),
      actions: ENVELOPE_KEY_ACTIONS,
      resources: ['*'],
      ...(!WITHOUT_SOURCE_CONTEXT.has(service) && {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account.accountId },
          ArnLike: { 'aws:SourceArn': sourceArns },
        },
      }),
    });
  }
}

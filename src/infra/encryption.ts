import { Construct } from 'constructs';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key/index.js';
import { DEFAULTS } from '../resources/index.js';
import type { AwsAccount } from './account.js';
import { policyDocument, servicePrincipal, type PolicyStatement } from './policy.js';

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

export interface EncryptionProps {
  readonly account: AwsAccount;
  readonly keyName: string;
  readonly aliasName: string;
  /** Log groups CloudWatch Logs may encrypt with the key (it names each in the encryption context). */
  readonly logGroupNames: readonly string[];
  /** AWS services that deliver into the key's encrypted queues and topics on the account's behalf. */
  readonly deliveringServices: readonly string[];
}

/**
 * The customer managed key for every store, queue, topic, log group and Lambda environment of one environment.
 * Its policy delegates to IAM for the account's own principals (the function roles, the deployer; DynamoDB and
 * Lambda use the key through grants those principals create) and names each service principal that uses it.
 */
export class Encryption extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const { account } = props;
    const statements: PolicyStatement[] = [
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
      ...props.deliveringServices.map((service) => ({
        sid: `AllowDelivery${service.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}`,
        principal: servicePrincipal(service),
        actions: ENVELOPE_KEY_ACTIONS,
        resources: ['*'],
      })),
    ];

    this.key = new KmsKey(this, 'key', {
      description: `${props.keyName}: the market data pipeline's tables, queues, topics, logs and function settings`,
      enableKeyRotation: true,
      deletionWindowInDays: DEFAULTS.keyDeletionWindowDays,
      policy: policyDocument(statements),
      tags: { Name: props.keyName },
    });
    this.alias = new KmsAlias(this, 'alias', { name: props.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
  }
}

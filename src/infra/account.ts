import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktn/provider-aws/lib/data-aws-partition/index.js';

/**
 * The account, partition and region the stack deploys to. Policies that must name resources before they exist
 * (the key policy is created first) build their ARNs here instead of referencing resources, which would cycle.
 */
export class AwsAccount extends Construct {
  readonly accountId: string;
  readonly partition: string;

  constructor(
    scope: Construct,
    id: string,
    readonly region: string,
  ) {
    super(scope, id);
    this.accountId = new DataAwsCallerIdentity(this, 'caller').accountId;
    this.partition = new DataAwsPartition(this, 'partition').partition;
  }

  /** `arn:{partition}:{service}:{region}:{account}:{resource}` */
  arn(service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  /** The account itself as a principal: delegates key access to IAM policies. */
  get rootArn(): string {
    return `arn:${this.partition}:iam::${this.accountId}:root`;
  }
}

/**
 * The synthesized stack as deployed to one account: its Terraform references resolved into the names and ARNs AWS
 * gives the resources, so that its policies can be evaluated against concrete requests and its functions run with
 * the environment they are deployed with.
 */
import { createHash } from 'node:crypto';
import { awsRequest, parseArn, type AwsRequest } from './aws-requests.js';
import { parsePolicy, resourcesOf, type Block, type PolicyDocument, type TerraformJson } from '../infra/synth.js';

/** The account the tests deploy to. */
export const TEST_ACCOUNT = '123456789012';
const PARTITION = 'aws';

export interface StackResource {
  readonly type: string;
  readonly id: string;
  readonly block: Block;
  readonly arn: string;
}

export interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
  readonly roleName: string;
  readonly roleArn: string;
  /** The principal of the function's requests: Lambda names its session of the role after the function. */
  readonly sessionArn: string;
  /** The variables Lambda gives the handler. */
  readonly environment: Readonly<Record<string, string>>;
  readonly block: Block;
}

/** Resource types whose requests are authorized on the resource itself (and on its sub-resources: log streams). */
const ADDRESSABLE = ['aws_dynamodb_table', 'aws_sqs_queue', 'aws_sns_topic', 'aws_kms_key', 'aws_cloudwatch_log_group'];

/** Where each resource type's own policy is: a policy resource naming it by one of its attributes, or the resource. */
const RESOURCE_POLICIES: Readonly<Record<string, { readonly type: string; readonly link: string; readonly by: string }>> = {
  aws_sqs_queue: { type: 'aws_sqs_queue_policy', link: 'queue_url', by: 'url' },
  aws_sns_topic: { type: 'aws_sns_topic_policy', link: 'arn', by: 'arn' },
  aws_dynamodb_table: { type: 'aws_dynamodb_resource_policy', link: 'resource_arn', by: 'arn' },
};

/** Identity policies a role can have besides its inline aws_iam_role_policy: not modelled, so refused. */
const UNMODELLED_ROLE_POLICIES = ['aws_iam_role_policy_attachment', 'aws_iam_role_policy_attachments_exclusive', 'aws_iam_policy_attachment'];

/** A nested block as CDK Terrain renders it: an object, or a list of one. */
const nested = (value: unknown): Record<string, unknown> | undefined =>
  (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;

/** A key id in the form AWS gives one, the same for the same logical id. */
function keyIdOf(logicalId: string): string {
  const hex = createHash('sha256').update(logicalId).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

export class DeployedStack {
  readonly region: string;

  constructor(
    private readonly json: TerraformJson,
    readonly account = TEST_ACCOUNT,
  ) {
    const providers = json.provider.aws;
    if (providers.length !== 1) throw new Error(`expected one AWS provider, found ${providers.length}`);
    this.region = providers[0]!.region;
  }

  /** The value with each `${type.id.attribute}` reference replaced by what Terraform puts there once deployed. */
  resolve(value: string): string {
    return value.replace(/\$\{([^}]*)\}/g, (_, reference: string) => this.referenced(reference));
  }

  private referenced(reference: string): string {
    const parts = reference.split('.');
    if (parts[0] === 'data' && parts.length === 4) {
      const [, type, , attribute] = parts;
      if (type === 'aws_caller_identity' && attribute === 'account_id') return this.account;
      if (type === 'aws_partition' && attribute === 'partition') return PARTITION;
      throw new Error(`cannot resolve \${${reference}}`);
    }
    const [type, id, attribute] = parts;
    const block = parts.length === 3 ? this.json.resource[type!]?.[id!] : undefined;
    if (!block) throw new Error(`\${${reference}} names no resource of the stack`);
    const value = this.attributesOf(type!, id!, block)[attribute!];
    if (value === undefined) throw new Error(`cannot resolve \${${reference}}`);
    return value;
  }

  /** The attributes read of each resource type, as AWS forms them from the resource's name. */
  private attributesOf(type: string, id: string, block: Block): Record<string, string> {
    const text = (key: string) => {
      const value = block[key];
      if (typeof value !== 'string') throw new Error(`${type}.${id} has no ${key}`);
      return this.resolve(value);
    };
    const arn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${this.region}:${this.account}:${resource}`;
    switch (type) {
      case 'aws_dynamodb_table':
        return { name: text('name'), id: text('name'), arn: arn('dynamodb', `table/${text('name')}`) };
      case 'aws_sqs_queue': {
        const url = `https://sqs.${this.region}.amazonaws.com/${this.account}/${text('name')}`;
        return { name: text('name'), url, id: url, arn: arn('sqs', text('name')) };
      }
      case 'aws_sns_topic':
        return { name: text('name'), id: arn('sns', text('name')), arn: arn('sns', text('name')) };
      case 'aws_kms_key':
        return { key_id: keyIdOf(id), id: keyIdOf(id), arn: arn('kms', `key/${keyIdOf(id)}`) };
      case 'aws_cloudwatch_log_group':
        return { name: text('name'), id: text('name'), arn: arn('logs', `log-group:${text('name')}`) };
      case 'aws_iam_role':
        return { name: text('name'), id: text('name'), arn: `arn:${PARTITION}:iam::${this.account}:role/${text('name')}` };
      case 'aws_lambda_function':
        return { function_name: text('function_name'), id: text('function_name'), arn: arn('lambda', `function:${text('function_name')}`) };
      case 'aws_cloudwatch_event_bus':
        return { name: text('name'), arn: arn('events', `event-bus/${text('name')}`) };
      case 'aws_cloudwatch_event_rule': {
        const bus = block.event_bus_name === undefined ? 'default' : text('event_bus_name');
        return { name: text('name'), arn: arn('events', bus === 'default' ? `rule/${text('name')}` : `rule/${bus}/${text('name')}`) };
      }
      default:
        return {};
    }
  }

  private resources(type: string): StackResource[] {
    return resourcesOf(this.json, type).map(([id, block]) => ({ type, id, block, arn: this.referenced(`${type}.${id}.arn`) }));
  }

  /** The resource of the stack at this ARN, or whose sub-resource it names (a log stream of a log group). */
  resourceAt(arn: string): StackResource | undefined {
    return ADDRESSABLE.flatMap((type) => this.resources(type)).find(
      (r) => arn === r.arn || arn.startsWith(`${r.arn}:`) || arn.startsWith(`${r.arn}/`),
    );
  }

  lambdaFunction(name: string): DeployedFunction {
    const matches = resourcesOf(this.json, 'aws_lambda_function').filter(([, block]) => block.function_name === name);
    if (matches.length !== 1) throw new Error(`expected one function ${name}, found ${matches.length}`);
    const [id, block] = matches[0]!;
    const roleArn = this.resolve(String(block.role));
    const role = this.resources('aws_iam_role').find((r) => r.arn === roleArn);
    if (!role) throw new Error(`the role of ${name} (${roleArn}) is not in the stack`);
    const roleName = this.referenced(`aws_iam_role.${role.id}.name`);
    const variables = (nested(block.environment)?.variables ?? {}) as Record<string, string>;
    return {
      name,
      arn: this.referenced(`aws_lambda_function.${id}.arn`),
      roleName,
      roleArn,
      sessionArn: `arn:${PARTITION}:sts::${this.account}:assumed-role/${roleName}/${name}`,
      environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, this.resolve(value)])),
      block,
    };
  }

  /** The identity policies of the function's role: its inline policies. */
  rolePolicies(fn: DeployedFunction): PolicyDocument[] {
    for (const type of UNMODELLED_ROLE_POLICIES) {
      if (resourcesOf(this.json, type).length > 0) throw new Error(`${type} is not evaluated: add it to rolePolicies`);
    }
    const [, role] = resourcesOf(this.json, 'aws_iam_role').find(([id]) => this.referenced(`aws_iam_role.${id}.name`) === fn.roleName)!;
    if (role.managed_policy_arns || role.inline_policy || role.permissions_boundary) {
      throw new Error(`the policies set on ${fn.roleName} itself are not evaluated`);
    }
    return resourcesOf(this.json, 'aws_iam_role_policy')
      .filter(([, block]) => this.resolve(String(block.role)) === fn.roleName)
      .map(([, block]) => parsePolicy(this.resolve(String(block.policy))));
  }

  /** The resource's own policy (a queue, topic or table policy, or a key policy), if it has one. */
  resourcePolicy(resource: StackResource): PolicyDocument | undefined {
    if (resource.type === 'aws_kms_key') {
      if (typeof resource.block.policy !== 'string') throw new Error(`${resource.arn} has the default key policy: not evaluated`);
      return parsePolicy(this.resolve(resource.block.policy));
    }
    const where = RESOURCE_POLICIES[resource.type];
    if (!where) return undefined;
    const identifier = this.referenced(`${resource.type}.${resource.id}.${where.by}`);
    const policies = resourcesOf(this.json, where.type)
      .filter(([, block]) => this.resolve(String(block[where.link])) === identifier)
      .map(([, block]) => this.resolve(String(block.policy)));
    if (typeof resource.block.policy === 'string') policies.push(this.resolve(resource.block.policy));
    if (policies.length > 1) throw new Error(`${resource.arn} has ${policies.length} policies: AWS keeps only one`);
    return policies[0] === undefined ? undefined : parsePolicy(policies[0]);
  }

  /**
   * The customer managed key of the stack that encrypts the resource, if any. None for a table without server-side
   * encryption settings (an AWS owned key) or a queue or topic without a key, and none for an AWS managed key
   * (`alias/aws/...`), whose policy lets the account's principals use it through its service.
   */
  keyOf(resource: StackResource): StackResource | undefined {
    let reference: unknown;
    if (resource.type === 'aws_dynamodb_table') {
      const sse = nested(resource.block.server_side_encryption);
      reference = sse?.enabled === true ? sse.kms_key_arn : undefined;
    } else if (resource.type === 'aws_sqs_queue' || resource.type === 'aws_sns_topic') {
      reference = resource.block.kms_master_key_id;
    }
    if (typeof reference !== 'string') return undefined;
    const key = this.resolve(reference);
    if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(key)) return undefined;
    const aliased = resourcesOf(this.json, 'aws_kms_alias').find(([, block]) => key === block.name || key.endsWith(`:${String(block.name)}`));
    const keyId = aliased ? this.resolve(String(aliased[1].target_key_id)) : key;
    const found = this.resources('aws_kms_key').find((k) => k.arn === keyId || this.referenced(`aws_kms_key.${k.id}.key_id`) === keyId);
    if (!found) throw new Error(`${resource.arn} is encrypted with ${key}, which is no key of the stack`);
    return found;
  }

  /**
   * What Lambda itself sends with the function's role: its log stream and log events, the trace segments of active
   * tracing, the SQS polling of an event source mapping, and the dead letters of asynchronous invocations.
   */
  lambdaRequests(fn: DeployedFunction): AwsRequest[] {
    const requests: AwsRequest[] = [];
    const logGroup = nested(fn.block.logging_config)?.log_group;
    const group = typeof logGroup === 'string' ? this.resolve(logGroup) : `/aws/lambda/${fn.name}`;
    const stream = `arn:${PARTITION}:logs:${this.region}:${this.account}:log-group:${group}:log-stream:2026/11/20/[$LATEST]0123456789abcdef`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) requests.push(awsRequest(action, stream, 'Lambda (function logs)'));
    if (nested(fn.block.tracing_config)?.mode === 'Active') {
      for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) requests.push(awsRequest(action, '*', 'Lambda (active tracing)'));
    }
    for (const [id, mapping] of resourcesOf(this.json, 'aws_lambda_event_source_mapping')) {
      if (![fn.arn, fn.name].includes(this.resolve(String(mapping.function_name)))) continue;
      const source = this.resolve(String(mapping.event_source_arn));
      if (parseArn(source).service !== 'sqs') throw new Error(`event source mapping ${id} reads ${source}: only SQS is modelled`);
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
        requests.push(awsRequest(action, source, 'Lambda (SQS event source mapping)'));
      }
    }
    const deadLetters = nested(fn.block.dead_letter_config)?.target_arn;
    if (typeof deadLetters === 'string')
      requests.push(this.delivery(this.resolve(deadLetters), 'Lambda (dead-letter queue of asynchronous invocations)'));
    for (const [, config] of resourcesOf(this.json, 'aws_lambda_function_event_invoke_config')) {
      if (this.resolve(String(config.function_name)) !== fn.name) continue;
      const destinations = nested(config.destination_config) ?? {};
      for (const outcome of ['on_success', 'on_failure']) {
        const destination = nested(destinations[outcome])?.destination;
        if (typeof destination === 'string') requests.push(this.delivery(this.resolve(destination), `Lambda (${outcome} destination)`));
      }
    }
    return requests;
  }

  private delivery(target: string, sentBy: string): AwsRequest {
    const { service } = parseArn(target);
    if (service === 'sqs') return awsRequest('sqs:SendMessage', target, sentBy);
    if (service === 'sns') return awsRequest('sns:Publish', target, sentBy);
    throw new Error(`${sentBy} sends to ${target}: only SQS and SNS are modelled`);
  }
}

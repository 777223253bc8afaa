/**
 * The files that turn the synthesized stack into a deployment on moto_server, beside the stack's own cdk.tf.json and
 * never inside it: the stack that is deployed is the synthesized one, and everything changed for moto is here.
 *
 * The provider pin is overridden rather than relaxed in the stack. The stack pins the exact hashicorp/aws version its
 * generated bindings (@cdktn/provider-aws) describe, so a real deploy runs the provider its attributes were generated
 * for; a range in the stack would let any deploy pick a provider the bindings were never generated against. The
 * override, used only here, admits the version the machine's mirror holds, and `terraform validate` then checks
 * the stack against that provider's schema.
 */
/** The parts of the synthesized JSON these files depend on. */
export interface SynthesizedStack {
  readonly terraform?: { readonly required_providers?: Record<string, { source?: string; version?: string }> };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, unknown>>;
}

/** The override file's name: Terraform merges `*_override.tf.json` over the other files of the folder. */
export const OVERRIDE_FILE = 'moto_override.tf.json';
/** Resources only the moto deployment has (the queues that stand in for EventBridge's delivery to Lambda). */
export const DELIVERY_FILE = 'moto_delivery.tf.json';

/**
 * Endpoint settings of the provider (its `endpoints` block) for each resource type prefix of the stack. A resource
 * type without an entry stops the deployment: its requests would go to AWS instead of moto.
 */
const ENDPOINT_OF_TYPE: ReadonlyArray<readonly [prefix: string, endpoint: string | null]> = [
  ['aws_cloudwatch_event_', 'events'],
  ['aws_cloudwatch_log_', 'logs'],
  ['aws_cloudwatch_', 'cloudwatch'],
  ['aws_dynamodb_', 'dynamodb'],
  ['aws_iam_policy_document', null],
  ['aws_iam_', 'iam'],
  ['aws_kms_', 'kms'],
  ['aws_lambda_', 'lambda'],
  ['aws_sns_', 'sns'],
  ['aws_sqs_', 'sqs'],
  ['aws_caller_identity', 'sts'],
  ['aws_partition', null],
  ['aws_region', null],
];

/** The provider endpoints the stack's resources and data sources need, STS always (the provider asks it who it is). */
export function endpointsFor(stack: SynthesizedStack): string[] {
  const types = [...Object.keys(stack.resource ?? {}), ...Object.keys(stack.data ?? {})];
  const endpoints = new Set(['sts']);
  for (const type of types) {
    const match = ENDPOINT_OF_TYPE.find(([prefix]) => type.startsWith(prefix));
    if (!match) throw new Error(`the moto deployment has no endpoint for ${type}: add its service to ENDPOINT_OF_TYPE in ${import.meta.url}`);
    if (match[1]) endpoints.add(match[1]);
  }
  return [...endpoints].sort();
}

/** An EventBridge target that invokes a function: moto cannot run one, so the delivery goes to a queue instead. */
export interface EventDelivery {
  /** The target's logical id in the stack. */
  readonly targetId: string;
  readonly functionName: string;
  /** Name of the queue that receives what EventBridge would deliver to the function. */
  readonly queueName: string;
  /** Logical id of that queue in the delivery file. */
  readonly queueId: string;
}

const LAMBDA_ARN_REF = /^\$\{aws_lambda_function\.([^.]+)\.arn\}$/;

/** The stack's EventBridge targets that are Lambda functions, each with the queue that takes its deliveries. */
export function eventDeliveries(stack: SynthesizedStack): EventDelivery[] {
  const functions = stack.resource?.aws_lambda_function ?? {};
  return Object.entries(stack.resource?.aws_cloudwatch_event_target ?? {}).flatMap(([targetId, target]) => {
    const functionId = LAMBDA_ARN_REF.exec(String(target.arn))?.[1];
    const functionName = functionId && functions[functionId]?.function_name;
    if (typeof functionName !== 'string') return [];
    return [{ targetId, functionName, queueName: deliveryQueueName(functionName), queueId: `moto_delivery_${functionId}` }];
  });
}

/** `<function>-deliveries`: one queue per function, whichever rules target it. */
const deliveryQueueName = (functionName: string): string => `${functionName}-deliveries`;

export interface OverrideOptions {
  /** moto_server's endpoint; without it the provider block stays as synthesized (enough to validate). */
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly providerVersion: string;
  /** Absolute path of the local state file. */
  readonly statePath: string;
}

/** Fake credentials: moto accepts any, and none of the machine's real ones is ever read. */
export const MOTO_CREDENTIALS = { accessKeyId: 'moto', secretAccessKey: 'moto' } as const;

/**
 * The override: the mirror's provider version, a local state file of the deployment's own (whatever backend the
 * stack declares), every endpoint on moto with fake credentials, the SQS event source mappings disabled (moto would
 * try to run the function in Docker on every message; the function runner polls instead) and EventBridge's Lambda
 * targets pointed at the delivery queues (moto's EventBridge cannot deliver to Lambda and answers PutEvents with
 * HTTP 500).
 */
export function overrideFile(stack: SynthesizedStack, options: OverrideOptions): Record<string, unknown> {
  const aws = stack.terraform?.required_providers?.aws;
  const mappings = Object.keys(stack.resource?.aws_lambda_event_source_mapping ?? {});
  const deliveries = eventDeliveries(stack);
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  if (mappings.length > 0) resource.aws_lambda_event_source_mapping = Object.fromEntries(mappings.map((id) => [id, { enabled: false }]));
  if (deliveries.length > 0) {
    resource.aws_cloudwatch_event_target = Object.fromEntries(deliveries.map((d) => [d.targetId, { arn: `\${aws_sqs_queue.${d.queueId}.arn}` }]));
  }
  return {
    terraform: {
      backend: { local: { path: options.statePath } },
      required_providers: { aws: { source: aws?.source ?? 'hashicorp/aws', version: options.providerVersion } },
    },
    ...(options.endpoint && {
      provider: {
        aws: [
          {
            region: options.region,
            access_key: MOTO_CREDENTIALS.accessKeyId,
            secret_key: MOTO_CREDENTIALS.secretAccessKey,
            skip_credentials_validation: true,
            skip_metadata_api_check: true,
            skip_region_validation: true,
            endpoints: [Object.fromEntries(endpointsFor(stack).map((service) => [service, options.endpoint]))],
          },
        ],
      },
    }),
    ...(Object.keys(resource).length > 0 && { resource }),
  };
}

/** The delivery queues, one per function an EventBridge rule targets; empty when there is none. */
export function deliveryFile(stack: SynthesizedStack): Record<string, unknown> | undefined {
  const queues = new Map(eventDeliveries(stack).map((d) => [d.queueId, d.queueName]));
  if (queues.size === 0) return undefined;
  return { resource: { aws_sqs_queue: Object.fromEntries([...queues].map(([id, name]) => [id, { name }])) } };
}

/** The provider version to use: the stack's pin when the mirror has it, else the mirror's newest. */
export function chooseProviderVersion(stack: SynthesizedStack, available: readonly string[]): string {
  const pinned = stack.terraform?.required_providers?.aws?.version;
  if (pinned && available.includes(pinned)) return pinned;
  const newest = available[0];
  if (!newest) throw new Error('the provider mirror holds no hashicorp/aws version');
  return newest;
}

/** A quoted HCL string: JSON's escapes, and template sequences escaped so that a path is taken as it is. */
const hclString = (value: string): string =>
  JSON.stringify(value)
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{');

/** A Terraform CLI configuration that installs hashicorp/aws from the mirror and nothing from anywhere else. */
export function cliConfig(mirrorPath: string): string {
  return [
    'disable_checkpoint = true',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${hclString(mirrorPath)}`,
    '    include = ["registry.terraform.io/hashicorp/aws"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

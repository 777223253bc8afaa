import { describe, expect, it } from 'vitest';
import {
  chooseProviderVersion,
  cliConfig,
  deliveryFile,
  endpointsFor,
  eventDeliveries,
  overrideFile,
  type SynthesizedStack,
} from '../../../src/infra/moto/terraform-files.js';
import { synthesizeInMemory } from '../synth.js';

const stack = () => synthesizeInMemory({ environmentSuffix: 'files' }).json as unknown as SynthesizedStack;
const options = { endpoint: 'http://127.0.0.1:5000', region: 'eu-west-1', providerVersion: '5.100.0', statePath: '/tmp/x/terraform.tfstate' };

describe('the files that put the synthesized stack on moto_server', () => {
  it('point every service the stack uses at moto, with fake credentials, and keep state in a file of their own', () => {
    const override = overrideFile(stack(), options) as {
      terraform: unknown;
      provider: { aws: Array<Record<string, unknown> & { endpoints: Array<Record<string, string>> }> };
    };
    expect(override.terraform).toEqual({
      backend: { local: { path: '/tmp/x/terraform.tfstate' } },
      required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
    });
    const [provider] = override.provider.aws;
    expect(provider).toMatchObject({ region: 'eu-west-1', access_key: 'moto', secret_key: 'moto', skip_credentials_validation: true });
    expect(Object.keys(provider!.endpoints[0]!).sort()).toEqual([
      'cloudwatch',
      'dynamodb',
      'events',
      'iam',
      'kms',
      'lambda',
      'logs',
      'sns',
      'sqs',
      'sts',
    ]);
    expect(new Set(Object.values(provider!.endpoints[0]!))).toEqual(new Set(['http://127.0.0.1:5000']));
  });

  it('leave the provider block as synthesized without an endpoint (validate only)', () => {
    expect(overrideFile(stack(), { ...options, endpoint: undefined })).not.toHaveProperty('provider');
  });

  it("disable the queue's event source mapping and send the bus rules' deliveries to a queue per function", () => {
    const json = stack();
    const override = overrideFile(json, options) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const [mapping] = Object.keys(json.resource!.aws_lambda_event_source_mapping!);
    expect(override.resource.aws_lambda_event_source_mapping).toEqual({ [mapping!]: { enabled: false } });
    const deliveries = eventDeliveries(json);
    expect(deliveries.map((d) => [d.functionName, d.queueName])).toEqual([
      ['market-processor-files', 'market-processor-files-deliveries'],
      ['market-processor-files', 'market-processor-files-deliveries'],
    ]);
    const queueId = deliveries[0]!.queueId;
    expect(Object.values(override.resource.aws_cloudwatch_event_target!)).toEqual([
      { arn: `\${aws_sqs_queue.${queueId}.arn}` },
      { arn: `\${aws_sqs_queue.${queueId}.arn}` },
    ]);
    expect(deliveryFile(json)).toEqual({ resource: { aws_sqs_queue: { [queueId]: { name: 'market-processor-files-deliveries' } } } });
  });

  it('refuse a resource type whose requests would go to AWS instead of moto', () => {
    expect(() => endpointsFor({ resource: { aws_s3_bucket: {} } })).toThrow(/no endpoint for aws_s3_bucket/);
    expect(endpointsFor({ data: { aws_partition: {} } })).toEqual(['sts']);
  });

  it("use the stack's pin when the mirror has it, else the mirror's newest", () => {
    const pinned = { terraform: { required_providers: { aws: { version: '6.66.0' } } } };
    expect(chooseProviderVersion(pinned, ['6.66.0', '5.100.0'])).toBe('6.66.0');
    expect(chooseProviderVersion(pinned, ['5.100.0', '5.99.1'])).toBe('5.100.0');
    expect(() => chooseProviderVersion(pinned, [])).toThrow(/no hashicorp\/aws version/);
  });

  it('install hashicorp/aws from the mirror and nothing from anywhere else', () => {
    expect(cliConfig('/opt/mirror ${x}')).toBe(
      [
        'disable_checkpoint = true',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/mirror $${x}"',
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});

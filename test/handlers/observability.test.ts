import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../src/adapters/aws/index.js';
import { createObservability, MetricUnit } from '../../src/handlers/observability.js';

/** The names of the middleware on a client's stack: the X-Ray SDK adds `XRaySDKInstrumentation` to trace its calls. */
const middlewareOf = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().join('\n');

describe('createObservability: tracing', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is off outside Lambda: the client is returned untouched, and no X-Ray daemon is ever needed', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', undefined);
    const { tracer, traced } = createObservability('data-processor', {});
    expect(tracer.isTracingEnabled()).toBe(false);
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(traced(client)).toBe(client);
    expect(middlewareOf(client)).not.toContain('XRaySDKInstrumentation');
  });

  it('is off in Lambda when POWERTOOLS_TRACE_ENABLED=false', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    const { tracer, traced } = createObservability('data-processor', {});
    expect(tracer.isTracingEnabled()).toBe(false);
    const client = new SNSClient({ region: 'us-east-1' });
    expect(middlewareOf(traced(client))).not.toContain('XRaySDKInstrumentation');
  });

  it('records the AWS calls of the clients it is given in Lambda, document clients included', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', undefined);
    const { tracer, traced } = createObservability('market-processor', {});
    expect(tracer.isTracingEnabled()).toBe(true);
    const sns = new SNSClient({ region: 'us-east-1' });
    expect(traced(sns)).toBe(sns);
    expect(middlewareOf(sns)).toContain('XRaySDKInstrumentation');
    // The document client shares its DynamoDB client's middleware stack: capturing it traces the calls of both.
    const raw = new DynamoDBClient({ region: 'us-east-1' });
    traced(createDocumentClient(raw));
    expect(middlewareOf(raw)).toContain('XRaySDKInstrumentation');
  });
});

describe('createObservability: metrics', () => {
  let output: string[];
  beforeEach(() => {
    output = [];
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    // In dev mode Powertools writes through the global console, one call per structured line.
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void output.push(String(line)));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  const emit = (env: NodeJS.ProcessEnv) => {
    const { metrics } = createObservability('data-processor', env);
    metrics.addMetric('FailedMessages', MetricUnit.Count, 2);
    metrics.addMetric('TicksReceived', MetricUnit.Count, 25);
    metrics.publishStoredMetrics();
    return output.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => '_aws' in line)!;
  };

  // The stack's alarms name exactly these dimensions (test/infra/stack.test.ts): a metric with any other set is another metric.
  it('emits namespace MarketData with the dimensions service (base name) and environment (ENVIRONMENT)', () => {
    expect(emit({ ENVIRONMENT: 'dev' })).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'MarketData',
            Dimensions: [['service', 'environment']],
            Metrics: [
              { Name: 'FailedMessages', Unit: 'Count' },
              { Name: 'TicksReceived', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'data-processor',
      environment: 'dev',
      FailedMessages: 2,
      TicksReceived: 25,
    });
  });

  it('keeps the service name given even when POWERTOOLS_SERVICE_NAME says otherwise', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'something-else');
    expect(emit({ ENVIRONMENT: 'pr42' })).toMatchObject({ service: 'data-processor', environment: 'pr42' });
  });

  it('has the service dimension alone where no environment is known (the local runtime)', () => {
    const line = emit({});
    expect((line._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(line).not.toHaveProperty('environment');
  });
});

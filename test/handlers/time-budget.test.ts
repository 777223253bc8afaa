import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SETTINGS, SnsNotifier, createDocumentClient } from '../../src/adapters/aws/index.js';
import { createDataProcessorHandler } from '../../src/handlers/data-processor.js';
import { alertingConfigFrom } from '../../src/handlers/config.js';
import { SAFETY_MARGIN_MS } from '../../src/handlers/time-budget.js';
import { alertingPorts } from '../../src/handlers/wiring.js';
import { TEST_CREDENTIALS } from '../support/dynamo.js';
import { TOPIC_ARN } from '../support/handler-env.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../support/lambda.js';

/** Accepts connections and never answers: a stalled service. */
async function stalledEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('bounded calls', () => {
  let stalled: Awaited<ReturnType<typeof stalledEndpoint>>;
  beforeAll(async () => (stalled = await stalledEndpoint()));
  afterAll(async () => stalled.close());

  it('makes one SDK attempt per call and cuts each call off within its timeout', () => {
    expect(CLIENT_SETTINGS).toEqual({
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
    });
  });

  it('reports every message as failed before the function times out when DynamoDB never answers', async () => {
    const env = {
      ENVIRONMENT: 'test',
      ALERTS_TABLE: 'market-alerts-test',
      ALERT_RULES_TABLE: 'alert-rules-test',
      TRADING_ALERTS_TOPIC_ARN: TOPIC_ARN,
    };
    const client = (endpoint: string) => ({ ...CLIENT_SETTINGS, endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const documents = createDocumentClient(new DynamoDBClient(client(stalled.url)));
    const notifier = new SnsNotifier(new SNSClient(client(stalled.url)), TOPIC_ARN, 'test');
    const run = createDataProcessorHandler({
      ports: alertingPorts(alertingConfigFrom(env), documents, notifier),
      observability: { logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'test' }) },
    });
    const records = [sqsRecord('{"symbol":"AAPL","price":155}'), sqsRecord('{"symbol":"MSFT","price":100}')];
    // The function has 4.5 s left; the handler keeps 3 s of it back, so 1.5 s of budget for the calls.
    const remaining = SAFETY_MARGIN_MS + 1_500;
    const started = Date.now();
    const response = await run(sqsEvent(records), lambdaContext(remaining));
    expect(Date.now() - started).toBeLessThan(remaining);
    expect(response).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
  });
});

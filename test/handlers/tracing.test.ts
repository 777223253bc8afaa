import { execFileSync, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLES } from '../../src/resources/index.js';
import { startLocalDynamo, TEST_CREDENTIALS, type LocalDynamo } from '../support/dynamo.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const BUNDLE = resolve(LAMBDA_BUNDLES.dataProcessor, 'index.mjs');
const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT_ID = '53995c3f42cd8ad8';

/** One invocation of the built data-processor bundle in a process set up as the Lambda runtime sets one up with active tracing. */
function invokeInLambda(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(BUNDLE).href)});
    const context = { functionName: 'data-processor-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 };
    const record = (id, body) => ({ messageId: id, receiptHandle: id, body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) }, messageAttributes: {}, eventSource: 'aws:sqs' });
    const response = await handler({ Records: [record('m-1', '{"symbol":"AAPL","price":100}')] }, context);
    process.stdout.write(JSON.stringify(response));
  `;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: COMMAND_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The handler bundle with X-Ray active tracing: what Lambda runs once the stack sets tracing_config to Active. */
describe('data-processor bundle with active tracing', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let db: LocalDynamo;
  let daemon: Socket;
  let documents: Array<Record<string, unknown>>;
  let lambdaEnv: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) execFileSync(process.execPath, ['scripts/build.mjs'], { timeout: COMMAND_TIMEOUT_MS });
    db = await startLocalDynamo();
    // Stands in for the X-Ray daemon: the SDK sends each segment document as one UDP datagram, after a JSON header line.
    daemon = createSocket('udp4');
    daemon.on('message', (message) => documents.push(JSON.parse(message.toString().split('\n')[1]!) as Record<string, unknown>));
    await new Promise<void>((ready) => daemon.bind(0, '127.0.0.1', ready));
    lambdaEnv = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      ENVIRONMENT: 'test',
      ALERTS_TABLE: db.names.alertsTable,
      ALERT_RULES_TABLE: db.names.alertRulesTable,
      TRADING_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:trading-alerts-test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // What the Lambda runtime sets for a function with active tracing.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_LAMBDA_FUNCTION_NAME: 'data-processor-test',
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${PARENT_ID};Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    };
  }, SLOW_TEST_TIMEOUT_MS);
  afterAll(async () => {
    daemon.close();
    await db.close();
  });

  const collect = async (env: Record<string, string>) => {
    documents = [];
    const result = await invokeInLambda(env);
    // Datagrams on loopback arrive at once; give the event loop a moment to deliver them.
    await new Promise((settle) => setTimeout(settle, 200));
    return result;
  };

  it('records each DynamoDB call as a subsegment of the invocation and still answers the batch', async () => {
    const { code, stdout, stderr } = await collect(lambdaEnv);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
    expect(documents).toContainEqual(
      expect.objectContaining({
        type: 'subsegment',
        name: 'DynamoDB',
        namespace: 'aws',
        trace_id: TRACE_ID,
        parent_id: PARENT_ID,
        aws: expect.objectContaining({ operation: 'BatchGetItem', table_names: [db.names.alertRulesTable] }),
      }),
    );
  });

  it('sends nothing when POWERTOOLS_TRACE_ENABLED=false', async () => {
    const { code, stdout } = await collect({ ...lambdaEnv, POWERTOOLS_TRACE_ENABLED: 'false' });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
    expect(documents).toEqual([]);
  });
});

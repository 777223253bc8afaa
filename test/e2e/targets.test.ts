import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAwsJson, type FakeAwsJson } from '../support/aws-json-fake.js';
import { marketData } from '../support/cli.js';

/** Every command sends to the endpoint the user named, for every service it calls, and to nothing else. */
describe('market-data against the endpoint it is given', () => {
  let home: string;
  let fake: FakeAwsJson;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-targets-'));
    fake = await startFakeAwsJson([{ MessageId: 'm-1', Body: '{"symbol":"\u001b[31mEVIL\u001b]0;title\u0007","price":0}' }]);
    env = { MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'e2e', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };
  });
  afterAll(async () => {
    await fake.close();
    await rm(home, { recursive: true, force: true });
  });

  it('dlq list peeks at SQS on --endpoint, and shows message bodies with their control characters made visible', async () => {
    fake.calls.length = 0;
    const { code, stdout, stderr } = await marketData(['dlq', 'list', '--queue', 'ticks', '--endpoint', fake.endpoint], env);
    expect([code, stderr]).toEqual([0, '']);
    expect(fake.calls.map((c) => c.target).slice(0, 2)).toEqual(['AmazonSQS.GetQueueUrl', 'AmazonSQS.ReceiveMessage']);
    expect(fake.calls[0]!.body).toEqual({ QueueName: 'market-data-dlq-e2e' });
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toContain('body: {"symbol":"\\x1b[31mEVIL\\x1b]0;title\\x07","price":0}');
  });

  it('dlq redrive starts SQS redrive on --endpoint', async () => {
    fake.calls.length = 0;
    const { code, stdout } = await marketData(['dlq', 'redrive', '--queue', 'ticks', '--endpoint', fake.endpoint], env);
    expect(code).toBe(0);
    expect(fake.calls.map((c) => c.target)).toEqual(['AmazonSQS.GetQueueUrl', 'AmazonSQS.GetQueueAttributes', 'AmazonSQS.StartMessageMoveTask']);
    expect(stdout).toBe('redrive started from arn:aws:sqs:us-east-1:000000000000:market-data-dlq-e2e (task task-1)\n');
  });

  it('publish sends ticks to SQS and events to EventBridge, both on --endpoint', async () => {
    fake.calls.length = 0;
    const file = join(home, 'mixed.jsonl');
    await writeFile(file, '{"symbol":"AAPL","price":1}\n{"source":"market.data","detail-type":"Trade Execution","detail":{"symbol":"AAPL"}}\n');
    const { code, stdout } = await marketData(['publish', file, '--endpoint', fake.endpoint], env);
    expect(code).toBe(0);
    expect(fake.calls.map((c) => c.target).sort()).toEqual(['AWSEvents.PutEvents', 'AmazonSQS.GetQueueUrl', 'AmazonSQS.SendMessageBatch']);
    expect(stdout).toContain('published 1 ticks to market-data-queue-e2e and 1 events to market-data-bus-e2e; 0 failed');
  });

  it('refuses an outputs file that points requests at another host, or plain HTTP off this machine', async () => {
    const outputs = join(home, 'outputs.json');
    await writeFile(
      outputs,
      JSON.stringify({ sqs_queue_url: 'https://collector.example/000000000000/market-data-queue-e2e', aws_region: 'us-east-1' }),
    );
    const elsewhere = await marketData(['publish', 'src/local/sample/session.jsonl', '--outputs', outputs], env);
    expect([elsewhere.code, elsewhere.stderr]).toEqual([
      1,
      `error: ${outputs}: sqs_queue_url: https://collector.example is not an AWS SQS endpoint (https://sqs.<region>.amazonaws.com); to use another server, name it with --endpoint\n`,
    ]);
    const plain = await marketData(['alerts', '--endpoint', 'http://192.0.2.10:4566'], env);
    expect([plain.code, plain.stderr]).toEqual([
      1,
      'error: --endpoint: plain HTTP is only for this machine (localhost, 127.0.0.1, [::1]); use https:// for 192.0.2.10:4566\n',
    ]);
    const viaEnv = await marketData(['alerts', '--aws'], { ...env, AWS_ENDPOINT_URL: 'http://192.0.2.10:4566' });
    expect(viaEnv.stderr).toBe(
      'error: AWS_ENDPOINT_URL: plain HTTP is only for this machine (localhost, 127.0.0.1, [::1]); use https:// for 192.0.2.10:4566\n',
    );
    // A queue on the endpoint the user named is fine, and requests go there.
    await writeFile(outputs, JSON.stringify({ sqs_queue_url: `${fake.endpoint}/000000000000/q`, aws_region: 'us-east-1', event_bus_name: 'b' }));
    fake.calls.length = 0;
    const named = await marketData(['publish', 'src/local/sample/session.jsonl', '--outputs', outputs, '--endpoint', fake.endpoint, '--json'], env);
    expect(JSON.parse(named.stdout)).toMatchObject({ queueUrl: `${fake.endpoint}/000000000000/q`, busName: 'b', ticksSent: 294 });
    expect(fake.calls.filter((c) => c.target === 'AmazonSQS.SendMessageBatch').length).toBeGreaterThan(0);
  });

  it('a closed port without credentials is reported as a closed port', async () => {
    const noCredentials = {
      MARKET_DATA_HOME: home,
      ENVIRONMENT_SUFFIX: 'e2e',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };
    for (const args of [['alerts'], ['dlq', 'list']]) {
      const { code, stderr } = await marketData([...args, '--endpoint', 'http://127.0.0.1:9'], noCredentials);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: cannot reach (DynamoDB|SQS) at http:\/\/127\.0\.0\.1:9 \(no connection\)/);
    }
  });
});

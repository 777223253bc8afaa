import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultRuleOf } from '../../src/app/default-rule.js';
import { describeFailure } from '../../src/cli/failures.js';
import { marketData } from '../support/cli.js';

/** An endpoint that answers, but not as AWS: every request gets a web server's HTML error page. */
describe('market-data against an endpoint that does not answer in an AWS protocol', () => {
  let server: Server;
  let endpoint: string;
  let home: string;
  const requests: string[] = [];
  const env = () => ({ MARKET_DATA_HOME: home, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-non-aws-'));
    server = createServer((request, response) => {
      requests.push(String(request.headers['x-amz-target'] ?? request.url));
      request.resume();
      response.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(home, { recursive: true, force: true });
  });

  const oneLine = (stderr: string) => {
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).not.toMatch(/\$response|Deserialization|doctype|Unexpected token/);
  };
  const answered = (service: string) =>
    `${service} at ${endpoint} answered HTTP 500 with a non-AWS response (text/html): the server there failed, or is not an AWS-compatible endpoint`;

  it('publish of an event says which service answered what, in one line per failure, and sends nothing more', async () => {
    const file = join(home, 'event.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ source: 'market.data', 'detail-type': 'Trade Execution', detail: { exchange: 'NYSE', symbol: 'MSFT', price: 45, volume: 1 } })}\n`,
    );
    const { code, stderr } = await marketData(['publish', file, '--endpoint', endpoint, '--bus-name', 'market-data-bus-x'], env());
    expect(code).toBe(1);
    expect(stderr).toBe(`line 1 (event): ${answered('EventBridge')}\nerror: publishing stopped: ${answered('EventBridge')}\n`);
  });

  it('publish of a tick to a queue URL on that endpoint names SQS', async () => {
    const file = join(home, 'tick.jsonl');
    await writeFile(file, '{"symbol":"AAPL","price":155}\n');
    const queueUrl = `${endpoint}/123456789012/market-data-queue-x`;
    const { code, stderr } = await marketData(['publish', file, '--endpoint', endpoint, '--queue-url', queueUrl], env());
    expect(code).toBe(1);
    expect(stderr).toBe(`line 1 (tick): ${answered('SQS')}\nerror: publishing stopped: ${answered('SQS')}\n`);
  });

  it.each([
    ['alerts', ['alerts'], 'DynamoDB'],
    ['rules list', ['rules', 'list'], 'DynamoDB'],
    ['dlq list', ['dlq', 'list'], 'SQS'],
  ])('%s: one line naming the service that answered', async (_name, args, service) => {
    const { code, stderr } = await marketData([...args, '--endpoint', endpoint, '--env', 'x'], env());
    expect(code).toBe(1);
    oneLine(stderr);
    expect(stderr).toContain(answered(service));
    expect(stderr).toMatch(/^error: /);
  });

  it("the deployed function's default rule, read from Lambda at that endpoint, fails naming Lambda", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    try {
      const failure = await defaultRuleOf({ kind: 'aws', environment: 'x', region: 'us-east-1' }).catch((error: unknown) => error);
      expect(describeFailure(failure)).toBe(answered('Lambda'));
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

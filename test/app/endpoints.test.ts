import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  checkEndpoint,
  checkEnvironmentEndpoints,
  checkQueueUrl,
  checkRegion,
  endpointOf,
  reachable,
  tellConnectionFromCredentials,
} from '../../src/app/endpoints.js';
import { describeFailure } from '../../src/cli/failures.js';

describe('endpoints the CLI may send signed requests to', () => {
  it('allows HTTPS anywhere and plain HTTP only to this machine', () => {
    expect(checkEndpoint('https://localstack.example:4566', '--endpoint').host).toBe('localstack.example:4566');
    for (const local of ['http://127.0.0.1:4566', 'http://localhost:8000', 'http://[::1]:8000', 'http://127.3.2.1'])
      expect(() => checkEndpoint(local, '--endpoint')).not.toThrow();
    expect(() => checkEndpoint('http://10.0.0.5:4566', '--endpoint')).toThrow(
      '--endpoint: plain HTTP is only for this machine (localhost, 127.0.0.1, [::1]); use https:// for 10.0.0.5:4566',
    );
    expect(() => checkEndpoint('http://127.0.0.1.evil.example', '--endpoint')).toThrow('plain HTTP is only for this machine');
    expect(() => checkEndpoint('ftp://127.0.0.1', '--endpoint')).toThrow('--endpoint: "ftp://127.0.0.1" must be an http:// or https:// URL');
    expect(() => checkEndpoint('not a url', 'AWS_ENDPOINT_URL')).toThrow('AWS_ENDPOINT_URL: "not a url" is not a URL');
  });

  it('takes a queue URL from an outputs file only when it is AWS SQS over HTTPS, or on the endpoint the user named', () => {
    expect(checkQueueUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'f: sqs_queue_url')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
    );
    expect(checkQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/1/q', 'f')).toContain('amazonaws.com.cn');
    expect(() => checkQueueUrl('https://attacker.example/123/q', 'f: sqs_queue_url')).toThrow(
      'f: sqs_queue_url: https://attacker.example is not an AWS SQS endpoint (https://sqs.<region>.amazonaws.com); to use another server, name it with --endpoint',
    );
    expect(() => checkQueueUrl('https://sqs.us-east-1.amazonaws.com.attacker.example/1/q', 'f')).toThrow('is not an AWS SQS endpoint');
    expect(() => checkQueueUrl('http://sqs.us-east-1.amazonaws.com/1/q', 'f')).toThrow('plain HTTP is only for this machine');
    expect(checkQueueUrl('http://127.0.0.1:4566/000000000000/q', 'f', 'http://127.0.0.1:4566')).toBe('http://127.0.0.1:4566/000000000000/q');
    expect(() => checkQueueUrl('http://127.0.0.1:9999/0/q', 'f', 'http://127.0.0.1:4566')).toThrow('is not an AWS SQS endpoint');
  });

  it('accepts only region names that are region names', () => {
    expect(checkRegion('us-gov-west-1', 'r')).toBe('us-gov-west-1');
    expect(() => checkRegion('evil.example/x', 'f: aws_region')).toThrow(
      'f: aws_region: "evil.example/x" is not an AWS region name (like us-east-1)',
    );
  });

  it('finds the endpoint of a service as the SDK does, --endpoint first', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2' };
    expect(endpointOf('SQS', undefined, env)).toBe('http://127.0.0.1:2');
    expect(endpointOf('DynamoDB', undefined, env)).toBe('http://127.0.0.1:1');
    expect(endpointOf('SQS', 'http://127.0.0.1:3', env)).toBe('http://127.0.0.1:3');
    expect(endpointOf('SQS', undefined, {})).toBeUndefined();
    expect(() => checkEnvironmentEndpoints({ AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://192.168.1.9' })).toThrow(
      'AWS_ENDPOINT_URL_EVENTBRIDGE: plain HTTP is only for this machine',
    );
    expect(() => checkEnvironmentEndpoints({ AWS_ENDPOINT_URL_LAMBDA: 'http://192.168.1.9' })).toThrow(
      'AWS_ENDPOINT_URL_LAMBDA: plain HTTP is only for this machine',
    );
  });

  it('tells a closed port from missing credentials', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    expect(await reachable(open)).toBe(false);
    const noCredentials = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: open, credentials: noCredentials });
    tellConnectionFromCredentials(client, 'DynamoDB', open);
    const closed = await client.send(new ListTablesCommand({})).catch((e: unknown) => e);
    expect(describeFailure(closed)).toBe(
      `cannot reach DynamoDB at ${open} (no connection): check the endpoint (--endpoint, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) and that the server is running`,
    );
    const listening = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const up = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    try {
      const other = new DynamoDBClient({ region: 'us-east-1', endpoint: up, credentials: noCredentials });
      tellConnectionFromCredentials(other, 'DynamoDB', up);
      const error = await other.send(new ListTablesCommand({})).catch((e: unknown) => e);
      expect(describeFailure(error)).toMatch(/^AWS rejected or could not find credentials \(Could not load credentials from any providers\)/);
    } finally {
      await new Promise((resolve) => listening.close(resolve));
    }
  });
});

import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/app/errors.js';
import { queueUrlByName } from '../../src/app/queue-url.js';
import { UserError } from '../../src/shared/user-error.js';

describe('a deployed queue by its name', () => {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // Only this instance is mocked.
  const mock = mockClient(sqs);
  const where = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566', alternatives: '--outputs' };
  beforeEach(() => mock.reset());

  it('returns the URL SQS gives for the name', async () => {
    mock
      .on(GetQueueUrlCommand, { QueueName: 'market-data-dlq-dev' })
      .resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/market-data-dlq-dev' });
    expect(await queueUrlByName(sqs, 'market-data-dlq-dev', where)).toBe('https://sqs.eu-west-1.amazonaws.com/1/market-data-dlq-dev');
  });

  it('says how to fix a queue that does not exist, however SQS names the error', async () => {
    const message = 'queue market-data-dlq-dev does not exist in eu-west-1: deploy the stack (npm run deploy), or pass --outputs';
    mock.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    await expect(queueUrlByName(sqs, 'market-data-dlq-dev', where)).rejects.toEqual(new UserError(message));
    mock
      .on(GetQueueUrlCommand)
      .rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'AWS.SimpleQueueService.NonExistentQueue' }));
    await expect(queueUrlByName(sqs, 'market-data-dlq-dev', where)).rejects.toEqual(new UserError(message));
  });

  it('reports any other failure, or an answer without a URL, as a failure of the service it asked', async () => {
    mock.on(GetQueueUrlCommand).rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }));
    const denied = await queueUrlByName(sqs, 'q', where).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(ServiceError);
    expect(denied).toMatchObject({ message: 'Access to the resource is denied.', context: { service: 'SQS', endpoint: 'http://127.0.0.1:4566' } });
    mock.on(GetQueueUrlCommand).resolves({});
    await expect(queueUrlByName(sqs, 'q', where)).rejects.toThrow('GetQueueUrl returned no URL for q');
  });
});

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** e.g. AmazonSQS.GetQueueUrl, AWSEvents.PutEvents */
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string;
}

export interface FakeAwsJson {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

/** Messages a ReceiveMessage hands out. */
export interface FakeMessage {
  readonly MessageId: string;
  readonly Body: string;
}

/**
 * A recording endpoint on 127.0.0.1 for the AWS JSON protocol that SQS and EventBridge speak: it answers the calls
 * the CLI makes (GetQueueUrl, ReceiveMessage, SendMessageBatch, PutEvents, GetQueueAttributes, StartMessageMoveTask),
 * so a test can see which service a command sent to which endpoint.
 */
export async function startFakeAwsJson(messages: readonly FakeMessage[] = []): Promise<FakeAwsJson> {
  const calls: RecordedCall[] = [];
  // The SDK checks the MD5 of every message body it sends or receives.
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  let endpoint = '';
  const answer = (target: string, body: Record<string, unknown>): unknown => {
    switch (target) {
      case 'AmazonSQS.GetQueueUrl':
        return { QueueUrl: `${endpoint}/000000000000/${String(body.QueueName)}` };
      case 'AmazonSQS.ReceiveMessage':
        // Every message once, then nothing: enough for a peek that stops after empty rounds.
        return {
          Messages:
            calls.filter((c) => c.target === target).length === 1
              ? messages.map((m) => ({ ...m, MD5OfBody: md5(m.Body), Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1' } }))
              : [],
        };
      case 'AmazonSQS.SendMessageBatch':
        return {
          Successful: (body.Entries as { Id: string; MessageBody: string }[]).map((e) => ({
            Id: e.Id,
            MessageId: `m-${e.Id}`,
            MD5OfMessageBody: md5(e.MessageBody),
          })),
          Failed: [],
        };
      case 'AmazonSQS.GetQueueAttributes':
        return { Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:market-data-dlq-e2e' } };
      case 'AmazonSQS.StartMessageMoveTask':
        return { TaskHandle: 'task-1' };
      case 'AWSEvents.PutEvents':
        return { FailedEntryCount: 0, Entries: (body.Entries as unknown[]).map((_, i) => ({ EventId: `e-${i}` })) };
      default:
        return undefined;
    }
  };
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      calls.push({ target, body, authorization: String(request.headers.authorization ?? '') });
      const result = answer(target, body);
      if (result === undefined) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'InvalidAction', message: target }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

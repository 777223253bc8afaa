import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface FakeSqs {
  readonly endpoint: string;
  readonly sent: SentMessage[];
  close(): Promise<void>;
}

/** A recording SQS endpoint on 127.0.0.1 that accepts SendMessage (AWS JSON protocol), for AWS_ENDPOINT_URL_SQS. */
export async function startFakeSqs(): Promise<FakeSqs> {
  const sent: SentMessage[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1);
      if (action !== 'SendMessage') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'InvalidAction', message: action }));
        return;
      }
      const input = JSON.parse(body) as { QueueUrl: string; MessageBody: string; MessageAttributes?: Record<string, { StringValue: string }> };
      sent.push({
        queueUrl: input.QueueUrl,
        body: input.MessageBody,
        attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
      });
      // The SDK checks the body's MD5 against the answer.
      const md5 = createHash('md5').update(input.MessageBody).digest('hex');
      response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: md5 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

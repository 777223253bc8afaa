import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PublishedEntry {
  readonly topicArn: string;
  readonly id: string;
  readonly message: string;
  readonly attributes: Record<string, string>;
}

export interface FakeSns {
  readonly endpoint: string;
  readonly published: PublishedEntry[];
  close(): Promise<void>;
}

/** Entries of one PublishBatch request in the SNS query protocol (form-encoded, `.member.N.` lists). */
function entriesOf(form: URLSearchParams): PublishedEntry[] {
  const topicArn = form.get('TopicArn') ?? '';
  const entries: PublishedEntry[] = [];
  for (let n = 1; form.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
    const prefix = `PublishBatchRequestEntries.member.${n}`;
    const attributes: Record<string, string> = {};
    for (let a = 1; form.has(`${prefix}.MessageAttributes.entry.${a}.Name`); a++) {
      attributes[form.get(`${prefix}.MessageAttributes.entry.${a}.Name`)!] =
        form.get(`${prefix}.MessageAttributes.entry.${a}.Value.StringValue`) ?? '';
    }
    entries.push({ topicArn, id: form.get(`${prefix}.Id`)!, message: form.get(`${prefix}.Message`) ?? '', attributes });
  }
  return entries;
}

/** A recording SNS endpoint on 127.0.0.1 that accepts PublishBatch, for bundles configured by AWS_ENDPOINT_URL_SNS. */
export async function startFakeSns(): Promise<FakeSns> {
  const published: PublishedEntry[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      if (form.get('Action') !== 'PublishBatch') {
        response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code></Error></ErrorResponse>');
        return;
      }
      const entries = entriesOf(form);
      published.push(...entries);
      const members = entries.map((e) => `<member><Id>${e.id}</Id><MessageId>msg-${published.length}-${e.id}</MessageId></member>`).join('');
      response
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${members}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>`,
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

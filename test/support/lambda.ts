import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

/** A Lambda context with the given time left. */
export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-fn',
    memoryLimitInMB: '128',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

let n = 0;
export function sqsRecord(body: string, sentTimestamp = Date.now()): SQSRecord {
  n++;
  return {
    messageId: `msg-${n}`,
    receiptHandle: `rh-${n}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sentTimestamp),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(sentTimestamp),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:market-data-queue-test',
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export function marketEvent(id: string, detailType: string, detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id,
    source: 'market.data',
    'detail-type': detailType,
    account: '123456789012',
    time: new Date(Date.now() - 1000).toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLES } from '../../src/resources/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { EVENTS_DLQ_URL, useHandlerEnvironment } from '../support/handler-env.js';
import { lambdaContext, marketEvent, sqsEvent, sqsRecord } from '../support/lambda.js';
import { startFakeSns, type FakeSns } from '../support/sns-fake.js';
import { startFakeSqs, type FakeSqs } from '../support/sqs-fake.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const bundle = (dir: string) => resolve(dir, 'index.mjs');

/** The built artifacts the stack deploys, pointed at local endpoints by standard SDK configuration alone. */
describe('handler bundles', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let db: LocalDynamo;
  let sns: FakeSns;
  let sqs: FakeSqs;

  beforeAll(async () => {
    if (!Object.values(LAMBDA_BUNDLES).every((dir) => existsSync(bundle(dir))))
      execFileSync(process.execPath, ['scripts/build.mjs'], { timeout: COMMAND_TIMEOUT_MS });
    db = await startLocalDynamo();
    sns = await startFakeSns();
    sqs = await startFakeSqs();
    useHandlerEnvironment(db);
    process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
    process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  }, SLOW_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await sns.close();
    await sqs.close();
    await db.close();
  });

  it('data-processor: processes an SQS batch end to end', async () => {
    const { handler } = (await import(pathToFileURL(bundle(LAMBDA_BUNDLES.dataProcessor)).href)) as {
      handler: (e: unknown, c: unknown) => Promise<unknown>;
    };
    const bad = sqsRecord('{"symbol":"AAPL"}');
    const response = await handler(sqsEvent([sqsRecord('{"symbol":"AAPL","price":155.25}'), bad]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(await db.scan(db.names.alertsTable)).toEqual([expect.objectContaining({ symbol: 'AAPL', alert_type: 'HIGH', price: 155.25 })]);
    expect(sns.published).toEqual([
      expect.objectContaining({
        attributes: expect.objectContaining({ symbol: 'AAPL', alert_type: 'HIGH' }),
        topicArn: process.env.TRADING_ALERTS_TOPIC_ARN,
      }),
    ]);
  });

  it('market-processor: stores and audits an EventBridge trade', async () => {
    const { handler } = (await import(pathToFileURL(bundle(LAMBDA_BUNDLES.marketProcessor)).href)) as {
      handler: (e: unknown, c: unknown) => Promise<unknown>;
    };
    const result = await handler(
      marketEvent('evt-b1', 'Trade Execution', { exchange: 'NYSE', symbol: 'MSFT', price: 40, volume: 10 }),
      lambdaContext(),
    );
    expect(result).toEqual({ status: 'processed', eventId: 'evt-b1', stored: 'created', alertIds: [expect.any(String)] });
    expect(await db.scan(db.names.marketDataTable)).toEqual([expect.objectContaining({ event_id: 'evt-b1' })]);
    expect(sns.published.map((p) => p.attributes.symbol)).toContain('MSFT');
  });

  it("market-processor: stores numbers beyond 2^53 exactly as received, and raises the trade's alert", async () => {
    const { handler } = (await import(pathToFileURL(bundle(LAMBDA_BUNDLES.marketProcessor)).href)) as {
      handler: (e: unknown, c: unknown) => Promise<unknown>;
    };
    const detail = JSON.parse(
      '{"exchange":"NYSE","symbol":"ORCL","price":151,"volume":10,"extra":[9007199254740992,1e16,-1e16,9.99e125,12345678901234567890123456789012345678]}',
    ) as Record<string, unknown>;
    const result = await handler(marketEvent('evt-b3', 'Trade Execution', detail), lambdaContext());
    expect(result).toEqual({ status: 'processed', eventId: 'evt-b3', stored: 'created', alertIds: [expect.any(String)] });
    const [stored] = (await db.scan(db.names.marketDataTable)).filter((i) => i.event_id === 'evt-b3');
    expect(stored?.detail).toStrictEqual({ ...detail, extra: [9007199254740992, 1e16, -1e16, 9.99e125, 1.2345678901234568e37] });
    const [published] = sns.published.filter((p) => p.attributes.symbol === 'ORCL');
    expect(JSON.parse(published!.message)).toMatchObject({ symbol: 'ORCL', alert_type: 'HIGH', price: 151, threshold: 150 });
  });

  it('market-processor: sends an invalid event to the events DLQ with its reason, and succeeds', async () => {
    const { handler } = (await import(pathToFileURL(bundle(LAMBDA_BUNDLES.marketProcessor)).href)) as {
      handler: (e: unknown, c: unknown) => Promise<unknown>;
    };
    const event = marketEvent('evt-b2', 'Trade Execution', { exchange: 'NYSE', symbol: 'MSFT', price: 1e-13, volume: 10 });
    expect(await handler(event, lambdaContext())).toEqual({ status: 'rejected', eventId: 'evt-b2', reason: 'detail.price: must be at least 1e-12' });
    expect(sqs.sent).toEqual([
      {
        queueUrl: EVENTS_DLQ_URL,
        body: JSON.stringify(event),
        attributes: { ErrorCode: 'InvalidEvent', ErrorMessage: 'detail.price: must be at least 1e-12', EventId: 'evt-b2' },
      },
    ]);
  });
});

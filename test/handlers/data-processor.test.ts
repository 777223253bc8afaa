import { PipelineFailure } from '../../src/pipeline/failures.js';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../src/adapters/aws/index.js';
import { createDataProcessorHandler, handler } from '../../src/handlers/data-processor.js';
import { SAFETY_MARGIN_MS } from '../../src/handlers/time-budget.js';
import { alertingConfigFrom } from '../../src/handlers/config.js';
import { alertingPorts } from '../../src/handlers/wiring.js';
import { DEFAULTS } from '../../src/resources/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { TOPIC_ARN, useHandlerEnvironment } from '../support/handler-env.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../support/lambda.js';
import { capturedLogs } from '../support/captured-logs.js';

const tick = (symbol: string, price: number, offsetMs = 0) => sqsRecord(JSON.stringify({ symbol, price }), Date.now() - 60_000 + offsetMs);

describe('data-processor handler', () => {
  let db: LocalDynamo;
  const sns = mockClient(SNSClient);
  const alertItems = () => db.scan(db.names.alertsTable);

  beforeAll(async () => {
    db = await startLocalDynamo();
    useHandlerEnvironment(db);
  });
  afterAll(async () => {
    sns.restore();
    await db.close();
  });
  beforeEach(() => {
    sns.reset();
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('acknowledges valid messages and reports only the invalid ones as batch item failures', async () => {
    const records = [tick('AAPL', 155.25), sqsRecord('{oops'), tick('MSFT', 100), sqsRecord('{"symbol":"IBM","price":"NaN"}'), tick('GE', 20)];
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }, { itemIdentifier: records[3]!.messageId }] });
    expect((await alertItems()).map((i) => `${i.symbol}:${i.alert_type}:${i.environment}`).sort()).toEqual(['AAPL:HIGH:test', 'GE:LOW:test']);
    const published = sns.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(sns.commandCalls(PublishBatchCommand)[0]!.args[0].input.TopicArn).toBe(TOPIC_ARN);
    expect(published.map((e) => e.MessageAttributes?.symbol?.StringValue).sort()).toEqual(['AAPL', 'GE']);
  });

  it('keeps tick prices to the last digit, at the edges validation allows, in the alert record and the SNS message', async () => {
    const body = (symbol: string, price: string) => `{"symbol":"${symbol}","price":${price},"volume":1000000000000000}`;
    const records = [
      sqsRecord(body('EDGEH', '999999999.9999999')),
      sqsRecord(body('EDGEL', '1e-12')),
      sqsRecord(body('EDGEM', '150.00000000000003')),
    ];
    expect(await handler(sqsEvent(records), lambdaContext())).toEqual({ batchItemFailures: [] });
    const items = (await alertItems()).filter((i) => String(i.symbol).startsWith('EDGE'));
    expect(Object.fromEntries(items.map((i) => [i.symbol, [i.alert_type, i.price, i.threshold]]))).toStrictEqual({
      EDGEH: ['HIGH', 999999999.9999999, 150],
      EDGEL: ['LOW', 1e-12, 50],
      EDGEM: ['HIGH', 150.00000000000003, 150],
    });
    const messages = sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? [])
      .map((e) => JSON.parse(e.Message ?? '') as { symbol: string; price: number });
    expect(Object.fromEntries(messages.map((m) => [m.symbol, m.price]))).toStrictEqual({
      EDGEH: 999999999.9999999,
      EDGEL: 1e-12,
      EDGEM: 150.00000000000003,
    });
  });

  it('creates no second alert record when the same batch is delivered twice', async () => {
    const batch = sqsEvent([tick('TSLA', 400), tick('TSLA', 120, 1000), tick('TSLA', 410, 2000)]);
    await handler(batch, lambdaContext());
    const before = (await alertItems()).filter((i) => i.symbol === 'TSLA');
    expect(before).toHaveLength(2);
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await alertItems()).filter((i) => i.symbol === 'TSLA')).toEqual(before);
  });

  it('reports the message whose notification SNS did not accept, and only it', async () => {
    const records = [tick('NFLX', 700), tick('ORCL', 10)];
    sns
      .on(PublishBatchCommand)
      .callsFake(async (input: { PublishBatchRequestEntries: { Id: string; MessageAttributes: Record<string, { StringValue: string }> }[] }) => ({
        Failed: input.PublishBatchRequestEntries.filter((e) => e.MessageAttributes.symbol!.StringValue === 'ORCL').map((e) => ({
          Id: e.Id,
          Code: 'InvalidParameter',
          SenderFault: true,
        })),
      }));
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
  });

  it('reports, rather than swallows, what is still throttled when the time budget runs out', async () => {
    sns.on(PublishBatchCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    const records = [tick('AMD', 30), tick('INTC', 100)];
    // 300 ms of budget: enough for DynamoDB, not for SNS to stop throttling.
    const response = await handler(sqsEvent(records), lambdaContext(SAFETY_MARGIN_MS + 300));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
  });
});

describe('data-processor observability and resilience', () => {
  let db: LocalDynamo;
  const captured = capturedLogs();
  const lines = captured.lines;
  const observability = () => captured.observability('data-processor');
  beforeAll(async () => {
    db = await startLocalDynamo();
    useHandlerEnvironment(db);
  });
  afterAll(async () => db.close());

  it('logs one structured line per invalid message and emits EMF metrics', async () => {
    const notifier = { notify: async () => new Map<string, PipelineFailure>() };
    const failed: [string, string][] = [];
    const run = createDataProcessorHandler({
      ports: alertingPorts(alertingConfigFrom(process.env), db.documents, notifier),
      observability: observability(),
      onFailed: (messageId, reason) => failed.push([messageId, reason]),
    });
    const bad = sqsRecord('{"symbol":"AAPL","price":-1}');
    const worse = sqsRecord('{"symbol":"AAPL"}');
    await run(sqsEvent([bad, tick('AAPL', 155), worse]), lambdaContext());
    const invalid = lines().filter((l) => l.message === 'invalid message');
    expect(invalid).toEqual([
      expect.objectContaining({ level: 'WARN', messageId: bad.messageId, reason: 'price: must be greater than 0' }),
      expect.objectContaining({ level: 'WARN', messageId: worse.messageId, reason: expect.stringContaining('price') }),
    ]);
    expect(failed).toEqual([
      [bad.messageId, 'price: must be greater than 0'],
      [worse.messageId, expect.stringContaining('price')],
    ]);
    expect(lines().filter((l) => l.message === 'alert raised')).toEqual([expect.objectContaining({ symbol: 'AAPL', alertType: 'HIGH' })]);
    const emf = lines().find((l) => '_aws' in l);
    expect(emf).toMatchObject({
      TicksReceived: 3,
      TicksProcessed: 1,
      AlertsRaised: 1,
      InvalidMessages: 2,
      FailedMessages: 0,
      LateTicks: 0,
      ProcessingLatency: expect.any(Number),
    });
    expect(JSON.stringify(emf)).toContain(`"Namespace":"${DEFAULTS.metricsNamespace}"`);
  });

  it('reports the whole batch, without crashing, when something unexpected fails', async () => {
    const ports = alertingPorts(alertingConfigFrom(process.env), db.documents, new SnsNotifier(new SNSClient({}), TOPIC_ARN, 'test'));
    const run = createDataProcessorHandler({
      ports: { ...ports, alerts: { ...ports.alerts, putAlerts: () => Promise.reject(new Error('socket hang up')) } },
      observability: observability(),
    });
    const records = [tick('AAPL', 155), sqsRecord('nope')];
    expect(await run(sqsEvent(records), lambdaContext())).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    expect(lines().find((l) => l.message === 'batch not processed')).toMatchObject({
      level: 'ERROR',
      error: expect.objectContaining({ message: 'socket hang up' }),
    });
    expect(await run({} as never, lambdaContext())).toEqual({ batchItemFailures: [] });
  });

  it('never throws, whatever the event looks like, and answers only with usable message ids', async () => {
    const run = createDataProcessorHandler({
      ports: alertingPorts(alertingConfigFrom(process.env), db.documents, { notify: async () => new Map() }),
      observability: observability(),
    });
    const good = tick('AAPL', 100);
    for (const records of [{}, 'text', null, 42, undefined]) {
      expect(await run({ Records: records } as never, lambdaContext())).toEqual({ batchItemFailures: [] });
    }
    expect(await run(null as never, lambdaContext())).toEqual({ batchItemFailures: [] });
    const odd = [
      null,
      7,
      { body: '{}' },
      { messageId: '', body: '{}' },
      { messageId: 'x'.repeat(101), body: '{}' },
      { messageId: 'ok-1', body: { symbol: 'AAPL' } },
      good,
      good,
    ];
    expect(await run({ Records: odd } as never, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'ok-1' }] });
    const unusable = lines().filter((l) => l.message === 'record without a usable message id');
    expect(unusable.map((l) => l.problem)).toEqual([
      'the event has no Records list (got object)',
      'the event has no Records list (got string)',
      'the event has no Records list (got null)',
      'the event has no Records list (got number)',
      'the event has no Records list (got undefined)',
      'the event has no Records list (got undefined)',
      'record 0 has no messageId',
      'record 1 has no messageId',
      'record 2 has no messageId',
      'record 3 has a malformed messageId',
      'record 4 has a malformed messageId',
      'record 7 has a repeated messageId',
    ]);
    expect(lines().find((l) => l.message === 'invalid message')).toMatchObject({ messageId: 'ok-1', reason: 'body: must be a string (got object)' });
    expect(
      lines()
        .filter((l) => '_aws' in l)
        .map((l) => l.TicksReceived),
    ).toEqual([0, 0, 0, 0, 0, 0, 8]);
  });

  it('acknowledges a tick beyond the lateness horizon, counts it and logs it', async () => {
    const config = { ...alertingConfigFrom(process.env), limits: { ...alertingConfigFrom(process.env).limits, horizon: 2 } };
    const run = createDataProcessorHandler({
      ports: alertingPorts(config, db.documents, { notify: async () => new Map() }),
      observability: observability(),
    });
    const at = Date.now() - 60_000;
    const ticks = [0, 1, 2].map((i) => sqsRecord(JSON.stringify({ symbol: 'LATE', price: 100, timestamp: at + i * 1000 })));
    await run(sqsEvent(ticks.slice(1)), lambdaContext());
    expect(await run(sqsEvent([ticks[0]!]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(lines().find((l) => l.message === 'late tick: beyond the lateness horizon, not applied')).toMatchObject({
      level: 'WARN',
      messageId: ticks[0]!.messageId,
      symbol: 'LATE',
    });
    expect(
      lines()
        .filter((l) => '_aws' in l)
        .map((l) => l.LateTicks),
    ).toEqual([0, 1]);
  });

  it('logs the reason of a message that could not be processed', async () => {
    const ports = alertingPorts(alertingConfigFrom(process.env), db.documents, {
      notify: async (alerts) => new Map(alerts.map((a) => [a.alertId, new PipelineFailure('notification', 'down')])),
    });
    const run = createDataProcessorHandler({ ports, observability: observability() });
    const record = tick('ZZ', 999);
    await run(sqsEvent([record]), lambdaContext());
    expect(lines().find((l) => l.message === 'message not processed')).toMatchObject({ messageId: record.messageId, symbol: 'ZZ', reason: 'down' });
  });
});

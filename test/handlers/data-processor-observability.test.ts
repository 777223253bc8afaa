import { PipelineFailure } from '../../src/pipeline/failures.js';
import { describe, expect, it } from 'vitest';
import { memoryAlertingPorts } from '../../src/adapters/memory/index.js';
import type { Tick } from '../../src/domain/index.js';
import { createDataProcessorHandler } from '../../src/handlers/data-processor.js';
import type { AlertingPorts } from '../../src/pipeline/index.js';
import { capturedLogs } from '../support/captured-logs.js';
import { LIMITS } from '../support/fakes.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../support/lambda.js';

const at = Date.now() - 60_000;
const tick = (price: number, offset = 0, symbol = 'DPO') => sqsRecord(JSON.stringify({ symbol, price, timestamp: at + offset }));

describe('data-processor: logs and metrics', () => {
  const captured = capturedLogs();
  const setup = (overrides: Partial<AlertingPorts> = {}) => {
    const ports = { ...memoryAlertingPorts({ defaultRule: { above: 150, below: 50, mode: 'cross' }, limits: LIMITS }), ...overrides };
    let now = Date.now();
    return createDataProcessorHandler({ ports, observability: captured.observability('data-processor'), clock: () => (now += 5) });
  };

  it('counts each outcome exactly, with the latency, and logs in the invocation context', async () => {
    const run = setup();
    const records = [tick(151), sqsRecord('{"symbol":"DPO"}'), sqsRecord('nope'), tick(100, 1000)];
    await run(sqsEvent(records), lambdaContext());
    expect(captured.metrics()).toEqual([
      expect.objectContaining({
        TicksReceived: 4,
        TicksProcessed: 2,
        AlertsRaised: 1,
        InvalidMessages: 2,
        FailedMessages: 0,
        LateTicks: 0,
        ProcessingLatency: 10,
      }),
    ]);
    expect(captured.logs('alert raised')).toEqual([
      expect.objectContaining({ messageId: records[0]!.messageId, price: 151, function_request_id: 'req-1' }),
    ]);
  });

  it('tells the runtime of each late tick with its message id, as it tells the reason of a failure', async () => {
    const late: [string, Tick][] = [];
    const failed: [string, string][] = [];
    const ports = memoryAlertingPorts({ defaultRule: { above: 150, below: 50, mode: 'cross' }, limits: { ...LIMITS, horizon: 2 } });
    const run = createDataProcessorHandler({
      ports,
      observability: captured.observability('data-processor'),
      onLate: (messageId, tick) => late.push([messageId, tick]),
      onFailed: (messageId, reason) => failed.push([messageId, reason]),
    });
    await run(sqsEvent([tick(100, 3000, 'HZN'), tick(100, 4000, 'HZN')]), lambdaContext());
    const old = tick(151, 1000, 'HZN');
    const bad = sqsRecord('{"symbol":"HZN","price":0}');
    expect(await run(sqsEvent([old, bad]), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(late).toEqual([[old.messageId, expect.objectContaining({ symbol: 'HZN', price: 151, eventTime: at + 1000 })]]);
    expect(failed).toEqual([[bad.messageId, 'price: must be greater than 0']]);
    expect(captured.metrics().map((m) => m.LateTicks)).toEqual([0, 1]);
  });

  it('logs an alert sent again for a redelivered tick apart from the alerts it raised', async () => {
    let failing = true;
    const run = setup({
      notifier: { notify: async (alerts) => new Map(failing ? alerts.map((a) => [a.alertId, new PipelineFailure('notification', 'down')]) : []) },
    });
    const record = tick(151, 5000, 'AGAIN');
    expect(await run(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    failing = false;
    expect(await run(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(captured.logs('alert raised')).toEqual([]);
    expect(captured.logs('alert raised earlier, delivered now')).toEqual([
      expect.objectContaining({ level: 'INFO', messageId: record.messageId, symbol: 'AGAIN', price: 151 }),
    ]);
    expect(captured.metrics().map((m) => [m.FailedMessages, m.AlertsRaised, m.TicksProcessed])).toEqual([
      [1, 0, 0],
      [0, 1, 1],
    ]);
  });

  it('counts every message as failed when something unexpected breaks the batch', async () => {
    const run = setup({ notifier: { notify: async () => Promise.reject(new Error('socket hang up')) } });
    const records = [tick(151), sqsRecord('not json')];
    expect(await run(sqsEvent(records), lambdaContext())).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    expect(captured.metrics()).toEqual([expect.objectContaining({ TicksReceived: 2, FailedMessages: 2 })]);
  });
});

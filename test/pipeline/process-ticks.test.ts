import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoAlertStore, DynamoRuleStateStore } from '../../src/adapters/aws/index.js';
import { alertId, tickKey } from '../../src/domain/index.js';
import { processTicks, type AlertingPorts, type RuleStateStore, type TickMessage } from '../../src/pipeline/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { FlakyAlertStore, LIMITS, RecordingNotifier, forever } from '../support/fakes.js';
import { T0 } from '../support/ticks.js';

const NOW = T0 + 3_600_000;
let seq = 0;
const msg = (symbol: string, price: number, at: number): TickMessage => ({
  messageId: `m-${++seq}`,
  body: JSON.stringify({ symbol, price, timestamp: at }),
  sentTimestamp: at,
});
const raw = (body: string): TickMessage => ({ messageId: `m-${++seq}`, body, sentTimestamp: T0 });

describe('processTicks', () => {
  let db: LocalDynamo;
  let notifier: RecordingNotifier;
  let alerts: FlakyAlertStore;
  let ports: AlertingPorts;
  const log = { warn: vi.fn(), error: vi.fn() };
  const run = (messages: TickMessage[], p: AlertingPorts = ports, now = NOW) => processTicks(messages, p, forever, log, now);
  const alertItems = () => db.scan(db.names.alertsTable);
  const portsOn = (documents = db.client()): AlertingPorts => ({
    rules: new DynamoRuleStateStore(documents, db.names.alertRulesTable),
    alerts: new DynamoAlertStore(documents, db.names.alertsTable, 'test'),
    notifier,
    defaultRule: { above: 150, below: 50, mode: 'cross' },
    limits: LIMITS,
  });

  beforeEach(async () => {
    db = await startLocalDynamo();
    notifier = new RecordingNotifier();
    const base = portsOn(db.documents);
    alerts = new FlakyAlertStore(base.alerts);
    ports = { ...base, alerts };
    log.warn.mockReset();
    log.error.mockReset();
  });
  afterEach(async () => db.close());

  it('acknowledges each message once its alert is written and notified, and reports invalid ones', async () => {
    const batch = [msg('AAPL', 155.25, T0), raw('not json'), msg('MSFT', 100, T0), raw('{"symbol":"IBM","price":-4}'), msg('GE', 20, T0)];
    const outcomes = await run(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'invalid', 'ok', 'invalid', 'ok']);
    expect(outcomes[1]).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^body is not valid JSON/) });
    expect(outcomes[3]).toMatchObject({ status: 'invalid', reason: 'price: must be greater than 0' });
    expect((await alertItems()).map((i) => `${i.symbol}:${i.alert_type}`).sort()).toEqual(['AAPL:HIGH', 'GE:LOW']);
    expect(notifier.sent.map((a) => a.symbol).sort()).toEqual(['AAPL', 'GE']);
  });

  it('fails only the message whose alert could not be recorded; its redelivery notifies again and creates one record', async () => {
    const batch = [msg('AAPL', 155, T0), msg('GE', 20, T0), msg('MSFT', 300, T0)];
    const first = await run(batch);
    const geAlert = first[1]!.status === 'ok' ? first[1]!.alerts[0]! : undefined;
    expect(first.map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);

    await db.close();
    db = await startLocalDynamo();
    const fresh = portsOn(db.documents);
    alerts = new FlakyAlertStore(fresh.alerts);
    alerts.failing.add(geAlert!.alertId);
    notifier.sent.length = 0;
    const outcomes = await run(batch, { ...fresh, alerts });
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'ok']);
    expect(outcomes[1]).toMatchObject({ failure: { stage: 'record', message: 'alert not written: ProvisionedThroughputExceededException' } });
    // SNS accepted all three before the records were written; GE's record failed, so GE's tick waits.
    expect(notifier.sent.map((a) => a.symbol).sort()).toEqual(['AAPL', 'GE', 'MSFT']);

    alerts.failing.clear();
    const redelivered = await run([batch[1]!], { ...fresh, alerts });
    expect(redelivered).toMatchObject([{ status: 'ok', alerts: [{ alertId: geAlert!.alertId }], raised: [] }]);
    expect((await alertItems()).filter((i) => i.symbol === 'GE')).toHaveLength(1);
    expect(notifier.sent.filter((a) => a.alertId === geAlert!.alertId)).toHaveLength(2);
  });

  it('fails only the message whose notification was not accepted, and re-notifies with the same alert id', async () => {
    const batch = [msg('AAPL', 155, T0), msg('GE', 20, T0)];
    const geId = alertId(tickKey('GE', T0, 20), 'LOW');
    notifier.failing.add(geId);
    notifier.sent.length = 0;
    const outcomes = await run(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'failed']);
    expect(outcomes[1]).toMatchObject({ failure: { stage: 'notification', message: 'notification not accepted: InternalError' } });
    notifier.failing.clear();
    expect((await run([batch[1]!]))[0]).toMatchObject({ status: 'ok', alerts: [{ alertId: geId }] });
    expect(notifier.sent.map((a) => a.alertId)).toEqual([expect.any(String), geId]);
  });

  it('creates no second alert record and sends nothing again when a delivered batch is delivered twice', async () => {
    const batch = [msg('AAPL', 155, T0), msg('AAPL', 120, T0 + 1000), msg('AAPL', 160, T0 + 2000), msg('GE', 20, T0)];
    await run(batch);
    const before = await alertItems();
    await run(batch);
    expect(await alertItems()).toEqual(before);
    expect(before).toHaveLength(3);
    expect(notifier.sent).toHaveLength(3);
    expect(new Set(notifier.sent.map((a) => a.alertId))).toEqual(new Set(before.map((i) => i.alert_id)));
  });

  it('cross mode: 1 000 ticks above 150 raise one alert; leaving and re-entering another; a tick beyond the horizon is late', async () => {
    for (let b = 0; b < 40; b++) {
      await run(Array.from({ length: 25 }, (_, i) => msg('AAPL', 151 + ((b * 25 + i) % 9), T0 + (b * 25 + i) * 1000)));
    }
    expect(await alertItems()).toHaveLength(1);
    const late = T0 + 2_000_000;
    await run([msg('AAPL', 140, late), msg('AAPL', 170, late + 1000)]);
    expect((await alertItems()).map((i) => i.price).sort()).toEqual([151, 170]);
    const outcomes = await run([msg('AAPL', 30, T0 + 500)]);
    expect(outcomes).toMatchObject([{ status: 'ok', alerts: [], raised: [], late: true }]);
    expect(await alertItems()).toHaveLength(2);
  });

  it("every mode (a symbol's rule override) reproduces the source documents", async () => {
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'AAPL', mode: 'every' } }));
    await run([msg('AAPL', 155.25, T0), msg('AAPL', 156, T0 + 1), msg('AAPL', 100, T0 + 2), msg('AAPL', 40, T0 + 3)]);
    expect((await alertItems()).map((i) => `${i.alert_type}@${i.price}/${i.rule}`)).toEqual(['HIGH@155.25/every', 'HIGH@156/every', 'LOW@40/every']);
  });

  it('produces exactly one alert per transition when batches for the same symbols run concurrently', async () => {
    let conflicts = 0;
    const instance = (): AlertingPorts => {
      const p = portsOn();
      const rules = p.rules;
      return {
        ...p,
        rules: {
          load: (s, d) => rules.load(s, d),
          handOver: (s, t, d) => rules.handOver(s, t, d),
          saveState: async (s, v, st, d) => {
            const result = await rules.saveState(s, v, st, d);
            if (result !== 'saved') conflicts++;
            return result;
          },
        },
      };
    };
    const symbols = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA'];
    // Five "function instances", each with its own client, all seeing every symbol go HIGH, then NORMAL, then LOW.
    for (const [round, price] of [
      [0, 160],
      [1, 100],
      [2, 30],
    ] as const) {
      await Promise.all(
        Array.from({ length: 5 }, (_, n) =>
          run(
            symbols.map((s) => msg(s, price + n, T0 + round * 60_000 + n * 1000)),
            instance(),
          ),
        ),
      );
    }
    const items = await alertItems();
    expect(items.map((i) => `${i.symbol}:${i.alert_type}`).sort()).toEqual(symbols.flatMap((s) => [`${s}:HIGH`, `${s}:LOW`]).sort());
    expect(conflicts).toBeGreaterThan(0);
  });

  it('settles a symbol whose every write loses, through one hand-over, without retrying', async () => {
    let saves = 0;
    const contested: RuleStateStore = {
      load: ports.rules.load.bind(ports.rules),
      handOver: ports.rules.handOver.bind(ports.rules),
      saveState: async (symbol, v, s, d) => (symbol === 'AAPL' ? (saves++, 'conflict' as const) : ports.rules.saveState(symbol, v, s, d)),
    };
    const outcomes = await run([msg('AAPL', 155, T0), msg('MSFT', 155, T0)], { ...ports, rules: contested });
    expect(outcomes).toMatchObject([
      { status: 'ok', raised: [{ symbol: 'AAPL', price: 155 }] },
      { status: 'ok', raised: [{ symbol: 'MSFT', price: 155 }] },
    ]);
    expect(saves).toBe(1);
    expect(notifier.sent.map((a) => a.symbol).sort()).toEqual(['AAPL', 'MSFT']);
  });

  it('fails every valid message when rules cannot be read, and still reports the invalid ones as invalid', async () => {
    const broken: RuleStateStore = { ...ports.rules, load: async () => Promise.reject(new Error('could not read alert rules for AAPL: throttled')) };
    const outcomes = await run([msg('AAPL', 155, T0), raw('{}')], { ...ports, rules: broken });
    expect(outcomes).toMatchObject([
      { status: 'failed', failure: { stage: 'rules', message: 'could not read alert rules for AAPL: throttled' } },
      { status: 'invalid', reason: 'symbol: must be a string; price: must be a finite number' },
    ]);
  });

  it('warns about an unusable rule override and applies the defaults', async () => {
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'AAPL', below: 500 } }));
    const outcomes = await run([msg('AAPL', 155, T0)]);
    expect(outcomes).toMatchObject([{ status: 'ok', raised: [{ alertType: 'HIGH', threshold: 150 }] }]);
    expect(log.warn).toHaveBeenCalledWith('invalid alert rule', { symbol: 'AAPL', problem: expect.stringContaining('below (500)') });
  });

  it('re-sends an undelivered alert when its tick is redelivered, however far the symbol has moved on', async () => {
    const first = msg('GE', 20, T0);
    const geId = alertId(tickKey('GE', T0, 20), 'LOW');
    notifier.failing.add(geId);
    expect((await run([first]))[0]).toMatchObject({
      status: 'failed',
      failure: { stage: 'notification', message: 'notification not accepted: InternalError' },
    });
    notifier.failing.clear();
    // 600 more ticks, flapping in and out of LOW: far more alerts and observations than the state keeps.
    for (let b = 0; b < 24; b++) {
      await run(Array.from({ length: 25 }, (_, i) => msg('GE', (b * 25 + i) % 2 === 0 ? 60 : 40, T0 + (1 + b * 25 + i) * 1000)));
    }
    const redelivered = await run([first]);
    expect(redelivered).toMatchObject([{ status: 'ok', alerts: [{ alertId: geId }], raised: [], late: true }]);
    expect(notifier.sent.filter((a) => a.alertId === geId)).toHaveLength(1);
    // Delivered: a later redelivery sends nothing, and the next state write forgets it.
    expect(await run([first])).toMatchObject([{ status: 'ok', alerts: [] }]);
    await run([msg('GE', 60, T0 + 700_000)]);
    expect((await db.scan(db.names.alertRulesTable)).find((i) => i.symbol === 'GE')?.pending).toEqual({});
  });

  it('raises the alert of a run split off by a late tick, owned by that tick, and forgets it once delivered', async () => {
    await run([msg('AAPL', 151, T0), msg('AAPL', 152, T0 + 2000)]);
    const pendingIds = async () => Object.keys((await db.scan(db.names.alertRulesTable))[0]!.pending as object);
    expect(await pendingIds()).toEqual([alertId(tickKey('AAPL', T0, 151), 'HIGH')]);
    const splitter = msg('AAPL', 100, T0 + 1000);
    const [outcome] = await run([splitter]);
    expect(outcome).toMatchObject({
      status: 'ok',
      raised: [{ alertType: 'HIGH', price: 152, tickKey: tickKey('AAPL', T0 + 2000, 152) }],
      late: false,
    });
    expect((await alertItems()).map((i) => i.price).sort()).toEqual([151, 152]);
    // The first alert's record was found, so the write that raised the second one forgot the first.
    expect(await pendingIds()).toEqual([alertId(tickKey('AAPL', T0 + 2000, 152), 'HIGH')]);
    await run([msg('AAPL', 100, T0 + 3000)]);
    expect(await pendingIds()).toEqual([]);
  });

  it('refuses new alerts of a symbol whose overdue alerts reached the limit, and takes them once delivered', async () => {
    const limited = { ...ports, limits: { ...LIMITS, maxPending: 2 } };
    const overdue = NOW + LIMITS.deliveryGraceMs + 1;
    const prices = [151, 100, 152, 100, 153];
    const batch = prices.map((p, i) => msg('AAPL', p, T0 + i * 1000));
    const ids = prices.filter((p) => p > 150).map((p, i) => alertId(tickKey('AAPL', T0 + i * 2000, p), 'HIGH'));
    ids.forEach((id) => notifier.failing.add(id));
    expect((await run(batch.slice(0, 2), limited)).map((o) => o.status)).toEqual(['failed', 'ok']);
    expect((await run(batch.slice(2, 4), limited)).map((o) => o.status)).toEqual(['failed', 'ok']);
    const refused = await run(batch.slice(4), limited, overdue);
    expect(refused).toMatchObject([
      {
        status: 'failed',
        failure: { stage: 'backlog', message: '2 alerts of AAPL are still waiting for delivery; new alerts wait until they are delivered' },
      },
    ]);
    notifier.failing.clear();
    expect((await run([batch[0]!, batch[2]!], limited, overdue)).map((o) => o.status)).toEqual(['ok', 'ok']);
    expect(await run(batch.slice(4), limited, overdue)).toMatchObject([{ status: 'ok', raised: [{ price: 153 }] }]);
    expect(notifier.sent.map((a) => a.price)).toEqual([151, 152, 153]);
  });

  it('drops pending alerts whose owner can no longer come back, on the next state write', async () => {
    const geId = alertId(tickKey('GE', T0, 20), 'LOW');
    notifier.failing.add(geId);
    await run([msg('GE', 20, T0)]);
    notifier.failing.clear();
    const later = (ms: number) => processTicks([msg('GE', 30, T0 + ms)], ports, forever, log, NOW + ms);
    await later(1000);
    expect(Object.keys((await db.scan(db.names.alertRulesTable))[0]!.pending as object)).toEqual([geId]);
    await later(LIMITS.pendingRetentionMs + 2000);
    expect((await db.scan(db.names.alertRulesTable))[0]!.pending).toEqual({});
    expect(log.error).toHaveBeenCalledWith('pending alert dropped undelivered after the retention period', {
      symbol: 'GE',
      alertId: geId,
      raisedAt: NOW,
    });
  });

  it('fails only the message with a value no store can hold, in every mode and in cross mode', async () => {
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'EVRY', mode: 'every' } }));
    const batch = [
      msg('EVRY', 151, T0),
      raw('{"symbol":"EVRY","price":1e-200}'),
      msg('EVRY', 152, T0 + 1),
      msg('AAPL', 160, T0),
      raw('{"symbol":"AAPL","price":1e-200}'),
    ];
    const outcomes = await run(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'invalid', 'ok', 'ok', 'invalid']);
    expect(outcomes[1]).toMatchObject({ reason: 'price: must be at least 1e-12' });
    expect((await alertItems()).map((i) => `${i.symbol}@${i.price}`).sort()).toEqual(['AAPL@160', 'EVRY@151', 'EVRY@152']);
  });

  it('does nothing for an empty batch', async () => {
    expect(await run([])).toEqual([]);
  });
});

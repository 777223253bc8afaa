import { PipelineFailure } from '../../src/pipeline/failures.js';
/**
 * Busy symbols at the scale where contention is the normal case: thousands of ticks, 1-3 symbols flapping across 150
 * on every tick among 16 symbols per batch, 5 to 20 instances at once on one dynalite. In event-time order no tick is
 * ever late and the alerts are exactly the definition's; in any order, with redelivery, SQS's redrive (a new message
 * id and SentTimestamp), throttling and failed publish entries, the alerts are exactly the runs of the ticks the engine
 * took in (those of a window written, or of a hand-over where it stands in the inbox), each recorded once and notified at least once, every other tick was reported late, and no alert is left
 * undelivered in any symbol's outbox.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStore, DynamoRuleStateStore } from '../../src/adapters/aws/index.js';
import { decodeWindow } from '../../src/adapters/aws/window-codec.js';
import { evaluate, keyOfObservation, tickKey, type Alert, type AlertRule, type Tick } from '../../src/domain/index.js';
import { ensureTables } from '../../src/local/emulation/tables.js';
import {
  processTicks,
  type AlertingPorts,
  type Deadline,
  type DeliveryFailures,
  type MessageOutcome,
  type Notifier,
  type RuleStateStore,
  type TickMessage,
} from '../../src/pipeline/index.js';
import { horizonFor, resourceNames } from '../../src/resources/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { LIMITS, NO_WAIT, forever } from '../support/fakes.js';
import { T0 } from '../support/ticks.js';
import { CHANNEL_RULES, CROSSING_RULES, REARM_RULES, RULE, mismatches, truthRuns } from '../support/truth.js';

const TICKS = Number(process.env.BUSY_TICKS ?? 4000);
const NOW = T0 + TICKS * 1000 + 60_000;
const quiet = { warn: () => {}, error: () => {} };

/** A deterministic source of chance. */
function chance(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * `flapping` symbols alternate 150.5 / 149.5 on every tick and take every other tick; the other tick goes round 13 to
 * 15 calmer symbols near both thresholds, so every batch of 25 carries 16 symbols (or, `alone`, the flapping symbols
 * take every tick, as in a replay of one symbol's file). One second apart, in event-time order. Some ticks (`untimed`) carry no timestamp: the queue's SentTimestamp is their event time.
 */
function busyStream(flapping: number, alone: boolean, random: () => number, untimedShare: number): { tick: Tick; timed: boolean }[] {
  const hot = ['FLAP', 'FLIP', 'FLOP'].slice(0, flapping);
  const calm = alone ? hot : Array.from({ length: 16 - flapping }, (_, i) => `S${i}`);
  const prices = [149.5, 150, 150.5, 151, 100, 49.5, 50, 50.5];
  const stream: { tick: Tick; timed: boolean }[] = [];
  for (let i = 0; i < TICKS; i++) {
    const eventTime = T0 + i * 1000;
    const symbol = alone ? hot[i % hot.length]! : i % 2 === 0 ? hot[(i / 2) % hot.length]! : calm[((i - 1) / 2) % calm.length]!;
    const flap = (n: number) => (Math.floor(n / hot.length) % 2 === 0 ? 150.5 : 149.5);
    const price = alone ? flap(i) : i % 2 === 0 ? flap(i / 2) : prices[Math.floor(random() * prices.length)]!;
    stream.push({ tick: { key: tickKey(symbol, eventTime, price), symbol, price, eventTime }, timed: random() >= untimedShare });
  }
  return stream;
}

const tickOf = (symbol: string, price: number, eventTime: number): Tick => ({ key: tickKey(symbol, eventTime, price), symbol, price, eventTime });

let ids = 0;
const messageOf = ({ tick, timed }: { tick: Tick; timed: boolean }): TickMessage => ({
  messageId: `m-${++ids}`,
  body: JSON.stringify({ symbol: tick.symbol, price: tick.price, ...(timed && { timestamp: tick.eventTime }) }),
  sentTimestamp: tick.eventTime,
});

/**
 * A client that throttles some calls, some before they reach DynamoDB and some after they took effect, and tells
 * `tookEffect` of every window a state write really stored: the oracle of what the engine took in.
 */
function throttled(
  client: DynamoDBDocumentClient,
  random: () => number,
  rate: number,
  tookEffect: (symbol: string, window: Uint8Array) => void,
): DynamoDBDocumentClient {
  const fail = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
  return {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      const roll = random();
      if (roll < rate / 2) throw fail();
      const result = await client.send(command);
      if (command instanceof UpdateCommand) {
        const window = command.input.ExpressionAttributeValues?.[':window'] as Uint8Array | undefined;
        if (window) tookEffect(command.input.Key!.symbol as string, window);
      }
      if (roll < rate) throw fail();
      return result;
    },
  } as unknown as DynamoDBDocumentClient;
}

/** SNS rejecting some entries (failed PublishBatch entries); records what it accepted. */
class UnreliableNotifier implements Notifier {
  readonly accepted = new Set<string>();
  constructor(
    private readonly random: () => number,
    private readonly rate: number,
  ) {}
  async notify(alerts: readonly Alert[], _deadline: Deadline): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    for (const alert of alerts) {
      if (this.random() < this.rate) failures.set(alert.alertId, new PipelineFailure('notification', 'notification not accepted: InternalError'));
      else this.accepted.add(alert.alertId);
    }
    return failures;
  }
}

interface Run {
  readonly concurrency: number;
  readonly flapping: number;
  readonly alone?: boolean;
  readonly shuffled: boolean;
  /** Share of DynamoDB calls throttled and of notifications refused. */
  readonly failureRate: number;
  /** Share of delivered batches that come back anyway (at-least-once delivery). */
  readonly redeliveryRate: number;
  /** Share of failed messages that go through the DLQ and are redriven: a new message id and SentTimestamp. */
  readonly redriveRate: number;
  readonly untimedShare: number;
  readonly seed: number;
  /** The default rule every symbol is on (RULE when absent). */
  readonly rule?: AlertRule;
}

interface Result {
  readonly outcomes: MessageOutcome[];
  /** Every tick the run produced, redriven copies included, by key. */
  readonly ticks: Map<string, Tick>;
  /** Keys of the ticks some committed window held: what the engine took in. */
  readonly applied: Set<string>;
  readonly recorded: Alert[];
  readonly notified: Set<string>;
  /** Alert ids still in some symbol's outbox at the end. */
  readonly outbox: string[];
  readonly handOvers: number;
}

/** Instances taking batches of up to 25 off one queue, as the event source mapping does. */
async function play(db: LocalDynamo, run: Run): Promise<Result> {
  const random = chance(run.seed);
  const environment = `busy${run.seed}x${run.concurrency}`;
  await ensureTables(db.raw, environment);
  const names = resourceNames(environment);
  const notifier = new UnreliableNotifier(random, run.failureRate);
  const applied = new Set<string>();
  let handOvers = 0;
  const horizon = horizonFor(LIMITS.horizon, run.concurrency);
  const instance = (): AlertingPorts => {
    const documents = throttled(db.client(), random, run.failureRate, (symbol, window) => {
      decodeWindow(window).observations.forEach((o) => applied.add(keyOfObservation(symbol, o)));
    });
    const rules = new DynamoRuleStateStore(documents, names.alertRulesTable, NO_WAIT);
    const watched: RuleStateStore = {
      load: (s, d) => rules.load(s, d),
      handOver: async (symbol, handed, d) => {
        handOvers++;
        const after = await rules.handOver(symbol, handed, d);
        // A handed-over tick is taken in where its hand-over stands in the inbox, unless the horizon drops it there.
        let window = after.window;
        for (const entry of after.inbox) {
          const evaluation = evaluate(symbol, { ...entry.thresholds, mode: 'cross' }, window, entry.ticks, horizon);
          entry.ticks.filter((t) => !evaluation.late.some((l) => l.key === t.key)).forEach((t) => applied.add(t.key));
          window = evaluation.next ?? window;
        }
        return after;
      },
      saveState: (s, read, change, d) => rules.saveState(s, read, change, d),
    };
    return {
      rules: watched,
      alerts: new DynamoAlertStore(documents, names.alertsTable, environment, NO_WAIT),
      notifier,
      defaultRule: run.rule ?? RULE,
      // As the local runtime sets it: enough for every tick the instances hold in flight.
      limits: { ...LIMITS, horizon },
    };
  };

  const stream = busyStream(run.flapping, run.alone ?? false, random, run.untimedShare);
  const ticks = new Map(stream.map(({ tick }) => [tick.key, tick]));
  const queue = stream.map(messageOf);
  if (run.shuffled) queue.sort(() => random() - 0.5);
  const outcomes: MessageOutcome[] = [];
  let receives = 0;
  const worker = async () => {
    const ports = instance();
    for (let batch = queue.splice(0, 25); batch.length > 0; batch = queue.splice(0, 25)) {
      if (++receives > 50_000) throw new Error('messages keep failing');
      const results = await processTicks(batch, ports, forever, quiet, NOW);
      outcomes.push(...results);
      batch.forEach((message, i) => {
        if (results[i]!.status === 'ok') {
          if (random() < run.redeliveryRate) queue.push(message);
        } else if (random() < run.redriveRate) {
          // Moved to the DLQ and redriven: SQS gives it a new id and the redrive's time as its SentTimestamp.
          const redriven = { ...message, messageId: `m-${++ids}`, sentTimestamp: message.sentTimestamp + 7_000 };
          const body = JSON.parse(message.body) as { timestamp?: number; symbol: string; price: number };
          if (body.timestamp === undefined) {
            const copy = {
              key: tickKey(body.symbol, redriven.sentTimestamp, body.price),
              symbol: body.symbol,
              price: body.price,
              eventTime: redriven.sentTimestamp,
            };
            ticks.set(copy.key, copy);
          }
          queue.push(redriven);
        } else {
          queue.push(message);
        }
      });
    }
  };
  do await Promise.all(Array.from({ length: run.concurrency }, worker));
  while (queue.length > 0);
  // One last NORMAL tick per symbol, newest of all, alone: its write folds whatever is still in the symbol's inbox, so
  // every tick taken in is in a window that was written.
  const last = [...new Set(stream.map(({ tick }) => tick.symbol))].map((symbol) => messageOf({ tick: tickOf(symbol, 100, NOW - 1000), timed: true }));
  last.forEach((m) => {
    const body = JSON.parse(m.body) as { symbol: string };
    const t = tickOf(body.symbol, 100, NOW - 1000);
    ticks.set(t.key, t);
  });
  // Under some rules they raise alerts of their own (a crossing down, an entry), whose notifications may fail: they are
  // retried, as the queue would.
  for (let pending = last, attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 50) throw new Error('the last ticks did not go through');
    const flushed = await processTicks(pending, instance(), forever, quiet, NOW);
    pending = pending.filter((_, i) => flushed[i]!.status !== 'ok');
  }

  const recorded = (await db.scan(names.alertsTable)).map((i): Alert => ({
    alertId: i.alert_id as string,
    symbol: i.symbol as string,
    alertType: i.alert_type as Alert['alertType'],
    price: i.price as number,
    threshold: i.threshold as number,
    mode: 'cross',
    eventTime: Date.parse(i.event_time as string),
    tickKey: i.tick_key as string,
  }));
  const outbox = (await db.scan(names.alertRulesTable)).flatMap((item) => Object.keys((item.pending as object | undefined) ?? {}));
  return { outcomes, ticks, applied, recorded, notified: notifier.accepted, outbox, handOvers };
}

describe('busy symbols', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it.each([
    [1, true, 20],
    [1, false, 5],
    [3, false, 10],
  ])(
    'in event-time order, %i flapping symbol(s) (alone: %s) at %i instances: no tick is late, and the alerts are the definition',
    async (flapping, alone, concurrency) => {
      const result = await play(db, {
        concurrency,
        flapping,
        alone,
        shuffled: false,
        failureRate: 0,
        redeliveryRate: 0,
        redriveRate: 0,
        untimedShare: 0,
        seed: flapping * 100 + concurrency,
      });
      expect(result.outcomes.filter((o) => o.status === 'ok' && o.late)).toEqual([]);
      expect(result.outcomes.every((o) => o.status === 'ok')).toBe(true);
      const truth = truthRuns([...result.ticks.values()], RULE);
      expect(mismatches(result.recorded, truth)).toEqual([]);
      // A flapping symbol enters HIGH on every other tick: half its ticks raise an alert (2 000 of 4 000 alone).
      const flaps = result.recorded.filter((a) => a.symbol.startsWith('FL')).length;
      expect(flaps).toBe(truth.filter((r) => r.symbol.startsWith('FL')).length);
      if (flapping === 1) expect(flaps).toBe(alone ? TICKS / 2 : TICKS / 4);
      const recordedIds = new Set(result.recorded.map((a) => a.alertId));
      expect(result.outbox.filter((id) => !recordedIds.has(id))).toEqual([]);
      // Contention happened, and was resolved by hand-overs rather than waiting.
      if (concurrency >= 10) expect(result.handOvers).toBeGreaterThan(0);
    },
    600_000,
  );

  it('in any order, with redelivery, redrive, throttling and failed notifications: exactly the runs of what it took in', async () => {
    const only = process.env.BUSY_RUN ? [JSON.parse(process.env.BUSY_RUN) as Run] : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.record<Run>({
          concurrency: fc.constantFrom(5, 10, 20),
          flapping: fc.integer({ min: 1, max: 3 }),
          shuffled: fc.constant(true),
          alone: fc.boolean(),
          failureRate: fc.constantFrom(0.02, 0.1),
          redeliveryRate: fc.constantFrom(0, 0.05),
          redriveRate: fc.constantFrom(0, 0.3),
          untimedShare: fc.constantFrom(0, 0.2),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        async (run) => {
          const result = await play(db, run);
          const applied = [...result.applied].map((key) => result.ticks.get(key)!);
          expect(mismatches(result.recorded, truthRuns(applied, run.rule ?? RULE))).toEqual([]);
          expect(result.recorded.filter((a) => !result.notified.has(a.alertId))).toEqual([]);
          // Every tick the engine did not take in was acknowledged as late, never silently.
          const reportedLate = new Set(result.outcomes.flatMap((o) => (o.status === 'ok' && o.late ? [o.tick.key] : [])));
          const acknowledged = new Set(result.outcomes.flatMap((o) => (o.status === 'ok' ? [o.tick.key] : [])));
          expect([...acknowledged].filter((key) => !result.applied.has(key) && !reportedLate.has(key))).toEqual([]);
          // Nothing is left in an outbox undelivered: whatever raised it, a batch of its symbol delivered it.
          const recordedIds = new Set(result.recorded.map((a) => a.alertId));
          expect(result.outbox.filter((id) => !recordedIds.has(id))).toEqual([]);
        },
      ),
      { numRuns: only ? 1 : Number(process.env.PROPERTY_RUNS ?? 2), ...(only && { examples: [[only[0]!]] as [Run][] }) },
    );
  }, 1_200_000);

  it.each([
    ['a crossing of 150 either way', CROSSING_RULES.find((r) => r.crossing === 'either')!, 7],
    ['a channel on exiting', CHANNEL_RULES.find((r) => r.channel === 'exiting')!, 8],
    ['a channel on entering', CHANNEL_RULES.find((r) => r.channel === 'entering')!, 9],
    ['hysteresis of 1 %', REARM_RULES.find((r) => r.rearm === '1%')!, 10],
  ])(
    '%s, at this scale, shuffled, at 10 instances with throttling, redelivery and redrive: exactly the runs it took in',
    async (_, rule, seed) => {
      const result = await play(db, {
        concurrency: 10,
        flapping: 3,
        shuffled: true,
        failureRate: 0.05,
        redeliveryRate: 0.05,
        redriveRate: 0.3,
        untimedShare: 0.2,
        // Its own seed: its own environment, tables and all.
        seed,
        rule,
      });
      const applied = [...result.applied].map((key) => result.ticks.get(key)!);
      const truth = truthRuns(applied, rule);
      expect(truth.length).toBeGreaterThan(100);
      expect(mismatches(result.recorded, truth)).toEqual([]);
      expect(result.recorded.filter((a) => !result.notified.has(a.alertId))).toEqual([]);
    },
    600_000,
  );
});

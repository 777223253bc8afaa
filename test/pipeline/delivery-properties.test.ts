import { PipelineFailure } from '../../src/pipeline/failures.js';
/**
 * The delivery guarantees as properties: random streams near both thresholds, cut into random batches, delivered in
 * random order by concurrent instances on one dynalite, with redelivery, throttled DynamoDB calls (some of which
 * took effect before failing) and notifications SNS did not accept. Whatever happens, the alerts in the table are
 * exactly the runs of the definition, each recorded once and notified at least once.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStore, DynamoRuleStateStore } from '../../src/adapters/aws/index.js';
import type { Alert, Tick } from '../../src/domain/index.js';
import { ensureTables } from '../../src/local/emulation/tables.js';
import { processTicks, type AlertingPorts, type Deadline, type DeliveryFailures, type Notifier, type TickMessage } from '../../src/pipeline/index.js';
import { resourceNames } from '../../src/resources/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';
import { LIMITS, NO_WAIT, forever } from '../support/fakes.js';
import { T0 } from '../support/ticks.js';
import { CHANNEL_RULES, CROSSING_RULES, EXPIRING_RULES, REARM_RULES, RULE, cut, mismatches, streams, truthRuns } from '../support/truth.js';

const NOW = T0 + 86_400_000;
const INSTANCES = 4;

/** A deterministic source of chance for one property run. */
function chance(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** A client that throttles some calls: some before they reach DynamoDB, some after they took effect. */
function throttled(client: DynamoDBDocumentClient, random: () => number, rate: number): DynamoDBDocumentClient {
  const fail = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
  return {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      const roll = random();
      if (roll < rate / 2) throw fail();
      const result = await client.send(command);
      if (roll < rate) throw fail();
      return result;
    },
  } as unknown as DynamoDBDocumentClient;
}

/** SNS that rejects some entries (as failed PublishBatch entries) and records what it accepted. */
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

const message = (tick: Tick, i: number): TickMessage => ({
  messageId: `m-${i}`,
  body: JSON.stringify({ symbol: tick.symbol, price: tick.price, timestamp: tick.eventTime }),
  sentTimestamp: tick.eventTime,
});

// Seconds of property runs against dynalite (more with PROPERTY_RUNS): the hang guard, not the default timeout.
describe('delivery guarantees under concurrency, redelivery and failures', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let db: LocalDynamo;
  let environments = 0;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it('records exactly one alert per run of the definition and notifies each at least once', async () => {
    await fc.assert(
      fc.asyncProperty(
        streams(60),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        fc.constantFrom(0, 0.1, 0.3),
        // With and without hysteresis, and crossings: the stored windows and inbox hand-overs carry the whole rule.
        fc.constantFrom(RULE, ...REARM_RULES, ...CROSSING_RULES, ...CHANNEL_RULES, ...EXPIRING_RULES),
        async (ticks, sizes, seed, failureRate, rule) => {
          const random = chance(seed);
          const environment = `prop${++environments}`;
          await ensureTables(db.raw, environment);
          const names = resourceNames(environment);
          const notifier = new UnreliableNotifier(random, failureRate);
          const instance = (): AlertingPorts => {
            const documents = throttled(db.client(), random, failureRate);
            return {
              rules: new DynamoRuleStateStore(documents, names.alertRulesTable, NO_WAIT),
              alerts: new DynamoAlertStore(documents, names.alertsTable, environment, NO_WAIT),
              notifier,
              defaultRule: rule,
              limits: LIMITS,
            };
          };

          // An unordered queue: batches leave in random order, failed messages come back, some delivered ones too.
          const queue = cut(ticks.map(message), sizes).sort(() => random() - 0.5);
          let receives = 0;
          const worker = async () => {
            const ports = instance();
            for (let batch = queue.shift(); batch; batch = queue.shift()) {
              if (++receives > 5_000) throw new Error('messages keep failing');
              const outcomes = await processTicks(batch, ports, forever, { warn: () => {}, error: () => {} }, NOW);
              const failed = batch.filter((m, i) => outcomes[i]!.status !== 'ok');
              if (failed.length > 0) queue.push(failed);
              if (random() < 0.1) queue.push(batch);
            }
          };
          // Workers stop when the queue is momentarily empty; go again until nothing is left.
          do await Promise.all(Array.from({ length: INSTANCES }, worker));
          while (queue.length > 0);

          const items = await db.scan(names.alertsTable);
          const recorded: Alert[] = items.map((i) => ({
            alertId: i.alert_id as string,
            symbol: i.symbol as string,
            alertType: i.alert_type as Alert['alertType'],
            price: i.price as number,
            threshold: i.threshold as number,
            mode: 'cross',
            eventTime: Date.parse(i.event_time as string),
            tickKey: i.tick_key as string,
          }));
          expect(mismatches(recorded, truthRuns(ticks, rule))).toEqual([]);
          expect(recorded.filter((a) => !notifier.accepted.has(a.alertId))).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
  });
});

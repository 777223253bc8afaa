/**
 * Pipeline benchmark: domain throughput on one core, and the cost of one SQS batch against dynalite
 * (wall time and AWS calls). Run with `npm run bench`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoAlertStore, DynamoRuleStateStore, SnsNotifier, createDocumentClient } from '../src/adapters/aws/index.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { crossesRule, evaluate, parseTick, type AlertRule, type SymbolWindow, type Tick } from '../src/domain/index.js';
import { engineSettingsFrom } from '../src/handlers/config.js';
import { startDynalite } from '../src/local/emulation/dynalite.js';
import { ensureTables } from '../src/local/emulation/tables.js';
import { deadlineIn, processTicks, type AlertingPorts, type TickMessage } from '../src/pipeline/index.js';
import { DEFAULTS, resourceNames } from '../src/resources/index.js';

const ENVIRONMENT = 'bench';
const cross: AlertRule = { ...DEFAULTS.thresholds, mode: 'cross' };
const every: AlertRule = { ...DEFAULTS.thresholds, mode: 'every' };
const quiet = { warn: () => {}, error: () => {} };
const T0 = Date.now() - 3_600_000;

function domainThroughput(count: number): number {
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify({ symbol: `S${i % 50}`, price: 100 + ((i * 37) % 120), timestamp: T0 + i }));
  const now = Date.now();
  const windows = new Map<string, SymbolWindow | undefined>();
  const started = performance.now();
  for (let i = 0; i < count; i += 25) {
    const ticks: Tick[] = [];
    for (let j = i; j < i + 25; j++) {
      const parsed = parseTick({ body: bodies[j]!, sentTimestamp: T0 }, now);
      if (parsed.ok) ticks.push(parsed.value);
    }
    for (const [symbol, group] of Map.groupBy(ticks, (t) => t.symbol)) {
      const result = evaluate(symbol, cross, windows.get(symbol), group, DEFAULTS.latenessHorizonTicks);
      if (result.next) windows.set(symbol, result.next);
    }
  }
  return count / ((performance.now() - started) / 1000);
}

/** On-demand prices in us-east-1 (USD per million request units). */
const PRICE = { writeUnit: 0.625, readUnit: 0.125 };
const BATCHES_PER_MILLION = 1_000_000 / DEFAULTS.batchSize;

interface BatchCost {
  scenario: string;
  alerts: number;
  'DynamoDB calls': number;
  'SNS calls': number;
  'write units': number;
  'read units': number;
  'lost races': number;
  'USD per 1M ticks': string;
  'wall ms': number;
  /** Bytes of the packed window of a symbol the scenario writes, in steady state (a state item is this plus a few dozen). */
  'state bytes'?: number;
}

/** What the measured batches of one scenario add up to. */
interface CostSums {
  calls: number;
  sns: number;
  write: number;
  read: number;
  conflicts: number;
  alerts: number;
  ms: number;
  batches: number;
}

/**
 * Adds ReturnConsumedCapacity to every DynamoDB call and sums what the server reports. DynamoDB also charges a
 * conditional write that fails (the server here reports nothing for it): each is counted at the units of the last
 * successful state write.
 */
function meter(raw: DynamoDBClient) {
  const totals = { calls: 0, write: 0, read: 0, conflicts: 0 };
  let stateWriteUnits = 1;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      totals.calls++;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      let result;
      try {
        result = await next(args);
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          totals.conflicts++;
          totals.write += stateWriteUnits;
        }
        throw error;
      }
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((n: number, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      if (/^(Get|BatchGet|Query|Scan)/.test(context.commandName ?? '')) totals.read += units;
      else totals.write += units;
      if (context.commandName === 'UpdateItemCommand') stateWriteUnits = units;
      return result;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return totals;
}

async function batchCost(): Promise<{ rows: BatchCost[]; hot: BatchCost[] }> {
  const server = await startDynalite();
  const raw = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  await ensureTables(raw, ENVIRONMENT);
  const totals = meter(raw);
  let snsCalls = 0;
  const sns = { send: async () => (snsCalls++, { Successful: [], Failed: [] }) } as unknown as SNSClient;
  const names = resourceNames(ENVIRONMENT);
  const documents = createDocumentClient(raw);
  const ports = (rule: AlertRule): AlertingPorts => ({
    rules: new DynamoRuleStateStore(documents, names.alertRulesTable),
    alerts: new DynamoAlertStore(documents, names.alertsTable, ENVIRONMENT),
    notifier: new SnsNotifier(sns, 'arn:aws:sns:us-east-1:000000000000:bench', ENVIRONMENT),
    defaultRule: rule,
    limits: engineSettingsFrom({}).limits,
  });

  let clock = T0;
  let id = 0;
  const message = (symbol: string, price: number, timestamp: number): TickMessage => ({
    messageId: `m-${++id}`,
    body: JSON.stringify({ symbol, price, timestamp }),
    sentTimestamp: timestamp,
  });
  const batch = (price: (i: number) => number, symbol: (i: number) => string): TickMessage[] =>
    Array.from({ length: DEFAULTS.batchSize }, (_, i) => message(symbol(i), price(i), (clock += 10)));

  /** One table row: the measured batches' sums per batch, and what a million ticks would cost in DynamoDB. */
  const costRow = (scenario: string, sum: CostSums): BatchCost => {
    const per = (n: number) => Number((n / sum.batches).toFixed(1));
    const usd = (BATCHES_PER_MILLION * (sum.write * PRICE.writeUnit + sum.read * PRICE.readUnit)) / sum.batches / 1e6;
    return {
      scenario,
      alerts: per(sum.alerts),
      'DynamoDB calls': per(sum.calls),
      'SNS calls': per(sum.sns),
      'write units': per(sum.write),
      'read units': per(sum.read),
      'lost races': per(sum.conflicts),
      'USD per 1M ticks': usd.toFixed(2),
      'wall ms': per(sum.ms),
    };
  };

  /**
   * Average cost of the measured batches in steady state: each symbol's window already full (warm-up rounds), so
   * every write pays for a full item. `make` returns the batches of one round and which of them to measure.
   */
  const measure = async (
    scenario: string,
    rule: AlertRule,
    make: () => { batches: TickMessage[][]; measured: boolean[] },
    rounds = 40,
  ): Promise<BatchCost> => {
    const p = ports(rule);
    const sum: CostSums = { calls: 0, sns: 0, write: 0, read: 0, conflicts: 0, alerts: 0, ms: 0, batches: 0 };
    for (let round = -12; round < rounds; round++) {
      const { batches, measured } = make();
      for (const [i, messages] of batches.entries()) {
        Object.assign(totals, { calls: 0, write: 0, read: 0, conflicts: 0 });
        snsCalls = 0;
        const started = performance.now();
        const outcomes = await processTicks(messages, p, deadlineIn(60_000), quiet, clock + 1);
        if (round < 0 || !measured[i]) continue;
        sum.ms += performance.now() - started;
        sum.alerts += outcomes.reduce((n, o) => n + (o.status === 'ok' ? o.raised.length : 0), 0);
        sum.calls += totals.calls;
        sum.sns += snsCalls;
        sum.write += totals.write;
        sum.read += totals.read;
        sum.conflicts += totals.conflicts;
        sum.batches++;
      }
    }
    const symbol = (JSON.parse(make().batches[0]![0]!.body) as { symbol: string }).symbol;
    const { Item } = await documents.send(new GetCommand({ TableName: names.alertRulesTable, Key: { symbol } }));
    return { ...costRow(scenario, sum), 'state bytes': (Item?.window as Uint8Array | undefined)?.length ?? 0 };
  };
  const one = (batches: TickMessage[][]) => ({ batches, measured: batches.map(() => true) });

  /** Five instances at once, as the function's reserved concurrency allows, each batch holding the same 8 symbols. */
  const contended = async (scenario: string, rounds = 30): Promise<BatchCost> => {
    const instances = Array.from({ length: 5 }, () => ports(cross));
    const sum: CostSums = { calls: 0, sns: 0, write: 0, read: 0, conflicts: 0, alerts: 0, ms: 0, batches: 0 };
    for (let round = -4; round < rounds; round++) {
      const batches = instances.map(() =>
        batch(
          (i) => (Math.floor((i + round) / 4) % 2 === 0 ? 151 : 149),
          (i) => `C${i % 8}`,
        ),
      );
      Object.assign(totals, { calls: 0, write: 0, read: 0, conflicts: 0 });
      snsCalls = 0;
      const started = performance.now();
      const outcomes = await Promise.all(batches.map((b, n) => processTicks(b, instances[n]!, deadlineIn(60_000), quiet, clock + 1)));
      if (round < 0) continue;
      sum.ms += (performance.now() - started) / batches.length;
      sum.alerts += outcomes.flat().reduce((n, o) => n + (o.status === 'ok' ? o.raised.length : 0), 0);
      Object.assign(sum, {
        calls: sum.calls + totals.calls,
        sns: sum.sns + snsCalls,
        write: sum.write + totals.write,
        read: sum.read + totals.read,
        conflicts: sum.conflicts + totals.conflicts,
      });
      sum.batches += batches.length;
    }
    return costRow(scenario, sum);
  };

  /**
   * Busy symbols: `flapping` symbols crossing 150 on every tick take every other tick of an event-time ordered
   * stream, the other ticks go round the rest of 16 symbols; `instances` take batches of 25 off one queue at once, as
   * the event source mapping does. Per batch, averaged over the stream.
   */
  const busy = async (scenario: string, flapping: number, instances: number, ticks = 2000): Promise<BatchCost & { 'late ticks': number }> => {
    const hot = ['FLAP', 'FLIP', 'FLOP'].slice(0, flapping).map((s) => `${s}${instances}`);
    const calm = Array.from({ length: 16 - flapping }, (_, i) => `B${instances}S${i}`);
    const queue = Array.from({ length: ticks }, (_, i) => {
      const symbol = i % 2 === 0 ? hot[(i / 2) % hot.length]! : calm[((i - 1) / 2) % calm.length]!;
      const price = i % 2 === 0 ? (Math.floor(i / 2 / hot.length) % 2 === 0 ? 150.5 : 149.5) : 100 + (i % 7);
      return message(symbol, price, (clock += 10));
    });
    const sum: CostSums = { calls: 0, sns: 0, write: 0, read: 0, conflicts: 0, alerts: 0, ms: 0, batches: 0 };
    let late = 0;
    Object.assign(totals, { calls: 0, write: 0, read: 0, conflicts: 0 });
    snsCalls = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: instances }, async () => {
        const p = ports(cross);
        for (let b = queue.splice(0, DEFAULTS.batchSize); b.length > 0; b = queue.splice(0, DEFAULTS.batchSize)) {
          const outcomes = await processTicks(b, p, deadlineIn(60_000), quiet, clock + 1);
          sum.alerts += outcomes.reduce((n, o) => n + (o.status === 'ok' ? o.raised.length : 0), 0);
          late += outcomes.filter((o) => o.status === 'ok' && o.late).length;
          sum.batches++;
        }
      }),
    );
    sum.ms = (performance.now() - started) * instances;
    Object.assign(sum, { calls: totals.calls, sns: snsCalls, write: totals.write, read: totals.read, conflicts: totals.conflicts });
    return { ...costRow(scenario, sum), 'late ticks': late };
  };

  let round = 0;
  const rows = [
    // A quiet market: 5 symbols, 5 ticks each, far inside the band.
    await measure('cross: quiet, 5 symbols far from the thresholds', cross, () =>
      one([
        batch(
          (i) => 100 + (i % 3),
          (i) => `Q${i % 5}`,
        ),
      ]),
    ),
    // 25 symbols entering HIGH together (measured), then back to NORMAL (not measured), again and again.
    await measure('cross: 25 symbols entering HIGH', cross, () => ({
      batches: [
        batch(
          () => 160,
          (i) => `H${i}`,
        ),
        batch(
          () => 100,
          (i) => `H${i}`,
        ),
      ],
      measured: [true, false],
    })),
    // One symbol flapping across 150 on every tick: 13 runs per batch.
    await measure('cross: one symbol flapping across 150', cross, () =>
      one([
        batch(
          (i) => (i % 2 === 0 ? 151 : 149),
          () => 'FLAP',
        ),
      ]),
    ),
    // Five symbols near the threshold; four consecutive batches delivered newest first.
    await measure('cross: batches out of order (4 at a time, newest first)', cross, () => {
      round++;
      const batches = Array.from({ length: 4 }, () =>
        batch(
          (i) => (Math.floor((i + round) / 3) % 2 === 0 ? 151 : 149),
          (i) => `O${i % 5}`,
        ),
      );
      return one(batches.reverse());
    }),
    // The deployed worst case: 5 batches in flight, all on the same 8 symbols near the threshold.
    await contended('cross: 5 instances at once, same 8 symbols (lost races)'),
    // Each kind on the same kinds of market. A crossing of 150: quiet far from it, then crossing it on every tick.
    await measure('crosses 150: quiet, 5 symbols far from the level', crossesRule(150), () =>
      one([
        batch(
          (i) => 100 + (i % 3),
          (i) => `CQ${i % 5}`,
        ),
      ]),
    ),
    await measure('crosses 150: one symbol crossing it on every tick', crossesRule(150), () =>
      one([
        batch(
          (i) => (i % 2 === 0 ? 151 : 149),
          () => 'CFLAP',
        ),
      ]),
    ),
    // Hovering at the threshold (149.9 / 150.1): every dip alerts in plain cross mode, once with a rearm of 1 %.
    await measure('cross: one symbol hovering at 150', cross, () =>
      one([
        batch(
          (i) => (i % 2 === 0 ? 150.1 : 149.9),
          () => 'HOVER',
        ),
      ]),
    ),
    await measure('cross, rearm 1%: the same symbol hovering at 150', { ...cross, rearm: '1%' }, () =>
      one([
        batch(
          (i) => (i % 2 === 0 ? 150.1 : 149.9),
          () => 'HOVERR',
        ),
      ]),
    ),
    // The source documents' mode: every tick above 150 alerts, no state at all.
    await measure('every: 25 alerting ticks', every, () =>
      one([
        batch(
          (i) => 151 + i,
          (i) => `E${i % 5}`,
        ),
      ]),
    ),
  ];
  const hot = [
    await busy('busy: 1 flapping of 16 symbols, 5 instances', 1, 5),
    await busy('busy: 1 flapping of 16 symbols, 10 instances', 1, 10),
    await busy('busy: 3 flapping of 16 symbols, 5 instances', 3, 5),
    await busy('busy: 3 flapping of 16 symbols, 10 instances', 3, 10),
  ];
  raw.destroy();
  await server.close();
  return { rows, hot };
}

const TICKS = 200_000;
console.log(`\nDomain: validation + cross evaluation with windows, one core (${TICKS.toLocaleString()} ticks)`);
domainThroughput(20_000); // JIT warm-up
console.table([{ 'ticks/s': Math.round(domainThroughput(TICKS)).toLocaleString() }]);
console.log(
  `\nOne SQS batch of ${DEFAULTS.batchSize} ticks against dynalite, steady state (windows full: ${DEFAULTS.latenessHorizonTicks} observations), average per batch`,
);
console.log(`cost: DynamoDB on-demand at $${PRICE.writeUnit} per million write units and $${PRICE.readUnit} per million read units (us-east-1)`);
const { rows, hot } = await batchCost();
console.table(rows);
console.log('\nBusy symbols: 2 000 ticks in event-time order, half of them on the flapping symbols, per batch (wall ms: time in flight)');
console.table(hot);

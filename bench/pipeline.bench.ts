/**
 * Pipeline benchmark: domain throughput on one core, and the cost of one SQS batch against dynalite
 * (wall time and AWS calls). Run with `npm run bench`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoAlertStore, DynamoRuleStateStore, SnsNotifier, createDocumentClient } from '../src/adapters/aws/index.js';
import { evaluate, parseTick, type AlertRule } from '../src/domain/index.js';
import { startDynalite } from '../src/local/dynalite.js';
import { ensureTables } from '../src/local/tables.js';
import { deadlineIn, processTicks, type AlertingPorts, type TickMessage } from '../src/pipeline/index.js';
import { DEFAULTS, resourceNames } from '../src/resources/index.js';

const ENVIRONMENT = 'bench';
const cross: AlertRule = { ...DEFAULTS.thresholds, mode: 'cross' };
const every: AlertRule = { ...DEFAULTS.thresholds, mode: 'every' };
const quiet = { warn: () => {} };
const T0 = Date.now() - 3_600_000;

function domainThroughput(count: number): number {
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify({ symbol: `S${i % 50}`, price: 100 + ((i * 37) % 120), timestamp: T0 + i }));
  const now = Date.now();
  const started = performance.now();
  for (let i = 0; i < count; i += 25) {
    const ticks = [];
    for (let j = i; j < i + 25; j++) {
      const parsed = parseTick({ body: bodies[j]!, sentTimestamp: T0 }, now);
      if (parsed.ok) ticks.push(parsed.value);
    }
    evaluate(cross, undefined, ticks);
  }
  return count / ((performance.now() - started) / 1000);
}

interface BatchCost {
  scenario: string;
  alerts: number;
  'wall ms (median)': number;
  'DynamoDB calls': number;
  'SNS calls': number;
  'AWS calls': number;
  budget: string;
}

async function batchCost(): Promise<BatchCost[]> {
  const server = await startDynalite();
  const raw = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await ensureTables(raw, ENVIRONMENT);
  let dynamoCalls = 0;
  let snsCalls = 0;
  // Counted per HTTP attempt, so retries would show.
  raw.middlewareStack.add((next) => async (args) => (dynamoCalls++, next(args)), { step: 'deserialize', name: 'countCalls' });
  const sns = { send: async () => (snsCalls++, { Successful: [], Failed: [] }) } as unknown as SNSClient;
  const names = resourceNames(ENVIRONMENT);
  const documents = createDocumentClient(raw);
  const ports = (rule: AlertRule): AlertingPorts => ({
    rules: new DynamoRuleStateStore(documents, names.alertRulesTable),
    alerts: new DynamoAlertStore(documents, names.alertsTable, ENVIRONMENT),
    notifier: new SnsNotifier(sns, 'arn:aws:sns:us-east-1:000000000000:bench', ENVIRONMENT),
    defaultRule: rule,
  });

  let clock = T0;
  let id = 0;
  const batch = (prices: (i: number) => number, symbols: (i: number) => string): TickMessage[] =>
    Array.from({ length: DEFAULTS.batchSize }, (_, i) => ({
      messageId: `m-${++id}`,
      body: JSON.stringify({ symbol: symbols(i), price: prices(i), timestamp: ++clock }),
      sentTimestamp: clock,
    }));

  const measure = async (scenario: string, rule: AlertRule, make: (round: number) => TickMessage[], rounds = 30): Promise<BatchCost> => {
    const p = ports(rule);
    await processTicks(make(-1), p, deadlineIn(60_000), quiet); // warm: rules and state exist (steady state)
    const times: number[] = [];
    let alerts = 0;
    let calls = { dynamo: 0, sns: 0 };
    for (let round = 0; round < rounds; round++) {
      const messages = make(round);
      dynamoCalls = 0;
      snsCalls = 0;
      const started = performance.now();
      const outcomes = await processTicks(messages, p, deadlineIn(60_000), quiet);
      times.push(performance.now() - started);
      alerts = outcomes.reduce((n, o) => n + (o.status === 'ok' ? o.raised.length : 0), 0);
      calls = { dynamo: dynamoCalls, sns: snsCalls };
    }
    times.sort((a, b) => a - b);
    const zoneChanges = rule.mode === 'cross' ? new Set(make(0).map((m) => (JSON.parse(m.body) as { symbol: string }).symbol)).size : 0;
    const changing = scenario.includes('0 alerts') ? 0 : zoneChanges;
    return {
      scenario,
      alerts,
      'wall ms (median)': Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
      'DynamoDB calls': calls.dynamo,
      'SNS calls': calls.sns,
      'AWS calls': calls.dynamo + calls.sns,
      budget: `≤ ${3 + Math.ceil(alerts / 10)}${changing ? ` + ${changing} state updates` : ''}`,
    };
  };

  const rows = [
    // 25 symbols, each crossing into HIGH or LOW every round (alternating), so every tick raises an alert.
    await measure('cross: 25 alerting ticks', cross, (r) => batch(() => (r % 2 === 0 ? 160 : 40), (i) => `X${i}`)),
    // Source documents' mode: every tick above 150 alerts, no state updates.
    await measure('every: 25 alerting ticks', every, () => batch((i) => 151 + i, (i) => `E${i % 5}`)),
    // Quiet market: 25 ticks inside the band for symbols already NORMAL.
    await measure('cross: 25 ticks, 0 alerts', cross, () => batch((i) => 100 + i, (i) => `Q${i % 5}`)),
  ];
  raw.destroy();
  await server.close();
  return rows;
}

const TICKS = 200_000;
console.log(`\nDomain: validation + rule evaluation, one core (${TICKS.toLocaleString()} ticks)`);
domainThroughput(20_000); // JIT warm-up
console.table([{ 'ticks/s': Math.round(domainThroughput(TICKS)).toLocaleString() }]);
console.log(`\nOne SQS batch of ${DEFAULTS.batchSize} ticks against dynalite (steady state, median of 30)`);
console.table(await batchCost());

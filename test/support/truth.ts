import fc from 'fast-check';
import { alertId, tickKey, type Alert, type AlertRule, type AlertType, type Tick, type Zone } from '../../src/domain/index.js';
import { T0 } from './ticks.js';

/** A maximal run of one alerting zone in a symbol's event-time order. */
export interface Run {
  readonly symbol: string;
  readonly zone: AlertType;
  /** Tick keys in event-time order (ties by key). */
  readonly keys: readonly string[];
}

const byEventTime = (a: Tick, b: Tick) => a.eventTime - b.eventTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** How far inside the band a price must come back to re-arm `level`, written out on its own. */
const distance = (level: number, rearm: AlertRule['rearm']): number =>
  rearm === undefined ? 0 : typeof rearm === 'number' ? rearm : (level * parseFloat(rearm)) / 100;

/**
 * The zone of a tick's run, as a trader would state hysteresis: above `above` is HIGH and below `below` is LOW; in
 * between, a run of HIGH goes on until the price is at or under above minus the re-arm distance, and a run of LOW
 * until it is at or over below plus it; otherwise NORMAL.
 */
function hysteresisZone(price: number, rule: AlertRule, running: Exclude<Zone, 'NORMAL'> | undefined): Zone {
  if (price > rule.above) return 'HIGH';
  if (price < rule.below) return 'LOW';
  if (running === 'HIGH' && price > rule.above - distance(rule.above, rule.rearm)) return 'HIGH';
  if (running === 'LOW' && price < rule.below + distance(rule.below, rule.rearm)) return 'LOW';
  return 'NORMAL';
}

/**
 * A crossing as charting tools define it, tick by tick in event-time order: up where the price is over the level and
 * the tick before was at or under it, down where it is under and the one before at or over. Each crossing is one
 * alert, on the run of ticks on that side that it starts.
 */
function truthCrossings(unique: readonly Tick[], rule: AlertRule): Run[] {
  const level = rule.above;
  const runs: Run[] = [];
  for (const [symbol, series] of Map.groupBy(unique, (t) => t.symbol)) {
    for (let i = 1; i < series.length; i++) {
      const [before, now] = [series[i - 1]!.price, series[i]!.price];
      const up = now > level && before <= level;
      const down = now < level && before >= level;
      if (!((up && rule.crossing !== 'down') || (down && rule.crossing !== 'up'))) continue;
      const side = (p: number) => (up ? p > level : p < level);
      let end = i;
      while (end + 1 < series.length && side(series[end + 1]!.price)) end++;
      runs.push({ symbol, zone: up ? 'HIGH' : 'LOW', keys: series.slice(i, end + 1).map((t) => t.key) });
    }
  }
  return runs;
}

/**
 * The definition, computed the slow and obvious way: every tick seen, once, sorted; every maximal run; with an
 * expiry, only the runs whose first tick is at or before it.
 */
export function truthRuns(ticks: readonly Tick[], rule: AlertRule): Run[] {
  const until = rule.until ?? Number.POSITIVE_INFINITY;
  const time = new Map(ticks.map((t) => [t.key, t.eventTime]));
  return allRuns(ticks, rule).filter((run) => time.get(run.keys[0]!)! <= until);
}

/**
 * A channel, tick by tick in event-time order: a tick changes place when it is in the channel and the one before was
 * out of it, or out of it and the one before was elsewhere (in it, or on the other side); the first tick has no
 * place before it. `inside` and `outside` alert on every stretch in or out (the first one too), `entering` and
 * `exiting` on a change of place into it or out of it. Places follow hysteresis as the thresholds rule does.
 */
function truthChannel(unique: readonly Tick[], rule: AlertRule): Run[] {
  const runs: Run[] = [];
  for (const [symbol, series] of Map.groupBy(unique, (t) => t.symbol)) {
    let before: Zone | undefined;
    let current: { zone: AlertType; keys: string[] } | undefined;
    for (const tick of series) {
      const zone = hysteresisZone(tick.price, rule, before === 'HIGH' || before === 'LOW' ? before : undefined);
      const changed = zone !== before;
      const inside = zone === 'NORMAL';
      const alerts =
        changed &&
        (rule.channel === 'inside'
          ? inside
          : rule.channel === 'outside'
            ? !inside
            : before !== undefined && (rule.channel === 'entering') === inside);
      if (changed) {
        if (current) runs.push({ symbol, ...current });
        current = alerts ? { zone: inside ? 'INSIDE' : (zone as AlertType), keys: [tick.key] } : undefined;
      } else current?.keys.push(tick.key);
      before = zone;
    }
    if (current) runs.push({ symbol, ...current });
  }
  return runs;
}

function allRuns(ticks: readonly Tick[], rule: AlertRule): Run[] {
  const unique = [...new Map(ticks.map((t) => [t.key, t])).values()].sort(byEventTime);
  if (rule.crossing) return truthCrossings(unique, rule);
  if (rule.channel) return truthChannel(unique, rule);
  const runs: Run[] = [];
  const bySymbol = Map.groupBy(unique, (t) => t.symbol);
  for (const [symbol, series] of bySymbol) {
    let current: { zone: Exclude<Zone, 'NORMAL'>; keys: string[] } | undefined;
    for (const tick of series) {
      const zone = hysteresisZone(tick.price, rule, current?.zone);
      if (zone !== 'NORMAL' && current?.zone === zone) current.keys.push(tick.key);
      else {
        if (current) runs.push({ symbol, ...current });
        current = zone === 'NORMAL' ? undefined : { zone, keys: [tick.key] };
      }
    }
    if (current) runs.push({ symbol, ...current });
  }
  return runs;
}

/** The alert ids of the definition: one per run, raised on its first tick. */
export const truthAlertIds = (ticks: readonly Tick[], rule: AlertRule): string[] => truthRuns(ticks, rule).map((r) => alertId(r.keys[0]!, r.zone));

/**
 * Problems with `alerts` as the alerts of `runs`: each run must have exactly one alert, raised on one of its own ticks
 * with its zone, and every alert must belong to a run. Empty when they match.
 */
export function mismatches(alerts: readonly Alert[], runs: readonly Run[]): string[] {
  const problems: string[] = [];
  const runOfKey = new Map<string, Run>();
  for (const run of runs) for (const key of run.keys) runOfKey.set(key, run);
  const alertsOfRun = new Map<Run, Alert[]>();
  const ids = new Set<string>();
  for (const alert of alerts) {
    if (ids.has(alert.alertId)) problems.push(`alert ${alert.alertId} raised twice`);
    ids.add(alert.alertId);
    const run = runOfKey.get(alert.tickKey);
    if (!run || run.zone !== alert.alertType) {
      problems.push(`alert ${alert.alertType} ${alert.symbol} ${alert.price}@${alert.eventTime} belongs to no ${alert.alertType} run`);
      continue;
    }
    alertsOfRun.set(run, [...(alertsOfRun.get(run) ?? []), alert]);
  }
  for (const run of runs) {
    const n = alertsOfRun.get(run)?.length ?? 0;
    if (n !== 1) problems.push(`${run.symbol} ${run.zone} run of ${run.keys.length} tick(s) has ${n} alerts`);
  }
  return problems;
}

export const RULE: AlertRule = { above: 150, below: 50, mode: 'cross' };

/** Crossings of 150 (where streams() flap), each direction. */
export const CROSSING_RULES: readonly AlertRule[] = (['up', 'down', 'either'] as const).map((crossing) => ({
  above: 150,
  below: 150,
  mode: 'cross',
  crossing,
}));

/** A channel between 50 and 150 (where streams() flap), each event, and one with hysteresis. */
export const CHANNEL_RULES: readonly AlertRule[] = [
  ...(['entering', 'exiting', 'inside', 'outside'] as const).map((channel) => ({ ...RULE, channel })),
  { ...RULE, channel: 'outside', rearm: 1 },
];

/** Rules that expire part of the way through what streams() draw (its ticks start at T0, with gaps up to a minute). */
export const EXPIRING_RULES: readonly AlertRule[] = [
  { ...RULE, until: T0 + 90_000 },
  { above: 150, below: 150, mode: 'cross', crossing: 'either', until: T0 + 60_000 },
];

/** Hysteresis by an amount and by a percentage: both re-arm bands hold some of the prices streams() draws. */
export const REARM_RULES: readonly AlertRule[] = [
  { ...RULE, rearm: 1 },
  { ...RULE, rearm: '1%' },
];

/** Prices right around both thresholds (and on them), so streams flap. */
const nearThresholds = fc.constantFrom(149.5, 150, 150.5, 151, 100, 49.5, 50, 50.5, 48);

/**
 * Random multi-symbol streams: 1-3 symbols, prices near both thresholds, event times with gaps and ties (several
 * ticks in one millisecond), and exact duplicates (the same tick sent twice).
 */
export const streams = (maxLength = 120) =>
  fc
    .array(
      fc.record({
        symbol: fc.constantFrom('AAPL', 'MSFT', 'BRK.B'),
        price: nearThresholds,
        gap: fc.constantFrom(0, 0, 1, 1, 2, 1000, 60_000),
        duplicate: fc.integer({ min: 0, max: 9 }),
      }),
      { minLength: 1, maxLength },
    )
    .map((specs) => {
      const ticks: Tick[] = [];
      let time = T0;
      for (const spec of specs) {
        time += spec.gap;
        const tick = { key: tickKey(spec.symbol, time, spec.price), symbol: spec.symbol, price: spec.price, eventTime: time };
        ticks.push(tick);
        if (spec.duplicate === 0) ticks.push({ ...tick });
      }
      return ticks;
    });

/** Cut `items` into consecutive batches of 1..maxSize (sizes drawn from `sizes`). */
export function cut<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0, s = 0; i < items.length; s++) {
    const size = sizes[s % sizes.length]!;
    batches.push(items.slice(i, i + size));
    i += size;
  }
  return batches;
}

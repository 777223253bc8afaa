import { memoryAlertingPorts } from '../../../adapters/memory/index.js';
import type { Alert, Tick } from '../../../domain/index.js';
import { raiseAlerts, type AlertingLog, type AlertingPorts, type Deadline, type EngineLimits } from '../../../pipeline/index.js';
import { DEFAULTS } from '../../../resources/index.js';
import { PROBLEMS_KEPT, type Problem } from '../../emulation/run-stats.js';
import { perSecond } from '../summary.js';
import { MinMaxDecimator, type SeriesPoint } from './decimator.js';
import { MovesAfter, type Moves } from './moves-after.js';
import { feedFiles, type BacktestInput, type RecordOrigin } from './feed.js';
import { ignoredOverrides, ruleOf, withChange, type RuleSet } from './rule-set.js';
import { SymbolData, SymbolRun } from './symbol-stats.js';

/** Buckets per charted symbol: about two per pixel of a wide chart, so the line keeps every visible extreme. */
const CHART_BUCKETS = 2048;
/**
 * Engine states a run may hold: one per symbol and rule set, each up to the lateness horizon of ticks. Past this, a
 * clear error beats running out of memory: a sweep over a file of many symbols needs fewer settings.
 */
const MAX_SYMBOL_STATES = 1_000_000;
/** Symbols charted when none are named: beyond a few dozen charts a report is no longer read. */
export const DEFAULT_CHARTED_SYMBOLS = 40;

export interface BacktestOptions {
  readonly inputs: readonly BacktestInput[];
  /** One rule set, or the settings of a sweep: all evaluated in the same pass over the data. */
  readonly ruleSets: readonly RuleSet[];
  readonly limits: EngineLimits;
  /** Keep every alert (for --json and the report); otherwise only counts. */
  readonly keepAlerts?: boolean;
  /** Keep a decimated price series for charts: the named symbols, or the first `count` symbols in file order. */
  readonly chart?: { readonly symbols?: readonly string[]; readonly count?: number };
  /** Bounds future timestamps, as the deployed functions' clock does (default: now). */
  readonly now?: number;
  /** Default MAX_SYMBOL_STATES. */
  readonly maxSymbolStates?: number;
}

/** What one rule set did. */
export interface RunResult {
  readonly ruleSet: RuleSet;
  readonly symbols: ReadonlyMap<string, SymbolRun>;
  /** Every alert, in the order raised (only with keepAlerts). */
  readonly alerts?: readonly Alert[];
  /** Where the price went after each of them, by alert id (with the alerts). */
  readonly moves?: ReadonlyMap<string, Moves>;
  /**
   * For a rule set with hysteresis: the alerts its rearm suppressed, per symbol and in all (those the same rules
   * without rearm raise on the same ticks, less those they raised).
   */
  readonly suppressedByRearm?: { readonly total: number; readonly symbols: ReadonlyMap<string, number> };
  readonly totals: { readonly HIGH: number; readonly LOW: number; readonly INSIDE: number; readonly late: number; readonly failed: number };
  /** Overrides the engine ignores, and anything else it warned about. */
  readonly warnings: readonly string[];
}

export interface BacktestResult {
  readonly inputs: readonly string[];
  readonly records: {
    /** Valid tick messages (queue) and valid price-bearing events (bus): what the engine evaluated. */
    readonly ticks: number;
    readonly eventTicks: number;
    readonly eventsWithoutPrice: number;
    /** Messages the deployed functions would dead-letter. */
    readonly invalid: number;
    /** Invalid messages that name no valid symbol (so no symbol's table counts them). */
    readonly invalidWithoutSymbol: number;
    readonly unmatchedEvents: number;
    readonly unreadableLines: number;
    /** Valid messages without a timestamp, timed by file order. */
    readonly untimed: number;
  };
  readonly symbols: ReadonlyMap<string, SymbolData>;
  readonly runs: readonly RunResult[];
  /** The decimated price series of the charted symbols. */
  readonly series: ReadonlyMap<string, readonly SeriesPoint[]>;
  /** Up to PROBLEMS_KEPT problems, in file order. */
  readonly problems: readonly Problem[];
  readonly wallTimeMs: number;
  /** Null for a run under a second, where a rate says nothing. */
  readonly ticksPerSecond: number | null;
}

/** Whether any rule of the set has hysteresis. */
const hasRearm = (ruleSet: RuleSet): boolean =>
  Boolean(ruleSet.defaultRule.rearm) || [...ruleSet.overrides.values()].some((o) => o.rearm !== undefined && o.rearm !== 0);

/** Alerts of `shadow` (the rules without rearm) that `run` did not raise, per symbol. */
function suppressed(run: Run, shadow: Run): { total: number; symbols: Map<string, number> } {
  const symbols = new Map<string, number>();
  for (const [symbol, s] of shadow.symbols) {
    const count = (r: SymbolRun | undefined) => (r ? r.alerts.HIGH + r.alerts.LOW + r.alerts.INSIDE : 0);
    const difference = count(s) - count(run.symbols.get(symbol));
    if (difference > 0) symbols.set(symbol, difference);
  }
  return { total: [...symbols.values()].reduce((a, b) => a + b, 0), symbols };
}

/** A backtest has no time limit per batch; nothing in memory waits. */
const UNLIMITED: Deadline = { remainingMs: () => Number.MAX_SAFE_INTEGER };

/** One rule set's engine, through the pipeline's own use case over in-memory ports. */
class Run {
  readonly symbols = new Map<string, SymbolRun>();
  readonly alerts: Alert[] | undefined;
  readonly moves: MovesAfter | undefined;
  readonly totals = { HIGH: 0, LOW: 0, INSIDE: 0, late: 0, failed: 0 };
  readonly warnings = new Set<string>();
  readonly ports: AlertingPorts;
  private readonly log: AlertingLog;

  constructor(
    readonly ruleSet: RuleSet,
    limits: EngineLimits,
    keepAlerts: boolean,
    private readonly onFailure: (origin: RecordOrigin, reason: string) => void,
  ) {
    const alerts = keepAlerts ? ([] as Alert[]) : undefined;
    const moves = keepAlerts ? new MovesAfter() : undefined;
    this.alerts = alerts;
    this.moves = moves;
    for (const problem of ignoredOverrides(ruleSet)) this.warnings.add(problem);
    this.ports = memoryAlertingPorts({
      defaultRule: ruleSet.defaultRule,
      overrides: ruleSet.overrides,
      limits,
      onAlert: (alert) => {
        this.symbol(alert.symbol).alert(alert);
        this.totals[alert.alertType]++;
        alerts?.push(alert);
        moves?.watch(alert);
      },
    });
    // The engine warns once per batch; a warning a person reads once is enough (ignoredOverrides has them already).
    const remember = (message: string, fields: Record<string, unknown>) =>
      this.warnings.add(`${String(fields.symbol ?? '')}: ${message}${fields.problem ? `: ${String(fields.problem)}` : ''}`);
    this.log = { warn: remember, error: remember };
  }

  symbol(symbol: string): SymbolRun {
    let run = this.symbols.get(symbol);
    if (!run) this.symbols.set(symbol, (run = new SymbolRun(ruleOf(this.ruleSet, symbol))));
    return run;
  }

  /** One batch; `origins` parallel to `ticks`. */
  async evaluate(ticks: readonly Tick[], origins: readonly RecordOrigin[], now: number): Promise<void> {
    const outcomes = await raiseAlerts(ticks, this.ports, UNLIMITED, this.log, now);
    for (const [i, tick] of ticks.entries()) {
      const outcome = outcomes.get(tick.key)!;
      const run = this.symbol(tick.symbol);
      if (!outcome.ok) {
        this.totals.failed++;
        // In memory nothing fails to be delivered; were it to, the tick is reported, never dropped unseen.
        this.onFailure(origins[i]!, outcome.failure.message);
      } else if (outcome.late) {
        run.late++;
        this.totals.late++;
      }
    }
    // After the batch raised its alerts: its own later ticks are the first of what came next.
    if (this.moves) for (const tick of ticks) this.moves.observe(tick);
  }

  result(): RunResult {
    return {
      ruleSet: this.ruleSet,
      symbols: this.symbols,
      ...(this.alerts && { alerts: this.alerts }),
      ...(this.moves && { moves: this.moves.result() }),
      totals: { ...this.totals },
      warnings: [...this.warnings],
    };
  }
}

/**
 * Run history files through the deployed functions' validation and alert engine in memory: records validated once in
 * file order, ticks in batches of DEFAULTS.batchSize as the queue delivers them and price-bearing events one at a
 * time as market-processor takes them, every rule set evaluated on the same batches. Nothing is written anywhere.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  if (options.ruleSets.length === 0) throw new RangeError('a backtest needs at least one rule set');
  const started = performance.now();
  const now = options.now ?? Date.now();
  const problems: Problem[] = [];
  const problem = (p: Problem) => problems.length < PROBLEMS_KEPT && problems.push(p);
  const newRun = (ruleSet: RuleSet, keepAlerts: boolean) =>
    new Run(ruleSet, options.limits, keepAlerts, (origin, reason) =>
      problem({ kind: 'tick', outcome: 'skipped', reason: `${options.ruleSets.length > 1 ? `${ruleSet.label}: ` : ''}${reason}`, origin }),
    );
  const runs = options.ruleSets.map((ruleSet) => newRun(ruleSet, options.keepAlerts ?? false));
  // The same rules without hysteresis, on the same batches, for what each rearm suppressed.
  const withoutRearm = new Map(runs.filter((r) => hasRearm(r.ruleSet)).map((r) => [r, newRun(withChange(r.ruleSet, { rearm: 0 }), false)] as const));
  const records = {
    ticks: 0,
    eventTicks: 0,
    eventsWithoutPrice: 0,
    invalid: 0,
    invalidWithoutSymbol: 0,
    unmatchedEvents: 0,
    unreadableLines: 0,
    untimed: 0,
  };
  const symbols = new Map<string, SymbolData>();
  const maxSymbolStates = options.maxSymbolStates ?? MAX_SYMBOL_STATES;
  const dataOf = (symbol: string) => {
    let data = symbols.get(symbol);
    if (!data) {
      if ((symbols.size + 1) * runs.length > maxSymbolStates) {
        throw new RangeError(
          `${symbols.size + 1} symbols × ${runs.length} rule sets is more than the ${maxSymbolStates} symbol states a backtest holds: ` +
            'sweep fewer settings, or split the file by symbol',
        );
      }
      symbols.set(symbol, (data = new SymbolData()));
    }
    return data;
  };
  const named = options.chart?.symbols;
  const chartCount = named ? named.length : (options.chart?.count ?? 0);
  const charts = new Map<string, MinMaxDecimator>((named ?? []).map((s) => [s, new MinMaxDecimator(CHART_BUCKETS)]));

  // Figures of the data itself, in file order (zone time too: batches and events reach the engine in another order).
  const observe = (tick: Tick) => {
    dataOf(tick.symbol).tick(tick.eventTime, tick.price);
    for (const run of runs) run.symbol(tick.symbol).tick(tick.eventTime, tick.price);
    let chart = charts.get(tick.symbol);
    if (!chart && !named && charts.size < chartCount) charts.set(tick.symbol, (chart = new MinMaxDecimator(CHART_BUCKETS)));
    chart?.add(tick.eventTime, tick.price);
  };
  const evaluate = async (ticks: readonly Tick[], origins: readonly RecordOrigin[]) => {
    for (const run of runs) await run.evaluate(ticks, origins, now);
    for (const shadow of withoutRearm.values()) await shadow.evaluate(ticks, origins, now);
  };

  let batch: Tick[] = [];
  let origins: RecordOrigin[] = [];
  for await (const record of feedFiles(options.inputs, now)) {
    switch (record.kind) {
      case 'tick':
        records.ticks++;
        observe(record.tick);
        batch.push(record.tick);
        origins.push(record.origin);
        if (batch.length === DEFAULTS.batchSize) {
          await evaluate(batch, origins);
          batch = [];
          origins = [];
        }
        break;
      case 'event-tick':
        records.eventTicks++;
        observe(record.tick);
        await evaluate([record.tick], [record.origin]);
        break;
      case 'event-without-price':
        records.eventsWithoutPrice++;
        dataOf(record.symbol).eventsWithoutPrice++;
        break;
      case 'invalid':
        records.invalid++;
        if (record.symbol) dataOf(record.symbol).invalid++;
        else records.invalidWithoutSymbol++;
        problem({ kind: record.source, outcome: 'dead-lettered', reason: record.reason, origin: record.origin });
        break;
      case 'unmatched':
        records.unmatchedEvents++;
        problem({ kind: 'event', outcome: 'unmatched', reason: record.reason, origin: record.origin });
        break;
      case 'unreadable':
        records.unreadableLines++;
        problem({ kind: 'line', outcome: 'skipped', reason: record.reason, origin: record.origin });
        break;
    }
    if ((record.kind === 'tick' || record.kind === 'event-tick') && record.untimed) records.untimed++;
  }
  if (batch.length > 0) await evaluate(batch, origins);

  const wallTimeMs = performance.now() - started;
  const evaluated = records.ticks + records.eventTicks;
  return {
    inputs: options.inputs.map((i) => i.file),
    records,
    symbols,
    runs: runs.map((r) => {
      const shadow = withoutRearm.get(r);
      return shadow ? { ...r.result(), suppressedByRearm: suppressed(r, shadow) } : r.result();
    }),
    series: new Map([...charts].filter(([, d]) => d.ticks > 0).map(([symbol, d]) => [symbol, d.points()])),
    problems,
    wallTimeMs: Math.round(wallTimeMs),
    ticksPerSecond: perSecond(evaluated, wallTimeMs),
  };
}

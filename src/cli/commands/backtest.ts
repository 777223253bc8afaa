import type { TriggerMode } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
import { checkInputFile, formatOf, type InputFormat } from '../../local/formats/input-file.js';
import { displayPath } from '../../local/emulation/paths.js';
import {
  DEFAULT_CHARTED_SYMBOLS,
  backtestEngineConfig,
  backtestJson,
  formatBacktest,
  formatSweep,
  readRulesFile,
  runBacktest,
  sweepJson,
  sweepRuleSets,
  withChange,
  type RuleSet,
  type Sweep,
} from '../../local/sessions/backtest/index.js';
import { chartOption, sweepOption } from '../backtest-options.js';
import { describeTarget, resolveTarget, type TargetOptions } from '../target.js';

export interface BacktestCommandOptions extends TargetOptions {
  readonly format?: InputFormat;
  readonly rules?: string;
  readonly rulesFromStore?: boolean;
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
  /** Raw `--sweep` values, checked by sweepOption before anything is read. */
  readonly sweep?: readonly string[];
  readonly json?: boolean;
  readonly report?: string;
  readonly chart?: string;
}

/**
 * Exit code when the files hold no valid tick: the run went to the end but evaluated nothing (a wrong file, most
 * likely). 3, like a replay that dead-lettered messages: 2 is kept for wrong usage.
 */
export const NOTHING_EVALUATED_EXIT_CODE = 3;

const TARGET_OPTIONS = ['env', 'dataDir', 'aws', 'outputs', 'endpoint', 'region'] as const;
const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function checkCombinations(options: BacktestCommandOptions): void {
  if (options.rules && options.rulesFromStore) throw new UserError('--rules and --rules-from-store both give the rules: choose one');
  const target = TARGET_OPTIONS.filter((o) => options[o] !== undefined);
  if (target.length > 0 && !options.rulesFromStore) {
    const [are, them] = target.length === 1 ? ['is', 'it'] : ['are', 'them'];
    throw new UserError(`${target.map(flag).join(', ')} ${are} only for --rules-from-store (where it reads the rules): add --rules-from-store, or leave ${them} out`);
  }
  if (options.report && (options.sweep?.length ?? 0) > 0) {
    throw new UserError('--report charts one rule set: leave out --sweep (or set the one you want with --above/--below)');
  }
  if (options.chart !== undefined && !options.report) throw new UserError('--chart chooses the charts of --report: add --report <file.html>');
}

/** An option's parsed value; a malformed one is one line naming the option. */
function optionValue<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UserError(`${option}: ${(error as Error).message}`);
  }
}

/** The rule set before any sweep: the defaults or the store's rules, a rules file, then --above/--below/--mode for every symbol. */
async function baseRuleSet(options: BacktestCommandOptions, defaults: RuleSet['defaultRule']): Promise<RuleSet> {
  const change = {
    ...(options.above !== undefined && { above: options.above }),
    ...(options.below !== undefined && { below: options.below }),
    ...(options.mode !== undefined && { mode: options.mode }),
  };
  let base: RuleSet;
  if (options.rulesFromStore) {
    const { storedRules } = await import('../stored-rules.js');
    const target = await resolveTarget(options);
    const stored = await storedRules(target);
    base = { label: `the rules of ${describeTarget(target)}; default rule from ${stored.source}`, defaultRule: stored.defaultRule, overrides: stored.overrides };
  } else {
    const overrides = options.rules ? await readRulesFile(options.rules, { ...defaults, ...change }) : new Map();
    base = { label: options.rules ? `the defaults and ${options.rules}` : 'the defaults', defaultRule: defaults, overrides };
  }
  try {
    return withChange(base, change, Object.keys(change).length > 0 ? `${base.label} with ${Object.entries(change).map(([k, v]) => `${k}=${v}`).join(' ')}` : base.label);
  } catch (error) {
    throw new UserError(`${Object.keys(change).map(flag).join(', ')}: ${(error as Error).message}`);
  }
}

function ruleSetsOf(base: RuleSet, sweeps: readonly Sweep[]): RuleSet[] {
  if (sweeps.length === 0) return [base];
  try {
    return sweepRuleSets(base, sweeps);
  } catch (error) {
    throw new UserError(`--sweep ${(error as Error).message}`);
  }
}

/** What-if analysis of alert rules on history files: the deployed engine in memory, nothing written to any store. */
export async function backtestCommand(files: string[], options: BacktestCommandOptions): Promise<void> {
  checkCombinations(options);
  // Option values first: a malformed one stops the command before it reads anything.
  const chart = options.chart === undefined ? undefined : optionValue('--chart', () => chartOption(options.chart!));
  const sweeps = optionValue('--sweep', () => (options.sweep ?? []).reduce<Sweep[]>((all, value) => sweepOption(value, all), []));
  let engine;
  try {
    engine = backtestEngineConfig();
  } catch (error) {
    throw new UserError(`the default rule: ${(error as Error).message}`);
  }
  const ruleSets = ruleSetsOf(await baseRuleSet(options, engine.defaultRule), sweeps);
  const inputs = files.map((file) => ({ file, format: formatOf(file, options.format) }));
  for (const input of inputs) await checkInputFile(input.file);
  // Reports are written next to nothing else: fail on an unwritable path before the run, not after it.
  const report = options.report ? await import('../../local/sessions/backtest/report/index.js') : undefined;
  if (report && options.report) await report.checkReportPath(options.report);

  const result = await runBacktest({
    inputs,
    ruleSets,
    limits: engine.limits,
    keepAlerts: ruleSets.length === 1,
    ...(report && { chart: chart ? { symbols: chart } : { count: DEFAULT_CHARTED_SYMBOLS } }),
  });
  const sweep = ruleSets.length > 1;
  process.stdout.write(options.json ? `${JSON.stringify(sweep ? sweepJson(result) : backtestJson(result), null, 2)}\n` : `${sweep ? formatSweep(result) : formatBacktest(result)}\n`);
  if (report && options.report) {
    await report.writeReport(result, options.report);
    (options.json ? process.stderr : process.stdout).write(`report: ${displayPath(options.report)}\n`);
  }
  if (result.records.ticks + result.records.eventTicks === 0) process.exitCode = NOTHING_EVALUATED_EXIT_CODE;
}

import {
  DEFAULT_CHARTED_SYMBOLS,
  backtestFiles,
  backtestJson,
  engineSettings,
  fileRuleSet,
  formatBacktest,
  formatSweep,
  storeRuleSet,
  sweepJson,
  sweepRuleSets,
  withChange,
  writeBacktestReport,
  type RuleSet,
  type Sweep,
} from '../../app/backtest.js';
import { displayPath, type InputFormat } from '../../app/sessions.js';
import { resolveTarget, type TargetOptions } from '../../app/target.js';
import type { AlertRule, TriggerMode } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
import { chartOption, sweepOption } from '../backtest-options.js';
import { optionValue } from '../common.js';
import type { CommandIO } from '../io.js';
import { EXIT_CODES, type ExitCode } from '../process-exit.js';
import { safeJson } from '../terminal.js';

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

const TARGET_OPTIONS = ['env', 'dataDir', 'aws', 'outputs', 'endpoint', 'region'] as const;
const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function checkCombinations(options: BacktestCommandOptions): void {
  if (options.rules && options.rulesFromStore) throw new UserError('--rules and --rules-from-store both give the rules: choose one');
  const target = TARGET_OPTIONS.filter((o) => options[o] !== undefined);
  if (target.length > 0 && !options.rulesFromStore) {
    const [are, them] = target.length === 1 ? ['is', 'it'] : ['are', 'them'];
    throw new UserError(
      `${target.map(flag).join(', ')} ${are} only for --rules-from-store (where it reads the rules): add --rules-from-store, or leave ${them} out`,
    );
  }
  if (options.report && (options.sweep?.length ?? 0) > 0) {
    throw new UserError('--report charts one rule set: leave out --sweep (or set the one you want with --above/--below)');
  }
  if (options.chart !== undefined && !options.report) throw new UserError('--chart chooses the charts of --report: add --report <file.html>');
}

/** The rule set before any sweep: the defaults or the store's rules, a rules file, then --above/--below/--mode for every symbol. */
async function baseRuleSet(options: BacktestCommandOptions, defaults: AlertRule): Promise<RuleSet> {
  const change = {
    ...(options.above !== undefined && { above: options.above }),
    ...(options.below !== undefined && { below: options.below }),
    ...(options.mode !== undefined && { mode: options.mode }),
  };
  const base = options.rulesFromStore
    ? await storeRuleSet(await resolveTarget(options))
    : await fileRuleSet(options.rules, defaults, { ...defaults, ...change });
  try {
    return withChange(
      base,
      change,
      Object.keys(change).length > 0
        ? `${base.label} with ${Object.entries(change)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : base.label,
    );
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
export async function backtestCommand(files: string[], options: BacktestCommandOptions, io: CommandIO): Promise<ExitCode | void> {
  checkCombinations(options);
  // Option values first: a malformed one stops the command before it reads anything.
  const chart = options.chart === undefined ? undefined : optionValue('--chart', () => chartOption(options.chart!));
  const sweeps = optionValue('--sweep', () => (options.sweep ?? []).reduce<Sweep[]>((all, value) => sweepOption(value, all), []));
  const engine = optionValue('the engine settings', engineSettings);
  const ruleSets = ruleSetsOf(await baseRuleSet(options, engine.defaultRule), sweeps);
  const result = await backtestFiles({
    files,
    ...(options.format !== undefined && { format: options.format }),
    ruleSets,
    limits: engine.limits,
    // Reports are written next to nothing else: the path is checked before the run, not after it.
    ...(options.report && { report: options.report, chart: chart ? { symbols: chart } : { count: DEFAULT_CHARTED_SYMBOLS } }),
  });
  const sweep = ruleSets.length > 1;
  io.stdout.write(
    options.json ? `${safeJson(sweep ? sweepJson(result) : backtestJson(result))}\n` : `${sweep ? formatSweep(result) : formatBacktest(result)}\n`,
  );
  if (options.report) {
    await writeBacktestReport(result, options.report);
    (options.json ? io.stderr : io.stdout).write(`report: ${displayPath(options.report)}\n`);
  }
  // The run went to the end but evaluated nothing (a wrong file, most likely).
  if (result.records.ticks + result.records.eventTicks === 0) return EXIT_CODES.rejected;
}

import type { AlertRule, RuleOverride } from '../domain/index.js';
import { engineSettingsFrom } from '../local/emulation/function-config.js';
import { checkInput, formatOf } from '../local/formats/input-file.js';
import {
  DEFAULT_CHARTED_SYMBOLS,
  checkedChange,
  parseSweep,
  readRulesFile,
  runBacktest,
  sweepRuleSets,
  withChange,
  type BacktestResult,
  type RuleAttributeChange,
  type RuleSet,
  type Sweep,
} from '../local/sessions/backtest/index.js';
import type { EngineLimits } from '../pipeline/index.js';
import type { InputFormat } from '../resources/input-formats.js';
import { UserError } from '../shared/user-error.js';
import { storedRules } from './rules.js';
import { describeTarget, resolveTarget, type Target, type TargetOptions } from './target.js';

/** The rules a target applies now (its default rule and every override), as the rule set of a backtest. */
async function storeRuleSet(target: Target): Promise<RuleSet> {
  const stored = await storedRules(target);
  return {
    label: `the rules of ${describeTarget(target)}; default rule from ${stored.source}`,
    defaultRule: stored.defaultRule,
    overrides: stored.overrides,
    refused: stored.refused,
  };
}

/**
 * The default rule with the overrides of a rules file, if any. Each override is checked against `checkedWith` (the
 * default rule as the run will apply it), so that one the engine would ignore is refused with its line.
 */
async function fileRuleSet(file: string | undefined, defaultRule: AlertRule, checkedWith: AlertRule = defaultRule): Promise<RuleSet> {
  const overrides = file ? await readRulesFile(file, checkedWith) : new Map<string, RuleOverride>();
  return { label: file ? `the defaults and ${file}` : 'the defaults', defaultRule, overrides };
}

export interface RulesRequest {
  /** A rules file of per-symbol overrides, on top of the default rule. */
  readonly rules?: string;
  /** Instead of a rules file: the rules the target applies now (its default rule and every override). */
  readonly rulesFromStore?: TargetOptions;
  /** Set for every symbol, on top of the rules: `--above`, `--below`, `--mode`. */
  readonly change: RuleAttributeChange;
  /** `--sweep` values as given (`above=148:156:1`, `below=45,50`): one rule set per combination. */
  readonly sweeps: readonly string[];
}

/** An option's value, read when the backtest is set up: a malformed one is one line naming the option. */
function optionValue<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UserError(`${option}: ${(error as Error).message}`);
  }
}

/**
 * The rule sets a backtest runs and the engine limits it runs them under, as the deployed functions would read them
 * from this shell. The sweep values are read first, so a malformed one stops the backtest before any rule is read;
 * then the default rule or the target's rules, a rules file, the change for every symbol and the sweep's settings.
 */
export async function backtestRules(request: RulesRequest): Promise<{ ruleSets: RuleSet[]; limits: EngineLimits }> {
  const sweeps = optionValue('--sweep', () => request.sweeps.map(parseSweep));
  const { defaultRule, limits } = optionValue('the engine settings', () => engineSettingsFrom(process.env));
  const { change } = request;
  const changes = Object.entries(change);
  const set = optionValue(changes.map(([k]) => `--${k}`).join(', '), () => checkedChange(change));
  const base = request.rulesFromStore
    ? await storeRuleSet(await resolveTarget(request.rulesFromStore))
    : await fileRuleSet(request.rules, defaultRule, { ...defaultRule, ...set });
  const changed = optionValue(changes.map(([k]) => `--${k}`).join(', '), () =>
    withChange(base, change, changes.length > 0 ? `${base.label} with ${changes.map(([k, v]) => `${k}=${v}`).join(' ')}` : base.label),
  );
  return { ruleSets: sweeps.length === 0 ? [changed] : sweptRuleSets(changed, sweeps), limits };
}

function sweptRuleSets(base: RuleSet, sweeps: readonly Sweep[]): RuleSet[] {
  try {
    return sweepRuleSets(base, sweeps);
  } catch (error) {
    throw new UserError(`--sweep ${(error as Error).message}`);
  }
}

export interface BacktestRequest {
  readonly files: readonly string[];
  /** Default: from each file's extension. */
  readonly format?: InputFormat;
  /** One rule set, or the settings of a sweep. */
  readonly ruleSets: readonly RuleSet[];
  readonly limits: EngineLimits;
  /** Keep what an HTML report charts: the named symbols, or the first DEFAULT_CHARTED_SYMBOLS in the files. */
  readonly chart?: { readonly symbols?: readonly string[] };
  /**
   * Called once every file is checked, before anything is read: the caller's own checks (that the report can be
   * written), so that a long run never ends in an unwritable path.
   */
  readonly beforeRun?: () => Promise<void>;
}

/**
 * What-if analysis of alert rules on history files: the deployed validation and alert engine in memory, nothing
 * written to any store. Every file is checked before anything is read.
 */
export async function backtestFiles(request: BacktestRequest): Promise<BacktestResult> {
  const inputs = request.files.map((file) => ({ file, format: formatOf(file, request.format) }));
  // An empty file holds no tick: the run says so (exit 3) instead of refusing it.
  for (const input of inputs) await checkInput(input.file, input.format, { allowEmpty: true });
  await request.beforeRun?.();
  const { chart } = request;
  return runBacktest({
    inputs,
    ruleSets: request.ruleSets,
    limits: request.limits,
    keepAlerts: request.ruleSets.length === 1,
    ...(chart && { chart: chart.symbols ? { symbols: chart.symbols } : { count: DEFAULT_CHARTED_SYMBOLS } }),
  });
}

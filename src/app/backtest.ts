import type { AlertRule, RuleOverride } from '../domain/index.js';
import { engineSettingsFrom } from '../local/emulation/function-config.js';
import { checkInput, formatOf } from '../local/formats/input-file.js';
import { readRulesFile, runBacktest, type BacktestResult, type RuleSet } from '../local/sessions/backtest/index.js';
import type { EngineLimits } from '../pipeline/index.js';
import type { InputFormat } from '../resources/input-formats.js';
import { storedRules } from './rules.js';
import { describeTarget, type Target } from './target.js';

export {
  DEFAULT_CHARTED_SYMBOLS,
  backtestJson,
  formatBacktest,
  formatSweep,
  parseSweep,
  sweepJson,
  sweepRuleSets,
  withChange,
  type RuleSet,
  type Sweep,
} from '../local/sessions/backtest/index.js';

/** The default rule and engine limits of this shell, exactly as the deployed functions would read them. */
export const engineSettings = (): { defaultRule: AlertRule; limits: EngineLimits } => engineSettingsFrom(process.env);

/** The rules a target applies now (its default rule and every override), as the rule set of a backtest. */
export async function storeRuleSet(target: Target): Promise<RuleSet> {
  const stored = await storedRules(target);
  return {
    label: `the rules of ${describeTarget(target)}; default rule from ${stored.source}`,
    defaultRule: stored.defaultRule,
    overrides: stored.overrides,
  };
}

/**
 * The default rule with the overrides of a rules file, if any. Each override is checked against `checkedWith` (the
 * default rule as the run will apply it), so that one the engine would ignore is refused with its line.
 */
export async function fileRuleSet(file: string | undefined, defaultRule: AlertRule, checkedWith: AlertRule = defaultRule): Promise<RuleSet> {
  const overrides = file ? await readRulesFile(file, checkedWith) : new Map<string, RuleOverride>();
  return { label: file ? `the defaults and ${file}` : 'the defaults', defaultRule, overrides };
}

export interface BacktestRequest {
  readonly files: readonly string[];
  /** Default: from each file's extension. */
  readonly format?: InputFormat;
  /** One rule set, or the settings of a sweep. */
  readonly ruleSets: readonly RuleSet[];
  readonly limits: EngineLimits;
  /** Keep what an HTML report charts: the named symbols, or the first `count` in the files. */
  readonly chart?: { readonly symbols?: readonly string[]; readonly count?: number };
  /** Where the report will be written: checked before the run, so that a long run never ends in an unwritable path. */
  readonly report?: string;
}

/**
 * What-if analysis of alert rules on history files: the deployed validation and alert engine in memory, nothing
 * written to any store. Every file is checked before anything is read.
 */
export async function backtestFiles(request: BacktestRequest): Promise<BacktestResult> {
  const inputs = request.files.map((file) => ({ file, format: formatOf(file, request.format) }));
  // An empty file holds no tick: the run says so (exit 3) instead of refusing it.
  for (const input of inputs) await checkInput(input.file, input.format, { allowEmpty: true });
  if (request.report) await (await import('../local/sessions/backtest/report/index.js')).checkReportPath(request.report);
  return runBacktest({
    inputs,
    ruleSets: request.ruleSets,
    limits: request.limits,
    keepAlerts: request.ruleSets.length === 1,
    ...(request.chart && { chart: request.chart }),
  });
}

/** Write the self-contained HTML report of a backtest (whole, or not at all). */
export async function writeBacktestReport(result: BacktestResult, file: string): Promise<void> {
  await (await import('../local/sessions/backtest/report/index.js')).writeReport(result, file);
}

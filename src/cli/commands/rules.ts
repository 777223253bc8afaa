import { deleteRule, listRules, setRule, type RuleChange } from '../../app/rules.js';
import { describeTarget, resolveTarget, type TargetOptions } from '../../app/target.js';
import { describeRule } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
import { checkSymbol } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson, visible } from '../terminal.js';

export interface RulesOptions extends TargetOptions {
  readonly json?: boolean;
}

/** Per-symbol overrides with the rule in effect and the engine's current zone. */
export async function rulesListCommand(options: RulesOptions, io: CommandIO): Promise<void> {
  const target = await resolveTarget(options);
  const { defaults, source, symbols } = await listRules(target);
  if (options.json) {
    io.stdout.write(`${safeJson({ defaults, symbols })}\n`);
    return;
  }
  io.stdout.write(`default rule: ${describeRule(defaults)} (${describeTarget(target)}; from ${source})\n`);
  for (const row of symbols) {
    const override = row.override
      ? ` (override: ${Object.entries(row.override)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')})`
      : ' (default)';
    const problem = row.problem ? ` — ${row.problem}` : '';
    // Symbols and values come from the table, which anyone with access can fill: shown with controls made visible.
    io.stdout.write(`${visible(`${row.symbol.padEnd(8)} ${describeRule(row.effective)}${override}, zone ${row.zone ?? 'none yet'}${problem}`)}\n`);
  }
}

/** Set some of a symbol's rule attributes; the engine state in the same item is left alone. */
export async function rulesSetCommand(symbol: string, change: RuleChange, options: RulesOptions, io: CommandIO): Promise<void> {
  checkSymbol(symbol);
  if (Object.values(change).every((v) => v === undefined)) throw new UserError('nothing to set: give --above, --below and/or --mode');
  const result = await setRule(await resolveTarget(options), symbol, change);
  io.stdout.write(options.json ? `${safeJson(result)}\n` : `${symbol}: ${describeRule(result.effective)} (takes effect with the next batch)\n`);
}

/** Remove a symbol's override (back to the defaults); the engine state is kept. */
export async function rulesDeleteCommand(symbol: string, options: RulesOptions, io: CommandIO): Promise<void> {
  checkSymbol(symbol);
  const { removed, effective } = await deleteRule(await resolveTarget(options), symbol);
  if (!removed) throw new UserError(`${symbol} has no rule override (it already uses the default rule)`);
  io.stdout.write(
    options.json ? `${safeJson({ symbol, override: null, effective })}\n` : `${symbol}: override removed; now ${describeRule(effective)}\n`,
  );
}

import { Option, type Command } from 'commander';
import type { RuleChange } from '../../app/rules.js';
import type { TargetOptions } from '../../app/target.js';
import { CHANNEL_EVENTS, CONDITION_KINDS, CROSS_DIRECTIONS, describeRule } from '../../domain/index.js';
import { TRIGGER_MODES } from '../../resources/index.js';
import { UserError } from '../../shared/user-error.js';
import { checkSymbol, demoOption, examples, oneOf, positiveNumber, targetOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { safeJson, visible } from '../terminal.js';

export interface RulesOptions extends TargetOptions {
  readonly json?: boolean;
}

export function rulesCommand(program: Command, { io, action }: CommandContext): void {
  const rules = program
    .command('rules')
    .description(
      'per-symbol alert rules: thresholds (with trigger mode and rearm) or crossings of a level (read by the next batch: no restart needed)',
    )
    .addHelpText('after', examples('market-data rules list', 'market-data rules set AAPL --above 152', 'market-data rules delete AAPL'));
  targetOptions(
    rules.command('list').description('show every symbol with a rule or engine state').addOption(demoOption()).option('--json', 'print as JSON'),
  )
    .addHelpText('after', examples('market-data rules list', 'market-data rules list --json', 'market-data rules list --aws --env prod'))
    .action(action((options: RulesOptions) => rulesListCommand(options, io)));
  targetOptions(
    rules
      .command('set')
      .description("set some of a symbol's rule: the others keep their value (or the default)")
      .argument('<symbol>')
      .option('--above <price>', 'HIGH when the price is above this', positiveNumber)
      .option('--below <price>', 'LOW when the price is below this', positiveNumber)
      .addOption(
        new Option('--mode <mode>', 'cross: alert on entering HIGH or LOW; every: alert on every tick there').argParser(oneOf(TRIGGER_MODES)),
      )
      .addOption(
        new Option('--kind <kind>', 'thresholds (above/below, the default), crosses (a level) or channel (the band below to above)').argParser(
          oneOf(CONDITION_KINDS),
        ),
      )
      .addOption(new Option('--on <event>', 'channel: what alerts (entering, exiting, inside, outside)').argParser(oneOf(CHANNEL_EVENTS)))
      .option('--level <price>', 'crosses: the level whose crossings alert', positiveNumber)
      .addOption(new Option('--direction <direction>', 'crosses: which crossings alert (default either)').argParser(oneOf(CROSS_DIRECTIONS)))
      .option('--until <time>', 'the rule expires: runs that start after this moment of event time (ISO-8601 with a time zone) raise nothing')
      .option(
        '--rearm <amount>',
        'cross mode: after an alert, the price must come back inside by this much (0.5) or this share of the threshold (0.5%) before it alerts again; 0 for none',
      )
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data rules set AAPL --above 152',
        'market-data rules set KO --above 62 --below 40 --mode every',
        'market-data rules set AAPL --below 140 --rearm 0.5%',
        'market-data rules set NVDA --kind crosses --level 900 --direction up',
        'market-data rules set TSLA --above 400 --until 2026-12-31T21:00:00Z',
        'market-data rules set KO --kind channel --below 58 --above 62 --on exiting',
      ),
    )
    .action(
      action((symbol: string, options: RulesOptions & RuleChange) =>
        rulesSetCommand(
          symbol,
          {
            kind: options.kind,
            above: options.above,
            below: options.below,
            mode: options.mode,
            rearm: options.rearm,
            level: options.level,
            direction: options.direction,
            on: options.on,
            until: options.until,
          },
          options,
          io,
        ),
      ),
    );
  targetOptions(
    rules
      .command('delete')
      .description("remove a symbol's override (back to the default rule; its engine state is kept)")
      .argument('<symbol>')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('market-data rules delete AAPL'))
    .action(action((symbol: string, options: RulesOptions) => rulesDeleteCommand(symbol, options, io)));
}

/** Per-symbol overrides with the rule in effect and the engine's current zone. */
async function rulesListCommand(options: RulesOptions, io: CommandIO): Promise<void> {
  const [{ listRules }, { describeTarget, resolveTarget }] = await Promise.all([import('../../app/rules.js'), import('../../app/target.js')]);
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
async function rulesSetCommand(symbol: string, change: RuleChange, options: RulesOptions, io: CommandIO): Promise<void> {
  const [{ setRule }, { resolveTarget }] = await Promise.all([import('../../app/rules.js'), import('../../app/target.js')]);
  checkSymbol(symbol);
  if (Object.values(change).every((v) => v === undefined))
    throw new UserError('nothing to set: give --above, --below, --mode, --rearm, --until, or --kind crosses or channel with its options');
  const result = await setRule(await resolveTarget(options), symbol, change);
  io.stdout.write(options.json ? `${safeJson(result)}\n` : `${symbol}: ${describeRule(result.effective)} (takes effect with the next batch)\n`);
}

/** Remove a symbol's override (back to the defaults); the engine state is kept. */
async function rulesDeleteCommand(symbol: string, options: RulesOptions, io: CommandIO): Promise<void> {
  const [{ deleteRule }, { resolveTarget }] = await Promise.all([import('../../app/rules.js'), import('../../app/target.js')]);
  checkSymbol(symbol);
  const { removed, effective } = await deleteRule(await resolveTarget(options), symbol);
  if (!removed) throw new UserError(`${symbol} has no rule override (it already uses the default rule)`);
  io.stdout.write(
    options.json ? `${safeJson({ symbol, override: null, effective })}\n` : `${symbol}: override removed; now ${describeRule(effective)}\n`,
  );
}

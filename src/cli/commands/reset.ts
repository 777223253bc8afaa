import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { TargetOptions } from '../../app/target.js';
import { displayPath } from '../../shared/text.js';
import { UserError } from '../../shared/user-error.js';
import { examples, localOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { paint, visible } from '../terminal.js';

interface ResetOptions extends Pick<TargetOptions, 'env' | 'dataDir'> {
  readonly yes?: boolean;
  readonly keepRules?: boolean;
}

export function resetCommand(program: Command, { io, action }: CommandContext): void {
  localOptions(
    program
      .command('reset')
      .description("delete an environment's local data (embedded store, dead letters, notifications, demo run), after saying what that is"),
  )
    .option('--keep-rules', 'keep the rule overrides; delete everything else')
    .option('-y, --yes', 'do not ask (required when standard input is not a terminal)')
    .addHelpText('after', examples('market-data reset', 'market-data reset --env qa --yes', 'market-data reset --keep-rules'))
    .action(action((options: ResetOptions) => reset(options, io)));
}

/** Ask before deleting (on stderr); only a person at a terminal can answer, so without one the command needs --yes. */
async function confirm(question: string, io: CommandIO): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Delete an environment's local data after saying what that is. */
async function reset(options: ResetOptions, io: CommandIO): Promise<void> {
  const [{ planLocalReset, resetLocal }, { resolveTarget }] = await Promise.all([import('../../app/sessions.js'), import('../../app/target.js')]);
  const target = await resolveTarget({ ...(options.env && { env: options.env }), ...(options.dataDir && { dataDir: options.dataDir }) });
  if (target.kind !== 'local') throw new Error('unreachable: reset always targets the embedded store');
  const keepRules = Boolean(options.keepRules);
  const plan = await planLocalReset(target, keepRules);
  const where = visible(displayPath(plan.root));
  if (plan.empty) {
    io.stdout.write(`nothing to reset: environment ${plan.environment} has no local data (${where})\n`);
    return;
  }
  io.stdout.write(`reset deletes, in environment ${plan.environment} (${where}):\n${plan.items.map((i) => `  - ${i}\n`).join('')}`);
  if (!options.yes) {
    if (!io.stdin.isTTY) {
      throw new UserError('reset asks before deleting, and standard input is not a terminal: run it again with --yes to delete; nothing was deleted');
    }
    if (!(await confirm(`${paint('bold', 'delete all of this?', io.stderr)} [y/N] `, io))) {
      io.stdout.write('nothing was deleted\n');
      return;
    }
  }
  await resetLocal(target, keepRules);
  io.stdout.write(`environment ${plan.environment} reset${options.keepRules ? ' (rule overrides kept)' : ''}\n`);
}

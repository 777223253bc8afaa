import { createInterface } from 'node:readline/promises';
import { UserError } from '../../shared/user-error.js';
import { dataHome, displayPath } from '../../local/emulation/paths.js';
import { planReset, reset } from '../../local/sessions/reset.js';
import { paint, visible } from '../terminal.js';
import { resolveTarget, type TargetOptions } from '../target.js';

export interface ResetOptions extends Pick<TargetOptions, 'env' | 'dataDir'> {
  readonly yes?: boolean;
  readonly keepRules?: boolean;
}

export interface Prompt {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/** Ask before deleting; only a person at a terminal can answer, so without one the command needs --yes. */
export async function confirm(question: string, prompt: Prompt): Promise<boolean> {
  const rl = createInterface({ input: prompt.input, output: prompt.output });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Delete an environment's local data after saying what that is. */
export async function resetCommand(options: ResetOptions, prompt: Prompt = { input: process.stdin, output: process.stderr }): Promise<void> {
  const target = await resolveTarget({ ...(options.env && { env: options.env }), ...(options.dataDir && { dataDir: options.dataDir }) });
  const home = dataHome(options.dataDir);
  const plan = await planReset(home, target.environment, Boolean(options.keepRules));
  const where = visible(displayPath(plan.root));
  if (plan.empty) {
    process.stdout.write(`nothing to reset: environment ${plan.environment} has no local data (${where})\n`);
    return;
  }
  process.stdout.write(`reset deletes, in environment ${plan.environment} (${where}):\n${plan.items.map((i) => `  - ${i}\n`).join('')}`);
  if (!options.yes) {
    if (!prompt.input.isTTY) {
      throw new UserError('reset asks before deleting, and standard input is not a terminal: run it again with --yes to delete; nothing was deleted');
    }
    if (!(await confirm(`${paint('bold', 'delete all of this?', prompt.output)} [y/N] `, prompt))) {
      process.stdout.write('nothing was deleted\n');
      return;
    }
  }
  await reset(home, target.environment, Boolean(options.keepRules));
  process.stdout.write(`environment ${plan.environment} reset${options.keepRules ? ' (rule overrides kept)' : ''}\n`);
}

import type { Command } from 'commander';
import type { TargetOptions } from '../../app/target.js';
import { displayPath } from '../../shared/text.js';
import { examples, localOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { visible } from '../terminal.js';

interface DemoOptions extends Pick<TargetOptions, 'env' | 'dataDir'> {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export function demoCommand(program: Command, { io, action }: CommandContext): void {
  localOptions(
    program.command('demo').description("replay the bundled sample session as a fresh demo run with the environment's rules (what npm start does)"),
  )
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'leave out the alert lines')
    .option('--verbose', "show the handlers' structured logs and metrics")
    .addHelpText('after', examples('npm start', 'market-data demo --env qa', 'market-data alerts --demo'))
    .action(action((options: DemoOptions) => demo(options, io)));
}

/**
 * `npm start`: the bundled session through the whole pipeline on the embedded store, as a fresh demo run each time,
 * with the environment's rules; what `replay` accumulated is never touched.
 */
async function demo(options: DemoOptions, io: CommandIO): Promise<void> {
  const [{ demoSetting, runDemo }, { resolveTarget }, { reportRun }] = await Promise.all([
    import('../../app/sessions.js'),
    import('../../app/target.js'),
    import('../run-report.js'),
  ]);
  const target = await resolveTarget({ ...(options.env && { env: options.env }), ...(options.dataDir && { dataDir: options.dataDir }) });
  if (target.kind !== 'local') throw new Error('unreachable: the demo always runs on the embedded store');
  const { sessionDir, sampleFile } = demoSetting(target);
  const say = (line: string) => !options.json && io.stdout.write(`${line}\n`);
  say(
    `market data pipeline, demo run (environment ${target.environment}, data in ${visible(displayPath(sessionDir))}, apart from what replay keeps)`,
  );
  say(`replaying ${displayPath(sampleFile)} afresh with the environment's rules: ticks to the queue, trades and quotes to the bus\n`);
  const report = {
    ...(options.json !== undefined && { json: options.json }),
    ...(options.quiet !== undefined && { quiet: options.quiet }),
    progress: false,
  };
  await runDemo(target, { ...(options.verbose !== undefined && { verbose: options.verbose }) }, (prepared) => reportRun(prepared, report, io));
  say(`\nthis run: npx market-data alerts --demo, npx market-data dlq list --demo`);
  say(`change a rule and run again: npx market-data rules set AAPL --above 152, then npm start`);
}

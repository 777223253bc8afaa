import { demoSetting, displayPath, runDemo } from '../../app/sessions.js';
import { resolveTarget, type TargetOptions } from '../../app/target.js';
import type { CommandIO } from '../io.js';
import { reportRun } from '../run-report.js';
import { visible } from '../terminal.js';

export interface DemoOptions extends Pick<TargetOptions, 'env' | 'dataDir'> {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/**
 * `npm start`: the bundled session through the whole pipeline on the embedded store, as a fresh demo run each time,
 * with the environment's rules; what `replay` accumulated is never touched.
 */
export async function demoCommand(options: DemoOptions, io: CommandIO): Promise<void> {
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

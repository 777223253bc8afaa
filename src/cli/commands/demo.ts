import { fileURLToPath } from 'node:url';
import { replayWithReport } from '../run-report.js';
import { dataHome, displayPath as shown, localPaths } from '../../local/emulation/paths.js';
import { resolveTarget, type TargetOptions } from '../target.js';
import { visible } from '../terminal.js';

/** The bundled trading session that `npm start` replays. */
export const SAMPLE_SESSION = fileURLToPath(new URL('../../local/sample/session.jsonl', import.meta.url));

/**
 * One batch in flight at a time. Which tick of a crossing raises its alert depends, for the arrival-order engine,
 * on how concurrent batches interleave; a demo must print the same alerts on every run.
 */
export const DEMO_CONCURRENCY = 1;

export interface DemoOptions extends Pick<TargetOptions, 'env' | 'dataDir'> {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/**
 * `npm start`: the bundled session through the whole pipeline on the embedded store, as a fresh demo run each time.
 * Its alerts, symbol state, dead letters and notifications start clean, in tables and files of their own, so what
 * `replay` accumulated is never touched; the rules are the environment's, so a changed rule shows at once.
 */
export async function demoCommand(options: DemoOptions): Promise<void> {
  const target = await resolveTarget({ ...(options.env && { env: options.env }), ...(options.dataDir && { dataDir: options.dataDir }) });
  const home = dataHome(options.dataDir);
  const paths = localPaths(home, target.environment, 'demo');
  const say = (line: string) => !options.json && process.stdout.write(`${line}\n`);
  say(`market data pipeline, demo run (environment ${target.environment}, data in ${visible(shown(paths.sessionDir))}, apart from what replay keeps)`);
  say(`replaying ${shown(SAMPLE_SESSION)} afresh with the environment's rules: ticks to the queue, trades and quotes to the bus\n`);
  await replayWithReport({
    environment: target.environment,
    home,
    session: 'demo',
    fresh: true,
    inputs: [{ file: SAMPLE_SESSION, format: 'jsonl' }],
    progress: false,
    concurrency: DEMO_CONCURRENCY,
    ...(options.verbose !== undefined && { verbose: options.verbose }),
    ...(options.json !== undefined && { json: options.json }),
    ...(options.quiet !== undefined && { quiet: options.quiet }),
  });
  say(`\nthis run: npx market-data alerts --demo, npx market-data dlq list --demo`);
  say(`change a rule and run again: npx market-data rules set AAPL --above 152, then npm start`);
}

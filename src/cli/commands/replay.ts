import { replayWithReport } from '../run-report.js';
import { formatOf, type InputFormat } from '../../local/formats/input-file.js';
import { dataHome } from '../../local/emulation/paths.js';
import { rejectedCount } from '../../local/sessions/summary.js';
import { EXIT_CODES } from '../process-exit.js';
import { TABLES, type TableKey } from '../../resources/index.js';
import { openRemoteTables, resolveTarget, type TargetOptions } from '../target.js';

export interface ReplayCommandOptions extends TargetOptions {
  readonly format?: InputFormat;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly progress?: boolean;
  readonly concurrency?: number;
  readonly verbose?: boolean;
  /** Clear the environment's alerts, state, dead letters and notifications first (rules kept). */
  readonly fresh?: boolean;
  /** Exit with EXIT_CODES.rejected when anything was dead-lettered, skipped or matched no rule. */
  readonly strict?: boolean;
}

/** Files through the local pipeline (on the embedded store, or on a deployed environment's tables). */
export async function replayCommand(files: string[], options: ReplayCommandOptions): Promise<void> {
  const target = await resolveTarget(options);
  const remote = target.kind === 'aws' ? await openRemoteTables(target, Object.keys(TABLES) as TableKey[]) : undefined;
  try {
    const summary = await replayWithReport({
      environment: target.environment,
      home: dataHome(options.dataDir),
      inputs: files.map((file) => ({ file, format: formatOf(file, options.format) })),
      ...(remote && { remote }),
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.verbose !== undefined && { verbose: options.verbose }),
      ...(options.json !== undefined && { json: options.json }),
      ...(options.quiet !== undefined && { quiet: options.quiet }),
      ...(options.progress !== undefined && { progress: options.progress }),
      ...(options.fresh && { fresh: true }),
    });
    if (options.strict && rejectedCount(summary) > 0) process.exitCode = EXIT_CODES.rejected;
  } finally {
    await remote?.close();
  }
}

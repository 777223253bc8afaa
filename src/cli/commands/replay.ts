import { lateCount, rejectedCount, replayFiles, type InputFormat } from '../../app/sessions.js';
import { resolveTarget, type TargetOptions } from '../../app/target.js';
import type { CommandIO } from '../io.js';
import { EXIT_CODES, type ExitCode } from '../process-exit.js';
import { reportRun } from '../run-report.js';

export interface ReplayCommandOptions extends TargetOptions {
  readonly format?: InputFormat;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly progress?: boolean;
  readonly concurrency?: number;
  readonly verbose?: boolean;
  /** Clear the environment's alerts, state, dead letters and notifications first (rules kept). */
  readonly fresh?: boolean;
  /** Exit with EXIT_CODES.rejected when anything was dead-lettered, skipped or matched no rule, or a tick was late. */
  readonly strict?: boolean;
}

/** Files through the local pipeline (on the embedded store, or on a deployed environment's tables). */
export async function replayCommand(files: string[], options: ReplayCommandOptions, io: CommandIO): Promise<ExitCode | void> {
  const target = await resolveTarget(options);
  const request = {
    files,
    ...(options.format !== undefined && { format: options.format }),
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    ...(options.verbose !== undefined && { verbose: options.verbose }),
    ...(options.fresh && { fresh: true }),
  };
  const report = {
    ...(options.json !== undefined && { json: options.json }),
    ...(options.quiet !== undefined && { quiet: options.quiet }),
    ...(options.progress !== undefined && { progress: options.progress }),
  };
  const summary = await replayFiles(target, request, (prepared) => reportRun(prepared, report, io));
  if (options.strict && rejectedCount(summary) + lateCount(summary) > 0) return EXIT_CODES.rejected;
}

import { dataHome, localPaths } from '../local/emulation/paths.js';
import { checkInput, formatOf } from '../local/formats/input-file.js';
import { SAMPLE_SESSION, demo } from '../local/sessions/demo.js';
import { replay, type RunHooks } from '../local/sessions/replay.js';
import { planReset, reset, type ResetPlan } from '../local/sessions/reset.js';
import type { RunSummary } from '../local/sessions/summary.js';
import type { InputFormat } from '../resources/input-formats.js';
import { TABLES, type TableKey } from '../resources/index.js';
import { UserError } from '../shared/user-error.js';
import { openRemoteTables, type LocalTarget, type Target } from './target.js';

/** A run through the local pipeline, set up and ready: whoever presents it runs it with the hooks it reports through. */
export interface PreparedRun {
  /** The input files' sizes in bytes, for a progress bar; none when the run reads no input files. */
  readonly sizes?: ReadonlyMap<string, number>;
  /** How many different input files (a run over several names the file of each problem). */
  readonly files: number;
  run(hooks: RunHooks): Promise<RunSummary>;
}

export interface ReplayRequest {
  readonly files: readonly string[];
  /** Default: from each file's extension. */
  readonly format?: InputFormat;
  readonly dataDir?: string;
  readonly concurrency?: number;
  readonly verbose?: boolean;
  /** Clear the environment's alerts, state, dead letters and notifications first (rules kept): embedded store only. */
  readonly fresh?: boolean;
}

/**
 * Files through the local pipeline, on the embedded store or on a deployed environment's tables. Every file is
 * checked first (that it exists, and a CSV file's header), so a bad file stops the run before anything of any file
 * is sent; then `present` runs it and its result is returned.
 */
export async function replayFiles<T>(target: Target, request: ReplayRequest, present: (prepared: PreparedRun) => Promise<T>): Promise<T> {
  if (request.fresh && target.kind === 'aws') throw new UserError('--fresh clears the embedded store only; it is not for a deployed environment');
  const remote = target.kind === 'aws' ? await openRemoteTables(target, Object.keys(TABLES) as TableKey[]) : undefined;
  try {
    const inputs = request.files.map((file) => ({ file, format: formatOf(file, request.format) }));
    const sizes = new Map<string, number>();
    for (const input of inputs) sizes.set(input.file, await checkInput(input.file, input.format));
    return await present({
      sizes,
      files: new Set(request.files).size,
      run: (hooks) =>
        replay({
          environment: target.environment,
          home: dataHome(request.dataDir),
          inputs,
          ...(remote && { remote }),
          ...(request.concurrency !== undefined && { concurrency: request.concurrency }),
          ...(request.verbose !== undefined && { verbose: request.verbose }),
          ...(request.fresh && { fresh: true }),
          ...hooks,
        }),
    });
  } finally {
    await remote?.close();
  }
}

/** Where the demo run of an environment keeps its files, and the sample session it replays. */
export const demoSetting = (target: LocalTarget): { readonly sessionDir: string; readonly sampleFile: string } => ({
  sessionDir: localPaths(target.home, target.environment, 'demo').sessionDir,
  sampleFile: SAMPLE_SESSION,
});

/** `npm start`: the bundled sample session as a fresh demo run with the environment's rules (see local/sessions/demo). */
export function runDemo<T>(target: LocalTarget, options: { readonly verbose?: boolean }, present: (prepared: PreparedRun) => Promise<T>): Promise<T> {
  return present({
    files: 1,
    run: (hooks) =>
      demo({ environment: target.environment, home: target.home, ...(options.verbose !== undefined && { verbose: options.verbose }), ...hooks }),
  });
}

/** What `reset` would delete in the target's local folder. */
export const planLocalReset = (target: LocalTarget, keepRules: boolean): Promise<ResetPlan> => planReset(target.home, target.environment, keepRules);

/** Delete the target's local data; with `keepRules`, both sessions start afresh and the rule overrides stay. */
export const resetLocal = (target: LocalTarget, keepRules: boolean): Promise<void> => reset(target.home, target.environment, keepRules);

/** Messages that were not processed: dead-lettered, matched no rule, or unreadable lines. */
export const rejectedCount = (summary: RunSummary): number =>
  summary.ticks.deadLettered + summary.marketEvents.deadLettered + summary.marketEvents.unmatched + summary.badLines;

/** Ticks and price-bearing events that came beyond the lateness horizon: acknowledged, but they changed no alert run. */
export const lateCount = (summary: RunSummary): number => summary.ticks.late + summary.marketEvents.late;

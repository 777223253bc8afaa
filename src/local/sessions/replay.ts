import type { Alert } from '../../domain/index.js';
import type { InputFormat } from '../../resources/input-formats.js';
import { readInput, type ReadProgress } from '../formats/input-file.js';
import type { LocalPipeline } from '../emulation/pipeline.js';
import { withLocalPipeline, type RunSetup } from './run.js';
import type { Problem, RunStats } from '../emulation/run-stats.js';
import type { RunSummary } from './summary.js';

export interface ReplayInput {
  readonly file: string;
  readonly format: InputFormat;
}

/** Send every record of a file to the pipeline: ticks to the queue, events to the bus, unreadable lines reported. */
async function feedFile(pipeline: LocalPipeline, stats: RunStats, input: ReplayInput, progress?: (p: ReadProgress) => void): Promise<void> {
  for await (const record of readInput(input.file, input.format, progress)) {
    const origin = { file: input.file, line: record.line };
    if (record.kind === 'tick') await pipeline.sendTick(record.body, origin);
    else if (record.kind === 'event') await pipeline.putEvent(record.entry, origin);
    else stats.problem({ kind: 'line', outcome: 'skipped', reason: record.reason, origin });
  }
}

/** What a run reports through while it goes. */
export interface RunHooks {
  readonly onAlert?: (alert: Alert) => void;
  readonly onProblem: (problem: Problem) => void;
  readonly progress?: (input: ReplayInput, p: ReadProgress) => void;
}

export interface ReplayOptions extends RunSetup {
  readonly inputs: readonly ReplayInput[];
  readonly progress?: RunHooks['progress'];
}

/** Run files through the pipeline on the embedded store (or a deployed environment's tables) and summarise. */
export function replay(options: ReplayOptions): Promise<RunSummary> {
  const { progress } = options;
  return withLocalPipeline(
    options,
    options.inputs.map((i) => i.file),
    async (pipeline, stats) => {
      for (const input of options.inputs) await feedFile(pipeline, stats, input, progress && ((p) => progress(input, p)));
    },
  );
}

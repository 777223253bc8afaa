import type { Alert } from '../../domain/index.js';
import type { Session } from '../emulation/paths.js';
import { openPipelineTables, type RemoteTables } from './pipeline-tables.js';
import { createLocalPipeline, type LocalPipeline } from '../emulation/pipeline.js';
import { RunStats, type Problem } from '../emulation/run-stats.js';
import { summaryOf, type RunSummary } from './summary.js';

export interface RunSetup {
  readonly environment: string;
  /** Local data home: the embedded store, the dead-letter files and the notifications file live there. */
  readonly home: string;
  /** Use these tables instead of the embedded store. */
  readonly remote?: RemoteTables;
  /** The embedded store's session: `main` (accumulates) or `demo` (npm start's). */
  readonly session?: Session;
  /** Clear the session before the run (rules kept). */
  readonly fresh?: boolean;
  readonly onAlert?: (alert: Alert) => void;
  readonly onProblem?: (problem: Problem) => void;
  readonly concurrency?: number;
  readonly verbose?: boolean;
}

/**
 * Open the tables, build the pipeline, let `work` send messages through it, then wait for everything sent to be
 * finished (or dead-lettered) before the store closes, even when `work` fails halfway.
 */
export async function withLocalPipeline(
  setup: RunSetup,
  inputs: readonly string[],
  work: (pipeline: LocalPipeline, stats: RunStats) => Promise<void>,
): Promise<RunSummary> {
  const started = performance.now();
  const tables = await openPipelineTables({
    environment: setup.environment,
    home: setup.home,
    ...(setup.remote && { remote: setup.remote }),
    ...(setup.session && { session: setup.session }),
    ...(setup.fresh && { fresh: setup.fresh }),
  });
  try {
    const stats = new RunStats(setup.onProblem);
    const pipeline = createLocalPipeline({
      environment: setup.environment,
      region: tables.region,
      documents: tables.documents,
      ...(tables.tableNames && { tableNames: tables.tableNames }),
      paths: tables.paths,
      stats,
      ...(setup.onAlert && { onAlert: setup.onAlert }),
      ...(setup.concurrency !== undefined && { concurrency: setup.concurrency }),
      ...(setup.verbose !== undefined && { verbose: setup.verbose }),
    });
    try {
      await work(pipeline, stats);
    } finally {
      await pipeline.drain();
    }
    return summaryOf(stats, setup.environment, inputs, performance.now() - started);
  } finally {
    await tables.close();
  }
}

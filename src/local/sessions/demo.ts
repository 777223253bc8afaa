import { fileURLToPath } from 'node:url';
import { replay, type RunHooks } from './replay.js';
import type { RunSetup } from './run.js';
import type { RunSummary } from './summary.js';

/** The bundled trading session that `npm start` replays. */
export const SAMPLE_SESSION = fileURLToPath(new URL('../sample/session.jsonl', import.meta.url));

/**
 * One batch in flight at a time. Which tick of a crossing raises its alert depends, for the arrival-order engine,
 * on how concurrent batches interleave; a demo must print the same alerts on every run.
 */
const DEMO_CONCURRENCY = 1;

export type DemoOptions = Omit<RunSetup, 'remote' | 'session' | 'fresh' | 'concurrency'> & RunHooks;

/**
 * `npm start`: the bundled session through the whole pipeline on the embedded store, as a fresh demo run each time.
 * Its alerts, symbol state, dead letters and notifications start clean, in tables and files of their own, so what
 * `replay` accumulated is never touched; the rules are the environment's, so a changed rule shows at once.
 */
export function demo(options: DemoOptions): Promise<RunSummary> {
  return replay({ ...options, session: 'demo', fresh: true, inputs: [{ file: SAMPLE_SESSION, format: 'jsonl' }], concurrency: DEMO_CONCURRENCY });
}

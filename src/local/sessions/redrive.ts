import { withLocalPipeline, type RunSetup } from './run.js';
import type { RunSummary } from './summary.js';

export type DeadLetterQueueChoice = 'ticks' | 'events' | 'all';

export interface RedriveOptions extends RunSetup {
  readonly queue: DeadLetterQueueChoice;
}

/**
 * Put the local dead letters back through the pipeline (after a fix, or a rule change): ticks to the queue, events to
 * the rule they failed on. Messages that fail again return to their dead-letter queue; none is lost on the way.
 */
export function redrive(options: RedriveOptions): Promise<RunSummary> {
  return withLocalPipeline(options, [], async (pipeline) => {
    if (options.queue !== 'events') {
      await pipeline.ticksDlq.redrive(async (letters) => {
        for (const letter of letters) await pipeline.redriveTick(letter);
        await pipeline.drain();
      });
    }
    if (options.queue !== 'ticks') {
      await pipeline.eventsDlq.redrive(async (letters) => {
        for (const letter of letters) await pipeline.redriveEvent(letter);
        await pipeline.drain();
      });
    }
  });
}

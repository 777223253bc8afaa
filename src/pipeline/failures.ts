/**
 * Why a tick's alert path failed, by stage. Every failure is retried (its message is reported as a batch item
 * failure); the stage says what is down, for the logs, the metrics and the local dead letters:
 * - `rules`: the symbols' rules and state could not be read;
 * - `state`: the symbol's state could not be written;
 * - `backlog`: the symbol has too many alerts waiting for delivery to take new ones (SNS or the alerts table failing);
 * - `notification`: SNS did not accept the alert;
 * - `record`: the alert was notified but its record in market-alerts was not written.
 */
export const FAILURE_STAGES = ['rules', 'state', 'backlog', 'notification', 'record'] as const;
export type FailureStage = (typeof FAILURE_STAGES)[number];

export class PipelineFailure extends Error {
  constructor(
    readonly stage: FailureStage,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

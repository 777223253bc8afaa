import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Observability } from '../../handlers/observability.js';
import { DEFAULTS } from '../../resources/index.js';

/** A function's logs and metrics on this machine, as the deployed function writes them. */
export const localObservability = (serviceName: string): Observability => ({
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: DEFAULTS.metricsNamespace, serviceName }),
});

/**
 * The last failure reason data-processor gave for each message still in flight. SQS's partial batch response says
 * only *which* messages failed; this keeps *why*, so a dead letter carries the real reason even when the logs are
 * silenced.
 */
export class FailureReasons {
  private readonly reasons = new Map<string, string>();

  /** Pass as data-processor's `onFailed`. */
  readonly record = (messageId: string, reason: string): void => {
    this.reasons.set(messageId, reason);
  };

  /** The reason for a message, forgotten once read (the message has left the queue). */
  take(messageId: string): string | undefined {
    const reason = this.reasons.get(messageId);
    this.reasons.delete(messageId);
    return reason;
  }

  forget(messageId: string): void {
    this.reasons.delete(messageId);
  }
}

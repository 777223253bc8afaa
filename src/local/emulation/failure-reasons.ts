import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Observability } from '../../handlers/observability.js';
import { DEFAULTS } from '../../resources/index.js';


/**
 * A handler's logger that also remembers, per message id, the reason it last logged for a message it could not
 * process (`{ messageId, reason }`, the structured line every handler writes for a failed message). SQS's partial
 * batch response says only *which* messages failed; this keeps *why*, so a dead letter carries the real reason
 * even when the logs themselves are silenced.
 */
class ReasonRecordingLogger extends Logger {
  constructor(
    serviceName: string,
    private readonly record: (messageId: string, reason: string) => void,
  ) {
    super({ serviceName });
  }

  override error(...[input, ...extra]: Parameters<Logger['error']>): void {
    this.capture(extra);
    super.error(input, ...extra);
  }

  override warn(...[input, ...extra]: Parameters<Logger['warn']>): void {
    this.capture(extra);
    super.warn(input, ...extra);
  }

  private capture(extra: readonly unknown[]): void {
    for (const item of extra) {
      const { messageId, reason } = (item ?? {}) as { messageId?: unknown; reason?: unknown };
      if (typeof messageId === 'string' && typeof reason === 'string') this.record(messageId, reason);
    }
  }
}

/** The last failure reason logged for each message still in flight. */
export class FailureReasons {
  private readonly reasons = new Map<string, string>();

  /** Observability for one function of the local pipeline, recording failure reasons as it logs. */
  observability(serviceName: string): Observability {
    return {
      logger: new ReasonRecordingLogger(serviceName, (id, reason) => this.reasons.set(id, reason)),
      metrics: new Metrics({ namespace: DEFAULTS.metricsNamespace, serviceName }),
    };
  }

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

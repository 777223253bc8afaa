import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SnsNotifier, createDocumentClient, createSnsClient } from '../adapters/aws/index.js';
import { deadlineIn, processTicks, type AlertingPorts, type MessageOutcome } from '../pipeline/index.js';
import type { Tick } from '../domain/index.js';
import { BASE_NAMES } from '../resources/index.js';
import { alertingConfigFrom } from './config.js';
import { createObservability, logDeliveredAlerts, METRICS, MetricUnit, type Observability } from './observability.js';
import { readSqsRecords } from './sqs-records.js';
import { SAFETY_MARGIN_MS } from './time-budget.js';
import { alertingPorts } from './wiring.js';

export interface DataProcessorDeps {
  readonly ports: AlertingPorts;
  readonly observability: Observability;
  readonly clock?: () => number;
  /**
   * Told why each message reported as failed or invalid did not complete: SQS's partial batch response says only
   * which (the local runtime keeps the reason for the message's dead letter).
   */
  readonly onFailed?: (messageId: string, reason: string) => void;
  /**
   * Told of each message acknowledged with a tick beyond the lateness horizon (the local runtime reports it with the
   * message's input line; deployed, the log line and `LateTicks` do).
   */
  readonly onLate?: (messageId: string, tick: Tick) => void;
}

/**
 * SQS batch → pipeline → partial batch response. Only messages that did not complete are reported, and the handler
 * never throws: whatever the event looks like, the answer is one the event source mapping accepts.
 */
export function createDataProcessorHandler(deps: DataProcessorDeps) {
  const { logger, metrics } = deps.observability;
  const clock = deps.clock ?? Date.now;
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const started = clock();
    logger.addContext(context);
    const { messages, rejected, unusable, received } = readSqsRecords(event, started);
    for (const problem of unusable) logger.error('record without a usable message id', problem);
    metrics.addMetric(METRICS.ticksReceived, MetricUnit.Count, received);
    try {
      const deadline = deadlineIn(context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, clock);
      const outcomes: MessageOutcome[] = [...rejected, ...(await processTicks(messages, deps.ports, deadline, logger, started))];
      let ok = 0;
      let raised = 0;
      let late = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'ok') {
          ok++;
          // Every alert this message delivered counts once: raised now, or raised by an earlier receive of it whose
          // delivery failed (a delivered alert is never sent again).
          raised += outcome.alerts.length;
          logDeliveredAlerts(logger, outcome, { messageId: outcome.messageId });
          if (outcome.late) {
            late++;
            logger.warn('late tick: beyond the lateness horizon, not applied', { messageId: outcome.messageId, ...outcome.tick });
            deps.onLate?.(outcome.messageId, outcome.tick);
          }
        } else if (outcome.status === 'invalid') {
          logger.warn('invalid message', { messageId: outcome.messageId, reason: outcome.reason });
          deps.onFailed?.(outcome.messageId, outcome.reason);
        } else {
          const { stage, message } = outcome.failure;
          logger.error('message not processed', { messageId: outcome.messageId, symbol: outcome.tick.symbol, stage, reason: message });
          deps.onFailed?.(outcome.messageId, message);
        }
      }
      metrics.addMetric(METRICS.ticksProcessed, MetricUnit.Count, ok);
      metrics.addMetric(METRICS.alertsRaised, MetricUnit.Count, raised);
      metrics.addMetric(METRICS.lateTicks, MetricUnit.Count, late);
      metrics.addMetric(METRICS.invalidMessages, MetricUnit.Count, outcomes.filter((o) => o.status === 'invalid').length);
      metrics.addMetric(METRICS.failedMessages, MetricUnit.Count, outcomes.filter((o) => o.status === 'failed').length);
      return { batchItemFailures: outcomes.filter((o) => o.status !== 'ok').map((o) => ({ itemIdentifier: o.messageId })) };
    } catch (error) {
      // Unexpected: report every message so SQS redelivers the batch rather than losing it.
      logger.error('batch not processed', { error: error as Error, messages: messages.length });
      metrics.addMetric(METRICS.failedMessages, MetricUnit.Count, messages.length);
      return { batchItemFailures: [...rejected, ...messages].map((m) => ({ itemIdentifier: m.messageId })) };
    } finally {
      metrics.addMetric(METRICS.processingLatency, MetricUnit.Milliseconds, clock() - started);
      metrics.publishStoredMetrics();
    }
  };
}

let configured: ReturnType<typeof createDataProcessorHandler> | undefined;

/** The Lambda entry point, wired from the environment on first use. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (!configured) {
    const config = alertingConfigFrom(process.env);
    const observability = createObservability(BASE_NAMES.dataProcessor);
    const notifier = new SnsNotifier(observability.traced(createSnsClient()), config.topicArn, config.environment);
    configured = createDataProcessorHandler({
      ports: alertingPorts(config, observability.traced(createDocumentClient()), notifier),
      observability,
    });
  }
  return configured(event, context);
};

import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDocumentClient, createSnsClient } from '../adapters/aws/index.js';
import { deadlineIn, processTicks, type AlertingPorts } from '../pipeline/index.js';
import { BASE_NAMES } from '../resources/index.js';
import { alertingConfigFrom } from './config.js';
import { createObservability, METRICS, MetricUnit, type Observability } from './observability.js';
import { alertingPorts } from './wiring.js';

/** Time kept back from the function's remaining time so failures are reported before Lambda's timeout. */
export const SAFETY_MARGIN_MS = 3_000;

export interface DataProcessorDeps {
  readonly ports: AlertingPorts;
  readonly observability: Observability;
  readonly clock?: () => number;
}

/** SQS batch → pipeline → partial batch response. Only messages that did not complete are reported. */
export function createDataProcessorHandler(deps: DataProcessorDeps) {
  const { logger, metrics } = deps.observability;
  const clock = deps.clock ?? Date.now;
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const started = clock();
    logger.addContext(context);
    const records = event?.Records ?? [];
    try {
      const deadline = deadlineIn(context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, clock);
      const messages = records.map((r) => ({
        messageId: r.messageId,
        body: r.body,
        sentTimestamp: Number(r.attributes?.SentTimestamp) || started,
      }));
      const outcomes = await processTicks(messages, deps.ports, deadline, logger, started);
      let ok = 0;
      let raised = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'ok') {
          ok++;
          raised += outcome.raised.length;
          for (const alert of outcome.raised) logger.info('alert raised', { messageId: outcome.messageId, ...alert });
        } else if (outcome.status === 'invalid') {
          logger.warn('invalid message', { messageId: outcome.messageId, reason: outcome.reason });
        } else {
          logger.error('message not processed', { messageId: outcome.messageId, symbol: outcome.tick.symbol, reason: outcome.reason });
        }
      }
      metrics.addMetric(METRICS.ticksProcessed, MetricUnit.Count, ok);
      metrics.addMetric(METRICS.alertsRaised, MetricUnit.Count, raised);
      metrics.addMetric(METRICS.invalidMessages, MetricUnit.Count, outcomes.filter((o) => o.status === 'invalid').length);
      metrics.addMetric(METRICS.failedMessages, MetricUnit.Count, outcomes.filter((o) => o.status === 'failed').length);
      return { batchItemFailures: outcomes.filter((o) => o.status !== 'ok').map((o) => ({ itemIdentifier: o.messageId })) };
    } catch (error) {
      // Unexpected: report every message so SQS redelivers the batch rather than losing it.
      logger.error('batch not processed', { error: error as Error, messages: records.length });
      metrics.addMetric(METRICS.failedMessages, MetricUnit.Count, records.length);
      return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
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
    const observability = createObservability(BASE_NAMES.dataProcessor);
    configured = createDataProcessorHandler({
      ports: alertingPorts(alertingConfigFrom(process.env), observability.traced(createDocumentClient()), observability.traced(createSnsClient())),
      observability,
    });
  }
  return configured(event, context);
};

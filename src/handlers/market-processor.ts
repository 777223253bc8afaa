import type { Context, EventBridgeEvent } from 'aws-lambda';
import { SnsNotifier, SqsEventDeadLetters, createDocumentClient, createSnsClient, createSqsClient } from '../adapters/aws/index.js';
import { identityOf, tickOf, type Tick } from '../domain/index.js';
import { PipelineFailure, deadlineIn, processMarketEvent, type MarketEventPorts } from '../pipeline/index.js';
import { BASE_NAMES } from '../resources/index.js';
import { marketEventConfigFrom } from './config.js';
import { createObservability, logDeliveredAlerts, METRICS, MetricUnit, type Observability } from './observability.js';
import { SAFETY_MARGIN_MS } from './time-budget.js';
import { marketEventPorts } from './wiring.js';

export interface MarketProcessorDeps {
  readonly ports: MarketEventPorts;
  readonly observability: Observability;
  readonly clock?: () => number;
  /**
   * Told of an event (by its EventBridge id) whose price came beyond the lateness horizon, once it is stored and
   * audited (the local runtime reports it with the event's input line; deployed, the log line and `LateTicks` do).
   */
  readonly onLate?: (eventId: string, tick: Tick) => void;
}

export type MarketProcessorResult =
  | { readonly status: 'processed'; readonly eventId: string; readonly stored: 'created' | 'exists'; readonly alertIds: readonly string[] }
  | { readonly status: 'rejected'; readonly eventId: string; readonly reason: string };

/**
 * EventBridge event → pipeline. An invalid event is audited and sent to the events DLQ by the pipeline, and the
 * invocation succeeds: a retry cannot make it valid. Anything else that fails throws, so Lambda's asynchronous
 * retries apply to what may pass next time, and the event still ends in the DLQ if it does not.
 */
export function createMarketProcessorHandler(deps: MarketProcessorDeps) {
  const { logger, metrics } = deps.observability;
  const clock = deps.clock ?? Date.now;
  return async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<MarketProcessorResult> => {
    const started = clock();
    logger.addContext(context);
    // Only bounded fields of the event reach the logs.
    const { eventId } = identityOf(event);
    try {
      const deadline = deadlineIn(context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, clock);
      const outcome = await processMarketEvent(event, deps.ports, deadline, logger, started);
      if (outcome.status === 'rejected') {
        logger.warn('invalid market event sent to the dead-letter queue', { eventId, reason: outcome.reason });
        metrics.addMetric(METRICS.invalidMessages, MetricUnit.Count, 1);
        return { status: 'rejected', eventId, reason: outcome.reason };
      }
      // As in data-processor: an alert counts once, when it is delivered (now, or after an earlier attempt failed).
      logDeliveredAlerts(logger, outcome, { eventId });
      // Late implies a price: the tick the engine was given.
      const late = outcome.late ? tickOf(outcome.event) : undefined;
      if (late) {
        logger.warn('late tick: beyond the lateness horizon, not applied', { eventId, ...late });
        deps.onLate?.(outcome.event.eventId, late);
      }
      metrics.addMetric(METRICS.marketEventsStored, MetricUnit.Count, outcome.stored === 'created' ? 1 : 0);
      metrics.addMetric(METRICS.alertsRaised, MetricUnit.Count, outcome.alerts.length);
      metrics.addMetric(METRICS.lateTicks, MetricUnit.Count, late ? 1 : 0);
      return { status: 'processed', eventId, stored: outcome.stored, alertIds: outcome.alerts.map((a) => a.alertId) };
    } catch (error) {
      logger.error('market event not processed', { error: error as Error, eventId, ...(error instanceof PipelineFailure && { stage: error.stage }) });
      metrics.addMetric(METRICS.failedMessages, MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.addMetric(METRICS.processingLatency, MetricUnit.Milliseconds, clock() - started);
      metrics.publishStoredMetrics();
    }
  };
}

let configured: ReturnType<typeof createMarketProcessorHandler> | undefined;

/** The Lambda entry point, wired from the environment on first use. */
export const handler = (event: EventBridgeEvent<string, unknown>, context: Context): Promise<MarketProcessorResult> => {
  if (!configured) {
    const config = marketEventConfigFrom(process.env);
    const observability = createObservability(BASE_NAMES.marketProcessor);
    const notifier = new SnsNotifier(observability.traced(createSnsClient()), config.topicArn, config.environment);
    const deadLetters = new SqsEventDeadLetters(observability.traced(createSqsClient()), config.eventsDlqUrl);
    configured = createMarketProcessorHandler({
      ports: marketEventPorts(config, observability.traced(createDocumentClient()), notifier, deadLetters),
      observability,
    });
  }
  return configured(event, context);
};

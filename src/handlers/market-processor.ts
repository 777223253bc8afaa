import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createDocumentClient, createSnsClient } from '../adapters/aws/index.js';
import { deadlineIn, processMarketEvent, type MarketEventPorts } from '../pipeline/index.js';
import { BASE_NAMES } from '../resources/index.js';
import { marketEventConfigFrom } from './config.js';
import { SAFETY_MARGIN_MS } from './data-processor.js';
import { createObservability, METRICS, MetricUnit, type Observability } from './observability.js';
import { marketEventPorts } from './wiring.js';

export interface MarketProcessorDeps {
  readonly ports: MarketEventPorts;
  readonly observability: Observability;
  readonly clock?: () => number;
}

export interface MarketProcessorResult {
  readonly eventId: string;
  readonly stored: 'created' | 'exists';
  readonly alertIds: readonly string[];
}

/**
 * EventBridge event → pipeline. Throws on anything but success — rejected events included — so that Lambda's
 * asynchronous retries apply and the event ends in the DLQ rather than being dropped.
 */
export function createMarketProcessorHandler(deps: MarketProcessorDeps) {
  const { logger, metrics } = deps.observability;
  const clock = deps.clock ?? Date.now;
  return async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<MarketProcessorResult> => {
    const started = clock();
    logger.addContext(context);
    try {
      const deadline = deadlineIn(context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, clock);
      const outcome = await processMarketEvent(event, deps.ports, deadline, logger, started);
      if (outcome.status === 'rejected') {
        logger.warn('invalid market event', { eventId: outcome.eventId, reason: outcome.reason });
        metrics.addMetric(METRICS.invalidMessages, MetricUnit.Count, 1);
        throw new Error(`market event ${outcome.eventId} rejected: ${outcome.reason}`);
      }
      for (const alert of outcome.raised) logger.info('alert raised', { eventId: outcome.event.eventId, ...alert });
      metrics.addMetric(METRICS.marketEventsStored, MetricUnit.Count, outcome.stored === 'created' ? 1 : 0);
      metrics.addMetric(METRICS.alertsRaised, MetricUnit.Count, outcome.raised.length);
      return { eventId: outcome.event.eventId, stored: outcome.stored, alertIds: outcome.alerts.map((a) => a.alertId) };
    } catch (error) {
      logger.error('market event not processed', { error: error as Error, eventId: event?.id });
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
    const observability = createObservability(BASE_NAMES.marketProcessor);
    configured = createMarketProcessorHandler({
      ports: marketEventPorts(marketEventConfigFrom(process.env), observability.traced(createDocumentClient()), observability.traced(createSnsClient())),
      observability,
    });
  }
  return configured(event, context);
};

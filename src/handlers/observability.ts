import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULTS, METRIC_NAMES } from '../resources/index.js';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Structured JSON logs and CloudWatch embedded-metric-format metrics (Powertools). */
export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: DEFAULTS.metricsNamespace, serviceName }),
  };
}

export const METRICS = METRIC_NAMES;

export { MetricUnit };

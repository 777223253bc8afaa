import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULTS, ENV, METRIC_DIMENSIONS, METRIC_NAMES } from '../resources/index.js';
import type { Alert } from '../domain/index.js';

/** What the handlers use to report: structured logs and metrics. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** An AWS SDK v3 client (or a DynamoDB document client, which shares its client's middleware stack). */
type AwsClient = { readonly middlewareStack: object };

/** A deployed function's observability: the handlers' logs and metrics, plus X-Ray tracing of its AWS calls. */
export interface LambdaObservability extends Observability {
  readonly tracer: Tracer;
  /**
   * The client, with each call recorded as an X-Ray subsegment of the invocation when tracing is on; the same
   * client, untouched, when it is off (outside Lambda, or POWERTOOLS_TRACE_ENABLED=false).
   */
  traced<C extends AwsClient>(client: C): C;
}

/**
 * Structured JSON logs, CloudWatch embedded-metric-format metrics and X-Ray tracing (Powertools).
 *
 * Metrics carry the dimensions the stack's alarms read: `service` (the function's base name) and, where the
 * function knows it (ENVIRONMENT, set by the stack), `environment`, so that two environments in one account do not
 * share a metric.
 *
 * The tracer records only inside Lambda (AWS_EXECUTION_ENV set) and unless POWERTOOLS_TRACE_ENABLED=false:
 * the local runtime and the tests never reach for an X-Ray daemon. It traces the AWS calls of the clients given to
 * `traced`, not every outgoing HTTP request: the functions make no other calls, and the SDK's own requests would
 * otherwise appear twice.
 */
export function createObservability(serviceName: string, env: NodeJS.ProcessEnv = process.env): LambdaObservability {
  const environment = env[ENV.environment]?.trim();
  const tracer = new Tracer({ serviceName, captureHTTPsRequests: false });
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({
      namespace: DEFAULTS.metricsNamespace,
      serviceName,
      ...(environment && { defaultDimensions: { [METRIC_DIMENSIONS.environment]: environment } }),
    }),
    tracer,
    traced: (client) => tracer.captureAWSv3Client(client),
  };
}

export const METRICS = METRIC_NAMES;

export { MetricUnit };

/**
 * One log line per alert a message or event delivered: raised now, or raised by an earlier attempt whose delivery
 * failed and delivered now (a delivered alert is never sent again, so each counts once).
 */
export function logDeliveredAlerts(
  logger: Pick<Logger, 'info'>,
  outcome: { readonly alerts: readonly Alert[]; readonly raised: readonly Alert[] },
  fields: Record<string, unknown>,
): void {
  const raisedNow = new Set(outcome.raised);
  for (const alert of outcome.alerts)
    logger.info(raisedNow.has(alert) ? 'alert raised' : 'alert raised earlier, delivered now', { ...fields, ...alert });
}

/** Defaults of the pipeline: thresholds, limits, sizes and retention that the stack, the handlers and the local runtime share. */
import { TRIGGER_MODES, type AlertRule, type TriggerMode } from '../domain/index.js';

export type { AlertRule, TriggerMode };
export { TRIGGER_MODES };

export const DEFAULTS = {
  thresholds: { above: 150, below: 50 },
  triggerMode: 'cross' as TriggerMode,
  batchSize: 25,
  /**
   * The cross engine's lateness horizon: the observations kept per symbol. It covers every tick in flight at once
   * (5 instances × 25) twice over (see horizonCovering), and keeps a symbol's state item under 1 KB.
   */
  latenessHorizonTicks: 256,
  /** Overdue alerts one symbol may hold before it refuses new ones (SNS or DynamoDB down for long). */
  maxPendingAlerts: 100,
  /**
   * How long a pending alert is left to the invocation that raised it (twice the longest function timeout: by then
   * that invocation has ended, delivered or not); after that any batch of the symbol delivers it.
   */
  deliveryGraceSeconds: 120,
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: 3,
  queueRetentionDays: 14,
  dlqRetentionDays: 14,
  logRetentionDays: 30,
  marketDataTtlDays: 30,
  eventTargetMaxRetries: 2,
  keyDeletionWindowDays: 7,
  dataProcessor: { memoryMb: 3072, timeoutSeconds: 60, reservedConcurrency: 5 },
  marketProcessor: { memoryMb: 512, timeoutSeconds: 30 },
  /** The tick queue hides a message for this many function timeouts, plus the batching window (AWS's advice for Lambda). */
  visibilityTimeoutMultiplier: 6,
  tags: { Team: 'trading', CostCenter: 'trading-platform' },
  metricsNamespace: 'MarketData',
  lambdaRuntime: 'nodejs22.x',
  lambdaArchitecture: 'arm64',
} as const;

/**
 * The horizon for `instances` batches in flight at once, given the one set for the data-processor's reserved
 * concurrency: as many times longer as there are more batches in flight (never shorter). A batch that loses a race
 * hands its ticks over and they are folded within a couple of writes, so what can be folded before them is the other
 * instances' batches; the default (256) covers the function's 5 × 25 twice, and 20 local batches need 4 times that.
 */
export const horizonFor = (horizon: number, instances: number): number =>
  Math.ceil((horizon * Math.max(instances, DEFAULTS.dataProcessor.reservedConcurrency)) / DEFAULTS.dataProcessor.reservedConcurrency);

/** The rule for symbols without their own in alert-rules, unless the deployment overrides it (see defaultAlertRuleFrom). */
export const DEFAULT_ALERT_RULE: AlertRule = { ...DEFAULTS.thresholds, mode: DEFAULTS.triggerMode };

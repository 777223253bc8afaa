/**
 * The single source of truth for resource names, table key schemas, indexes and defaults.
 * The stack, the AWS adapters, the local runtime, the CLI and the tests all read from here;
 * nothing else may spell a resource name, a key attribute or a default threshold.
 */

export * from './defaults.js';
export * from './environment.js';

/** Base names; every deployed name is `{base}-{environmentSuffix}`. */
export const BASE_NAMES = {
  marketDataQueue: 'market-data-queue',
  marketDataDlq: 'market-data-dlq',
  marketEventsDlq: 'market-events-dlq',
  eventBus: 'market-data-bus',
  tradeEventsRule: 'trade-events',
  quoteEventsRule: 'quote-events',
  alertsTable: 'market-alerts',
  alertRulesTable: 'alert-rules',
  marketDataTable: 'market-data',
  auditTrailTable: 'audit-trail',
  dataProcessor: 'data-processor',
  marketProcessor: 'market-processor',
  tradingAlertsTopic: 'trading-alerts',
  opsAlarmsTopic: 'ops-alarms',
  key: 'market-data-key',
} as const;

export type ResourceKey = keyof typeof BASE_NAMES;

function resourceName(base: string, environmentSuffix: string): string {
  return `${base}-${environmentSuffix}`;
}

export type ResourceNames = { [K in ResourceKey]: string } & {
  keyAlias: string;
  dataProcessorLogGroup: string;
  marketProcessorLogGroup: string;
  dataProcessorRole: string;
  marketProcessorRole: string;
  dashboard: string;
};

/** Every name of one environment's copy of the system. */
export function resourceNames(environmentSuffix: string): ResourceNames {
  const named = Object.fromEntries(Object.entries(BASE_NAMES).map(([key, base]) => [key, resourceName(base, environmentSuffix)])) as {
    [K in ResourceKey]: string;
  };
  return {
    ...named,
    keyAlias: `alias/${named.key}`,
    dataProcessorLogGroup: `/aws/lambda/${named.dataProcessor}`,
    marketProcessorLogGroup: `/aws/lambda/${named.marketProcessor}`,
    dataProcessorRole: resourceName(`${BASE_NAMES.dataProcessor}-role`, environmentSuffix),
    marketProcessorRole: resourceName(`${BASE_NAMES.marketProcessor}-role`, environmentSuffix),
    dashboard: resourceName('market-data-pipeline', environmentSuffix),
  };
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

export type AttributeType = 'S' | 'N';
export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}
export interface TableDefinition {
  readonly resource: ResourceKey;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  readonly ttlAttribute?: string;
  readonly pointInTimeRecovery: boolean;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

export const TABLES = {
  /** Alerts: one item per alert; the sort key is `{event time ISO}#{alert id}`, unique and ordered by event time. */
  alerts: {
    resource: 'alertsTable',
    partitionKey: S('symbol'),
    sortKey: S('timestamp'),
    globalSecondaryIndexes: [],
    pointInTimeRecovery: true,
  },
  /** Per-symbol alert rule (thresholds, trigger mode) and the engine's zone state, one item per symbol. */
  alertRules: {
    resource: 'alertRulesTable',
    partitionKey: S('symbol'),
    globalSecondaryIndexes: [],
    pointInTimeRecovery: true,
  },
  marketData: {
    resource: 'marketDataTable',
    partitionKey: S('event_id'),
    sortKey: S('timestamp'),
    globalSecondaryIndexes: [
      { name: 'ExchangeIndex', partitionKey: S('exchange'), sortKey: S('timestamp') },
      { name: 'SymbolIndex', partitionKey: S('symbol'), sortKey: S('timestamp') },
    ],
    ttlAttribute: 'expires_at',
    pointInTimeRecovery: true,
  },
  auditTrail: {
    resource: 'auditTrailTable',
    partitionKey: S('audit_id'),
    sortKey: S('timestamp'),
    globalSecondaryIndexes: [{ name: 'EventTypeIndex', partitionKey: S('event_type'), sortKey: S('timestamp') }],
    pointInTimeRecovery: true,
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;

/** All attribute definitions a table needs (keys of the table and of its indexes, deduplicated). */
export function keyAttributes(table: TableDefinition): KeyAttribute[] {
  const all = [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of all) if (attribute) byName.set(attribute.name, attribute);
  return [...byName.values()];
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export const EVENT_SOURCE = 'market.data';
export const EVENT_RULES = {
  tradeEventsRule: ['Trade Execution', 'Trade Update'],
  quoteEventsRule: ['Market Quote', 'Price Update'],
} as const satisfies Partial<Record<ResourceKey, readonly string[]>>;

// ---------------------------------------------------------------------------------------------
// Metrics and handler bundles
// ---------------------------------------------------------------------------------------------

/** CloudWatch embedded-metric-format metrics the handlers emit (namespace DEFAULTS.metricsNamespace); alarms read them. */
export const METRIC_NAMES = {
  ticksReceived: 'TicksReceived',
  ticksProcessed: 'TicksProcessed',
  alertsRaised: 'AlertsRaised',
  invalidMessages: 'InvalidMessages',
  failedMessages: 'FailedMessages',
  lateTicks: 'LateTicks',
  marketEventsStored: 'MarketEventsStored',
  processingLatency: 'ProcessingLatency',
} as const;

/**
 * Dimensions of every metric above. Powertools names the function's base name (its `serviceName`, e.g.
 * `data-processor`) `service`; `environment` (the suffix) keeps two copies of the system in one account apart.
 * An alarm sees a metric only if it names exactly this set of dimensions.
 */
export const METRIC_DIMENSIONS = { service: 'service', environment: 'environment' } as const;

/** Lambda handler bundles, relative to the project root. */
export const LAMBDA_BUNDLES = {
  dataProcessor: 'dist/lambda/data-processor',
  marketProcessor: 'dist/lambda/market-processor',
} as const;
export const LAMBDA_HANDLER = 'index.handler';

// ---------------------------------------------------------------------------------------------
// AWS deployment (read by the CDK Terrain stack only)
// ---------------------------------------------------------------------------------------------

export const DEPLOYMENT_DEFAULTS = {
  /** Lambda requires a batching window of at least 1 s when an SQS mapping's batch size exceeds 10. */
  batchingWindowSeconds: 1,
  /** Lambda retries of a failed asynchronous market-processor invocation before the DLQ (AWS allows 0-2). */
  asyncInvokeMaxRetries: 2,
  alarmPeriodSeconds: 300,
  /** Percent of a function's invocations that failed within one alarm period. */
  errorRateThresholdPercent: 1,
  /** market-processor average duration within one alarm period. */
  durationThresholdMs: 5000,
  /** Percent of the ticks data-processor received within one alarm period that it reported as failed. */
  failedMessageRateThresholdPercent: 1,
  /** Ticks beyond the lateness horizon within one alarm period: any is worth a look (an alert may be missing). */
  lateTicksThreshold: 0,
} as const;

/** Names of the stack's CloudWatch alarms; like every name, each ends in `-{environmentSuffix}`. */
export function alarmNames(environmentSuffix: string) {
  const name = (base: string) => resourceName(base, environmentSuffix);
  return {
    dataProcessorErrorRate: name(`${BASE_NAMES.dataProcessor}-error-rate`),
    dataProcessorFailedMessageRate: name(`${BASE_NAMES.dataProcessor}-failed-message-rate`),
    /** Both functions feed the alert engine, so one alarm covers the late ticks of both. */
    lateTicks: name('late-ticks'),
    marketProcessorErrorRate: name(`${BASE_NAMES.marketProcessor}-error-rate`),
    marketProcessorDuration: name(`${BASE_NAMES.marketProcessor}-duration`),
    marketDataDlqNotEmpty: name(`${BASE_NAMES.marketDataDlq}-not-empty`),
    marketEventsDlqNotEmpty: name(`${BASE_NAMES.marketEventsDlq}-not-empty`),
  };
}

/** Terraform output names of the stack: the keys of cfn-outputs/flat-outputs.json. */
export const STACK_OUTPUTS = {
  sqsQueueUrl: 'sqs_queue_url',
  snsTopicArn: 'sns_topic_arn',
  dynamodbTableName: 'dynamodb_table_name',
  lambdaFunctionName: 'lambda_function_name',
  marketProcessorFunctionName: 'market_processor_function_name',
  eventBusName: 'event_bus_name',
  eventBusArn: 'event_bus_arn',
  tradeEventsRuleArn: 'trade_events_rule_arn',
  quoteEventsRuleArn: 'quote_events_rule_arn',
  alertRulesTableName: 'alert_rules_table_name',
  marketDataTableName: 'market_data_table_name',
  auditTrailTableName: 'audit_trail_table_name',
  marketDataDlqUrl: 'market_data_dlq_url',
  marketEventsDlqUrl: 'market_events_dlq_url',
  dataProcessorLogGroupName: 'data_processor_log_group_name',
  marketProcessorLogGroupName: 'market_processor_log_group_name',
  opsAlarmsTopicArn: 'ops_alarms_topic_arn',
  kmsKeyArn: 'kms_key_arn',
  awsRegion: 'aws_region',
  environmentSuffix: 'environment_suffix',
  /** The rule for symbols without an override, as the functions apply it: JSON `{"above":…,"below":…,"mode":…}`. */
  defaultAlertRule: 'default_alert_rule',
} as const;

import type { Construct } from 'constructs';
import { TerraformStack } from 'cdktn';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider/index.js';
import { DEFAULT_ALERT_RULE, DEFAULTS, resourceNames, type AlertRule } from '../resources/index.js';
import { AwsAccount } from './account.js';
import { defaultAlertRuleJson, stackTags, type StateBackend } from './config.js';
import { Encryption } from './encryption.js';
import { EventIngestion } from './event-ingestion.js';
import { Monitoring } from './monitoring.js';
import { Notifications } from './notifications.js';
import { defineOutputs } from './outputs.js';
import { Processing } from './processing.js';
import { declareStateBackend } from './state-backend.js';
import { Storage } from './storage.js';
import { TickIngestion } from './tick-ingestion.js';

export interface MarketDataStackProps {
  readonly environmentSuffix: string;
  readonly region: string;
  /** Default alert rule of both functions; the defaults of src/resources when omitted. */
  readonly alerting?: AlertRule;
  /** Directory the bundle paths of src/resources are relative to; the repository root when omitted. */
  readonly bundleRoot?: string;
  /** Where Terraform keeps the state; the local file in the project root when omitted. */
  readonly stateBackend?: StateBackend;
}

/** One environment's copy of the market data pipeline (DESIGN §2). */
export class MarketDataStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: MarketDataStackProps) {
    super(scope, id);
    const { environmentSuffix, region } = props;
    const names = resourceNames(environmentSuffix);

    declareStateBackend(this, id, props.stateBackend ?? { kind: 'local' });
    new AwsProvider(this, 'aws', { region, defaultTags: [{ tags: stackTags(environmentSuffix) }] });
    const account = new AwsAccount(this, 'account', region);

    const encryption = new Encryption(this, 'encryption', {
      account,
      keyName: names.key,
      aliasName: names.keyAlias,
      logGroupNames: [names.dataProcessorLogGroup, names.marketProcessorLogGroup],
    });
    const storage = new Storage(this, 'storage', { names, encryption });
    const notifications = new Notifications(this, 'notifications', { names, encryption });
    const ticks = new TickIngestion(this, 'tick-ingestion', { names, encryption });
    const events = new EventIngestion(this, 'event-ingestion', { names, encryption });

    // One value for both functions' variables and the default_alert_rule output.
    const alerting = props.alerting ?? DEFAULT_ALERT_RULE;
    const processing = new Processing(this, 'processing', {
      environmentSuffix,
      names,
      encryption,
      storage,
      notifications,
      alerting,
      marketEventsDlq: events.deadLetterQueue,
      bundleRoot: props.bundleRoot,
    });
    ticks.deliverTo(processing.dataProcessor, DEFAULTS.dataProcessor.reservedConcurrency);
    events.routeTo(processing.marketProcessor);

    new Monitoring(this, 'monitoring', {
      environmentSuffix,
      dashboardName: names.dashboard,
      account,
      dataProcessor: processing.dataProcessor,
      marketProcessor: processing.marketProcessor,
      tickQueue: ticks.queue,
      tickDlq: ticks.deadLetterQueue,
      eventsDlq: events.deadLetterQueue,
      eventBusName: events.bus.name,
      eventRules: events.ruleList,
      opsTopic: notifications.opsAlarms,
    });

    defineOutputs(this, {
      sqsQueueUrl: { value: ticks.queue.url, description: 'URL of market-data-queue: send price ticks here' },
      snsTopicArn: { value: notifications.tradingAlerts.arn, description: 'ARN of trading-alerts: subscribe traders here' },
      dynamodbTableName: { value: storage.tables.alerts.name, description: 'market-alerts table: one item per alert' },
      lambdaFunctionName: { value: processing.dataProcessor.name, description: 'data-processor function (SQS ticks)' },
      marketProcessorFunctionName: { value: processing.marketProcessor.name, description: 'market-processor function (EventBridge events)' },
      eventBusName: { value: events.bus.name, description: 'EventBridge bus for market events' },
      eventBusArn: { value: events.bus.arn, description: 'ARN of the EventBridge bus' },
      tradeEventsRuleArn: { value: events.rules.tradeEventsRule.arn, description: 'ARN of the trade-events rule' },
      quoteEventsRuleArn: { value: events.rules.quoteEventsRule.arn, description: 'ARN of the quote-events rule' },
      alertRulesTableName: { value: storage.tables.alertRules.name, description: 'alert-rules table: per-symbol thresholds and state' },
      marketDataTableName: { value: storage.tables.marketData.name, description: 'market-data table' },
      auditTrailTableName: { value: storage.tables.auditTrail.name, description: 'audit-trail table' },
      marketDataDlqUrl: { value: ticks.deadLetterQueue.url, description: 'URL of market-data-dlq (failed ticks)' },
      marketEventsDlqUrl: { value: events.deadLetterQueue.url, description: 'URL of market-events-dlq (failed events)' },
      dataProcessorLogGroupName: { value: processing.dataProcessor.logGroup.name, description: 'data-processor log group' },
      marketProcessorLogGroupName: { value: processing.marketProcessor.logGroup.name, description: 'market-processor log group' },
      opsAlarmsTopicArn: { value: notifications.opsAlarms.arn, description: 'ARN of ops-alarms: subscribe operators here' },
      kmsKeyArn: { value: encryption.arn, description: 'ARN of the customer managed key' },
      awsRegion: { value: region, description: 'Region of the deployment' },
      environmentSuffix: { value: environmentSuffix, description: 'Suffix of every resource name' },
      defaultAlertRule: {
        value: defaultAlertRuleJson(alerting),
        description: 'Default alert rule of both functions (JSON: above, below, mode); per-symbol overrides are in alert-rules',
      },
    });
  }
}

// Defined with the stack's configuration (config.ts), which derives the state file and key from it.
export { stackId } from './config.js';

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertStore, DynamoAuditLog, DynamoMarketDataStore, DynamoRuleStateStore } from '../adapters/aws/index.js';
import type { AlertingPorts, EventDeadLetters, MarketEventPorts, Notifier } from '../pipeline/index.js';
import { MARKET_EVENT_ROUTING, type AlertingConfig, type MarketEventConfig } from './config.js';

/** The alerting ports on DynamoDB, with the notifier given (SNS in Lambda, the console and a file locally). */
export function alertingPorts(config: AlertingConfig, documents: DynamoDBDocumentClient, notifier: Notifier): AlertingPorts {
  return {
    rules: new DynamoRuleStateStore(documents, config.alertRulesTable),
    alerts: new DynamoAlertStore(documents, config.alertsTable, config.environment),
    notifier,
    defaultRule: config.defaultRule,
    limits: config.limits,
  };
}

/** The market-event ports; invalid events go to `deadLetters` (the events DLQ in Lambda, a local file locally). */
export function marketEventPorts(
  config: MarketEventConfig,
  documents: DynamoDBDocumentClient,
  notifier: Notifier,
  deadLetters: EventDeadLetters,
): MarketEventPorts {
  return {
    ...alertingPorts(config, documents, notifier),
    marketData: new DynamoMarketDataStore(documents, config.marketDataTable, config.ttlDays),
    audit: new DynamoAuditLog(documents, config.auditTrailTable, config.environment),
    deadLetters,
    routing: MARKET_EVENT_ROUTING,
  };
}

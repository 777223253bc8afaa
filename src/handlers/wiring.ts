import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoAlertStore, DynamoAuditLog, DynamoMarketDataStore, DynamoRuleStateStore, SnsNotifier } from '../adapters/aws/index.js';
import type { AlertingPorts, MarketEventPorts, Notifier } from '../pipeline/index.js';
import { MARKET_EVENT_ROUTING, type AlertingConfig, type MarketEventConfig } from './config.js';

/** The alerting ports on DynamoDB, notifying through SNS unless another notifier is given (the local runtime's). */
export function alertingPorts(config: AlertingConfig, documents: DynamoDBDocumentClient, notifier: Notifier | SNSClient): AlertingPorts {
  return {
    rules: new DynamoRuleStateStore(documents, config.alertRulesTable),
    alerts: new DynamoAlertStore(documents, config.alertsTable, config.environment),
    notifier: 'notify' in notifier ? notifier : new SnsNotifier(notifier, config.topicArn, config.environment),
    defaultRule: config.defaultRule,
  };
}

export function marketEventPorts(config: MarketEventConfig, documents: DynamoDBDocumentClient, notifier: Notifier | SNSClient): MarketEventPorts {
  return {
    ...alertingPorts(config, documents, notifier),
    marketData: new DynamoMarketDataStore(documents, config.marketDataTable, config.ttlDays),
    audit: new DynamoAuditLog(documents, config.auditTrailTable, config.environment),
    routing: MARKET_EVENT_ROUTING,
  };
}

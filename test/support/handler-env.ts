import { ENV } from '../../src/resources/index.js';
import type { LocalDynamo } from './dynamo.js';
import { TEST_CREDENTIALS } from './dynamo.js';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:trading-alerts-test';
export const EVENTS_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/market-events-dlq-test';

/** The environment the stack gives the functions, with the SDK pointed at dynalite through standard configuration. */
export function useHandlerEnvironment(db: LocalDynamo): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    [ENV.environment]: 'test',
    [ENV.alertsTable]: db.names.alertsTable,
    [ENV.alertRulesTable]: db.names.alertRulesTable,
    [ENV.tradingAlertsTopicArn]: TOPIC_ARN,
    [ENV.marketDataTable]: db.names.marketDataTable,
    [ENV.auditTrailTable]: db.names.auditTrailTable,
    [ENV.marketEventsDlqUrl]: EVENTS_DLQ_URL,
  });
}

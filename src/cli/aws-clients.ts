import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointOf, tellConnectionFromCredentials, type Service } from './endpoints.js';
import type { Target } from './target.js';

type AwsTarget = Extract<Target, { kind: 'aws' }>;

/** Connection problems fail in seconds, not minutes. */
const requestHandler = { connectionTimeout: 5_000, requestTimeout: 30_000 };

/** What every client of a deployed target shares: its region, the --endpoint for every service, quick timeouts. */
function base(target: AwsTarget) {
  return { region: target.region, ...(target.endpoint && { endpoint: target.endpoint }), requestHandler };
}

function checked<C extends DynamoDBClient | SQSClient | EventBridgeClient>(client: C, target: AwsTarget, service: Service): C {
  tellConnectionFromCredentials(client, service, endpointOf(service, target.endpoint));
  return client;
}

export const dynamoClient = (target: AwsTarget): DynamoDBClient => checked(new DynamoDBClient(base(target)), target, 'DynamoDB');

/** Requests go to the configured endpoint, never to whatever host a queue URL names. */
export const sqsClient = (target: AwsTarget): SQSClient => checked(new SQSClient({ ...base(target), useQueueUrlAsEndpoint: false }), target, 'SQS');

export const eventBridgeClient = (target: AwsTarget): EventBridgeClient => checked(new EventBridgeClient(base(target)), target, 'EventBridge');

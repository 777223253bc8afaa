import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * How the functions' clients call AWS. The SDK makes one attempt per call: the adapters' own backoff decides about
 * retries within the function's time budget, and the SDK's retries would otherwise multiply inside each of ours.
 * Every attempt is also cut off by the adapters when the budget runs out (see retry.ts).
 */
export const CLIENT_SETTINGS = {
  maxAttempts: 1,
  // Without throwOnRequestTimeout, an exceeded requestTimeout only logs a warning.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
} as const;

/**
 * Clients with the SDK's standard configuration (region, credentials, AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>) plus the settings above, so one bundle runs against AWS, LocalStack or the embedded server.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient(CLIENT_SETTINGS)): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSnsClient(): SNSClient {
  return new SNSClient(CLIENT_SETTINGS);
}

/** The queue URL's host is not taken as the endpoint, so AWS_ENDPOINT_URL_SQS decides like for every other service. */
export function createSqsClient(): SQSClient {
  return new SQSClient({ ...CLIENT_SETTINGS, useQueueUrlAsEndpoint: false });
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * Clients with the SDK's standard configuration only (region, credentials, AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>), so one bundle runs against AWS, LocalStack or the embedded server.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSnsClient(): SNSClient {
  return new SNSClient({});
}

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
 * How numbers cross to DynamoDB and back. A number the functions hold is a double (the Lambda runtime parsed the
 * event's JSON), and String(n) is its shortest exact decimal: at most 17 significant digits, which DynamoDB holds
 * exactly (38). So every number is sent as that decimal, beyond 2^53 too (the SDK refuses those unless
 * allowImpreciseNumbers: it cannot tell a double that was meant from an integer that was rounded), and what DynamoDB
 * sends back, the same value written out in full (1e+16 comes back as 10000000000000000), is read with Number(),
 * which gives that double again; the SDK's own reading would turn numbers beyond 2^53 into BigInts.
 * Which numbers DynamoDB takes at all (its magnitude range) is what validation checks: STRUCTURE_LIMITS.
 */
const MARSHALL_OPTIONS = Object.freeze({ removeUndefinedValues: true, allowImpreciseNumbers: true });
export const UNMARSHALL_OPTIONS = Object.freeze({ wrapNumbers: (decimal: string): number => Number(decimal) });

/**
 * Clients with the SDK's standard configuration (region, credentials, AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>) plus the settings above, so one bundle runs against AWS, LocalStack or the embedded server.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient(CLIENT_SETTINGS)): DynamoDBDocumentClient {
  // Copies: the document client writes its own defaults into the options it is given.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { ...MARSHALL_OPTIONS }, unmarshallOptions: { ...UNMARSHALL_OPTIONS } });
}

export function createSnsClient(): SNSClient {
  return new SNSClient(CLIENT_SETTINGS);
}

/** The queue URL's host is not taken as the endpoint, so AWS_ENDPOINT_URL_SQS decides like for every other service. */
export function createSqsClient(): SQSClient {
  return new SQSClient({ ...CLIENT_SETTINGS, useQueueUrlAsEndpoint: false });
}

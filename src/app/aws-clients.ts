import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointOf, tellConnectionFromCredentials, type Service } from './endpoints.js';
import { NonAwsResponseError, unreadableResponseOf } from './errors.js';

/** Where a deployed target's services are: its region, and the endpoint the user named for all of them, if any. */
interface Deployment {
  readonly region: string;
  readonly endpoint?: string;
}

/** Connection problems fail in seconds, not minutes. */
const requestHandler = { connectionTimeout: 5_000, requestTimeout: 30_000 };

/** What every client of a deployed target shares: its region, the --endpoint for every service, quick timeouts. */
function base(target: Deployment) {
  return { region: target.region, ...(target.endpoint && { endpoint: target.endpoint }), requestHandler };
}

function checked<C extends DynamoDBClient | SQSClient | EventBridgeClient>(client: C, target: Deployment, service: Service): C {
  tellConnectionFromCredentials(client, service, endpointOf(service, target.endpoint));
  return explainingUnreadableResponses(client, service);
}

interface BuildStepClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'build'; name: string }): void };
}

interface BuiltRequest {
  readonly request?: { protocol?: string; hostname?: string; port?: number };
}

/**
 * An answer the SDK cannot read (an HTML error page) fails with NonAwsResponseError, naming the service and the
 * endpoint the request went to. Added at the build step, outside the SDK's retries: it sees the last attempt's error.
 */
function explainingUnreadableResponses<C extends BuildStepClient>(client: C, service: Service): C {
  client.middlewareStack.add(
    (next: (args: BuiltRequest) => Promise<unknown>) => async (args: BuiltRequest) => {
      try {
        return await next(args);
      } catch (error) {
        const response = unreadableResponseOf(error);
        if (!response) throw error;
        const { protocol = 'https:', hostname = '?', port } = args.request ?? {};
        throw new NonAwsResponseError(service, `${protocol}//${hostname}${port ? `:${port}` : ''}`, response, error);
      }
    },
    { step: 'build', name: 'explainingUnreadableResponses' },
  );
  return client;
}

export const dynamoClient = (target: Deployment): DynamoDBClient => checked(new DynamoDBClient(base(target)), target, 'DynamoDB');

/** Requests go to the configured endpoint, never to whatever host a queue URL names. */
export const sqsClient = (target: Deployment): SQSClient => checked(new SQSClient({ ...base(target), useQueueUrlAsEndpoint: false }), target, 'SQS');

export const eventBridgeClient = (target: Deployment): EventBridgeClient => checked(new EventBridgeClient(base(target)), target, 'EventBridge');

/**
 * A Lambda client with the standard SDK configuration only (AWS_ENDPOINT_URL_LAMBDA included; --endpoint names the
 * DynamoDB-compatible server, not Lambda): unreachable fails in seconds.
 */
export const lambdaClient = (target: Deployment): LambdaClient =>
  explainingUnreadableResponses(
    new LambdaClient({ region: target.region, maxAttempts: 3, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } }),
    'Lambda',
  );

import { GetQueueUrlCommand, QueueDoesNotExist, type SQSClient } from '@aws-sdk/client-sqs';
import { UserError } from '../shared/user-error.js';
import { ServiceError } from './errors.js';

/** The SQS error for an unknown queue name: the SDK's class, or the name SQS's query protocol still returns. */
const isMissingQueue = (error: unknown): boolean =>
  error instanceof QueueDoesNotExist || (error as Error | undefined)?.name === 'AWS.SimpleQueueService.NonExistentQueue';

/**
 * A deployed queue's URL by its name (GetQueueUrl). A queue that does not exist is the user's to fix: the message
 * says to deploy, or which options name the queue instead (`alternatives`); anything else is a service error.
 */
export async function queueUrlByName(
  sqs: SQSClient,
  name: string,
  where: { region: string; endpoint?: string | undefined; alternatives: string },
): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${name}`);
    return QueueUrl;
  } catch (error) {
    if (isMissingQueue(error))
      throw new UserError(`queue ${name} does not exist in ${where.region}: deploy the stack (npm run deploy), or pass ${where.alternatives}`);
    throw new ServiceError(error, { service: 'SQS', ...(where.endpoint && { endpoint: where.endpoint }) });
  }
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand, ReceiveMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { queueUrlByName } from './queue-url.js';
import { resourceNames } from '../resources/index.js';
import { checkQueueUrl, endpointOf } from './endpoints.js';
import { OUTPUT_KEYS } from './stack-outputs.js';
import type { AwsTarget } from './target.js';

export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
  readonly receiveCount: number;
  /** What EventBridge or Lambda recorded about the failure, when they did. */
  readonly error?: string;
}

export async function deadLetterQueueUrl(sqs: SQSClient, target: AwsTarget, queue: 'ticks' | 'events'): Promise<string> {
  const key = queue === 'ticks' ? 'ticksDlqUrl' : 'eventsDlqUrl';
  const fromOutputs = target.outputs?.get(key);
  if (fromOutputs) return checkQueueUrl(fromOutputs, `${target.outputs!.file}: ${OUTPUT_KEYS[key]}`, target.endpoint);
  const names = resourceNames(target.environment);
  const name = queue === 'ticks' ? names.marketDataDlq : names.marketEventsDlq;
  return queueUrlByName(sqs, name, { region: target.region, endpoint: endpointOf('SQS', target.endpoint), alternatives: '--outputs' });
}

/**
 * Look at messages without taking them: receive with a zero visibility timeout (they stay visible to everyone) until
 * no new message turns up. SQS samples its servers, so a large queue may show a subset.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, limit: number): Promise<PeekedMessage[]> {
  const seen = new Map<string, PeekedMessage>();
  for (let emptyRounds = 0; emptyRounds < 3 && seen.size < limit;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    emptyRounds = fresh.length === 0 ? emptyRounds + 1 : 0;
    for (const m of fresh) {
      const error = m.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? m.MessageAttributes?.ErrorMessage?.StringValue;
      seen.set(m.MessageId!, {
        messageId: m.MessageId!,
        body: m.Body ?? '',
        sentTimestamp: Number(m.Attributes?.SentTimestamp ?? 0),
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
        ...(error && { error }),
      });
    }
  }
  return [...seen.values()].slice(0, limit);
}

/** SQS's own redrive: move the dead letters back to the queue they came from. */
export async function startRedrive(sqs: SQSClient, dlqUrl: string): Promise<{ taskHandle: string; sourceArn: string }> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const sourceArn = Attributes?.QueueArn;
  if (!sourceArn) throw new Error(`no QueueArn for ${dlqUrl}`);
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn }));
  return { taskHandle: TaskHandle ?? '', sourceArn };
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { checkInput, formatOf, readInput } from '../local/formats/input-file.js';
import type { InputFormat } from '../resources/input-formats.js';
import { resourceNames } from '../resources/index.js';
import { eventBridgeClient, sqsClient } from './aws-clients.js';
import { checkEndpoint, checkQueueUrl, endpointOf } from './endpoints.js';
import { Publisher, type PublishFailure } from './publisher.js';
import { queueUrlByName } from './queue-url.js';
import { resolveTarget, type TargetOptions } from './target.js';

export type { PublishFailure } from './publisher.js';

export interface PublishRequest extends TargetOptions {
  readonly file: string;
  /** Default: the outputs file's queue, or the environment's queue by name. */
  readonly queueUrl?: string;
  /** Default: the outputs file's bus, or the environment's bus. */
  readonly busName?: string;
  readonly format?: InputFormat;
}

/** What was sent where; every entry that was not is in `failed` (with its line), every unreadable line counted. */
export interface PublishResult {
  readonly file: string;
  /** The queue URL given or taken from the outputs file; null when it was looked up by name. */
  readonly queueUrl: string | null;
  /** Where ticks went, for people: the queue URL, or the queue's name. */
  readonly queue: string;
  readonly busName: string;
  readonly ticksSent: number;
  readonly eventsSent: number;
  readonly failed: readonly PublishFailure[];
  readonly skippedLines: number;
}

export interface PublishListener {
  /** An entry that could not be sent, told as soon as that is known. */
  readonly onFailure?: (failure: PublishFailure) => void;
  /** A line of the file that is neither a tick nor a bus event (it is not sent). */
  readonly onSkipped?: (line: number, reason: string) => void;
}

/** A queue URL from the request, the outputs file, or the environment's queue name (GetQueueUrl, on first use). */
function queueUrlResolver(sqs: SQSClient, explicit: string | undefined, queueName: string, region: string, endpoint?: string): () => Promise<string> {
  let url: Promise<string> | undefined;
  return () =>
    (url ??= explicit ? Promise.resolve(explicit) : queueUrlByName(sqs, queueName, { region, endpoint, alternatives: '--queue-url or --outputs' }));
}

/** Send a file's ticks to a deployed queue (SendMessageBatch) and its events to the deployed bus (PutEvents). */
export async function publishFile(request: PublishRequest, listener: PublishListener = {}): Promise<PublishResult> {
  const { file } = request;
  const format = formatOf(file, request.format);
  await checkInput(file, format, { allowEmpty: true });
  const target = await resolveTarget({ ...request, aws: true });
  if (target.kind !== 'aws') throw new Error('unreachable: publish always targets AWS');
  const names = resourceNames(target.environment);
  const sqs = sqsClient(target);
  const events = eventBridgeClient(target);
  let publisher: Publisher;
  let queueUrl: string | undefined;
  let busName: string;
  let skipped = 0;
  try {
    // A queue URL the user typed may name any server (HTTP only to this machine); one from an outputs file must be AWS's.
    if (request.queueUrl) checkEndpoint(request.queueUrl, '--queue-url');
    const fromOutputs = target.outputs?.get('queueUrl');
    queueUrl = request.queueUrl ?? (fromOutputs && checkQueueUrl(fromOutputs, `${target.outputs!.file}: sqs_queue_url`, target.endpoint));
    busName = request.busName ?? target.outputs?.get('eventBusName') ?? names.eventBus;
    publisher = new Publisher({
      sqs,
      events,
      queueUrl: queueUrlResolver(sqs, queueUrl, names.marketDataQueue, target.region, endpointOf('SQS', target.endpoint)),
      busName,
      ...(listener.onFailure && { onFailure: listener.onFailure }),
    });
    try {
      for await (const record of readInput(file, format)) {
        if (record.kind === 'tick') await publisher.tick(record.body, record.line);
        else if (record.kind === 'event') await publisher.event(record.entry, record.line);
        else {
          skipped++;
          listener.onSkipped?.(record.line, record.reason);
        }
      }
    } finally {
      await publisher.close();
    }
  } finally {
    sqs.destroy();
    events.destroy();
  }
  return {
    file,
    queueUrl: queueUrl ?? null,
    queue: queueUrl ?? names.marketDataQueue,
    busName,
    ticksSent: publisher.ticksSent,
    eventsSent: publisher.eventsSent,
    failed: publisher.failures,
    skippedLines: skipped,
  };
}

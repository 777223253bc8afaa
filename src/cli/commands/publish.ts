import { GetQueueUrlCommand, QueueDoesNotExist, type SQSClient } from '@aws-sdk/client-sqs';
import { eventBridgeClient, sqsClient } from '../aws-clients.js';
import { checkEndpoint, checkQueueUrl, endpointOf } from '../endpoints.js';
import { ServiceError } from '../../app/errors.js';
import { UserError } from '../../shared/user-error.js';
import { describeFailure } from '../failures.js';
import { checkInputFile, formatOf, readInput, type InputFormat } from '../../local/formats/input-file.js';
import { resourceNames } from '../../resources/index.js';
import { DEFAULT_OUTPUTS_FILE } from '../outputs.js';
import { Publisher, type PublishFailure } from '../publisher.js';
import { EXIT_CODES } from '../process-exit.js';
import { resolveTarget, type TargetOptions } from '../target.js';
import { safeJson, visible } from '../terminal.js';

export interface PublishOptions extends TargetOptions {
  readonly queueUrl?: string;
  readonly busName?: string;
  readonly format?: InputFormat;
  readonly json?: boolean;
}

/** A failure's reason for people: the service's words, or the failed call explained. */
const reasonOf = (f: PublishFailure): string => (f.cause ? describeFailure(f.cause) : f.reason);
const describeFailureLine = (f: PublishFailure): string => `line ${f.line} (${f.kind}): ${visible(reasonOf(f))}`;

/** A queue URL from the options, the outputs file, or the environment's queue name (GetQueueUrl). */
function queueUrlResolver(sqs: SQSClient, explicit: string | undefined, queueName: string, region: string, endpoint?: string): () => Promise<string> {
  let url: Promise<string> | undefined;
  return () =>
    (url ??= explicit
      ? Promise.resolve(explicit)
      : sqs
          .send(new GetQueueUrlCommand({ QueueName: queueName }))
          .then((r) => r.QueueUrl ?? Promise.reject(new Error(`GetQueueUrl returned no URL for ${queueName}`)))
          .catch((error: unknown) => {
            if (error instanceof QueueDoesNotExist || (error as Error).name === 'AWS.SimpleQueueService.NonExistentQueue') {
              throw new UserError(`queue ${queueName} does not exist in ${region}: deploy the stack (npm run deploy), or pass --queue-url or --outputs`);
            }
            throw new ServiceError(error, { service: 'SQS', ...(endpoint && { endpoint }) });
          }));
}

/** Send a file's ticks to a deployed queue and its events to the deployed bus. */
export async function publishCommand(file: string, options: PublishOptions): Promise<void> {
  if (!options.aws && !options.outputs && !options.endpoint && !options.queueUrl && !options.busName) {
    throw new UserError(
      `publish sends to a deployed queue and bus: give --outputs ${DEFAULT_OUTPUTS_FILE}, --queue-url/--bus-name, --endpoint or --aws (names from ENVIRONMENT_SUFFIX); ` +
        'to run a file through the local pipeline use: market-data replay',
    );
  }
  await checkInputFile(file);
  const target = await resolveTarget({ ...options, aws: true });
  if (target.kind !== 'aws') throw new Error('unreachable: publish always targets AWS');
  const names = resourceNames(target.environment);
  const sqs = sqsClient(target);
  const events = eventBridgeClient(target);
  // A queue URL the user typed may name any server (HTTP only to this machine); one from an outputs file must be AWS's.
  if (options.queueUrl) checkEndpoint(options.queueUrl, '--queue-url');
  const fromOutputs = target.outputs?.get('queueUrl');
  const queueUrl = options.queueUrl ?? (fromOutputs && checkQueueUrl(fromOutputs, `${target.outputs!.file}: sqs_queue_url`, target.endpoint));
  const busName = options.busName ?? target.outputs?.get('eventBusName') ?? names.eventBus;
  const publisher = new Publisher({
    sqs,
    events,
    queueUrl: queueUrlResolver(sqs, queueUrl, names.marketDataQueue, target.region, endpointOf('SQS', target.endpoint)),
    busName,
    onFailure: (f) => process.stderr.write(`${describeFailureLine(f)}\n`),
  });
  let skipped = 0;
  try {
    try {
      for await (const record of readInput(file, formatOf(file, options.format))) {
        if (record.kind === 'tick') await publisher.tick(record.body, record.line);
        else if (record.kind === 'event') await publisher.event(record.entry, record.line);
        else {
          skipped++;
          process.stderr.write(`line ${record.line}: ${visible(record.reason)} (not sent)\n`);
        }
      }
    } finally {
      await publisher.close();
    }
  } finally {
    sqs.destroy();
    events.destroy();
  }
  const result = {
    file,
    queueUrl: queueUrl ?? null,
    busName,
    ticksSent: publisher.ticksSent,
    eventsSent: publisher.eventsSent,
    failed: publisher.failures.map((f) => ({ kind: f.kind, line: f.line, reason: reasonOf(f) })),
    skippedLines: skipped,
  };
  if (options.json) process.stdout.write(`${safeJson(result)}\n`);
  else {
    process.stdout.write(
      `published ${result.ticksSent} ticks${publisher.ticksSent > 0 ? ` to ${visible(queueUrl ?? names.marketDataQueue)}` : ''} and ` +
        `${result.eventsSent} events to ${visible(busName)}; ${result.failed.length} failed, ${skipped} unreadable lines skipped\n`,
    );
  }
  if (result.failed.length > 0 || skipped > 0) process.exitCode = EXIT_CODES.rejected;
}

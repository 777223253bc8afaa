import { eventDeadLetters, tickDeadLetters, type EventDeadLetter, type TickDeadLetter } from '../local/emulation/dead-letter-store.js';
import { dataHome, localPaths } from '../local/emulation/paths.js';
import { withStoreLock } from '../local/emulation/store.js';
import type { UnreadableLine } from '../local/formats/jsonl-reader.js';
import { redrive, type DeadLetterQueueChoice } from '../local/sessions/redrive.js';
import { TABLES, type TableKey } from '../resources/index.js';
import { UserError } from '../shared/user-error.js';
import { sqsClient } from './aws-clients.js';
import { endpointOf } from './endpoints.js';
import { ServiceError, isNetworkError } from './errors.js';
import { deadLetterQueueUrl, peekMessages, startRedrive, type PeekedMessage } from './remote-dlq.js';
import type { PreparedRun } from './sessions.js';
import { openRemoteTables, type AwsTarget, type LocalTarget, type Target } from './target.js';

export type DeadLetterQueue = Exclude<DeadLetterQueueChoice, 'all'>;

const queuesOf = (choice: DeadLetterQueueChoice): DeadLetterQueue[] => (choice === 'all' ? ['ticks', 'events'] : [choice]);

/** The first dead letters of one local queue, and how many it holds. */
export interface LocalQueueListing {
  readonly file: string;
  readonly total: number;
  readonly items: readonly (TickDeadLetter | EventDeadLetter)[];
}

async function firstOf<T>(store: { entries(): AsyncGenerator<T> }, limit: number): Promise<{ items: T[]; total: number }> {
  const items: T[] = [];
  let total = 0;
  for await (const entry of store.entries()) {
    if (items.length < limit) items.push(entry);
    total++;
  }
  return { items, total };
}

/**
 * The local dead-letter queues of the target's session, at most `limit` letters each, read under the store lock so
 * that a running redrive or replay never changes the files while they are read. Lines that cannot be read are
 * skipped and returned apart.
 */
export async function listLocalDeadLetters(
  target: LocalTarget,
  choice: DeadLetterQueueChoice,
  limit: number,
): Promise<{ queues: Partial<Record<DeadLetterQueue, LocalQueueListing>>; unreadable: UnreadableLine[] }> {
  const paths = localPaths(target.home, target.environment, target.session);
  const unreadable: UnreadableLine[] = [];
  const onUnreadable = (problem: UnreadableLine) => unreadable.push(problem);
  const queues: Partial<Record<DeadLetterQueue, LocalQueueListing>> = {};
  await withStoreLock(paths, async () => {
    for (const queue of queuesOf(choice)) {
      const store = queue === 'ticks' ? tickDeadLetters(paths.ticksDlq, onUnreadable) : eventDeadLetters(paths.eventsDlq, onUnreadable);
      const { items, total } = await firstOf<TickDeadLetter | EventDeadLetter>(store, limit);
      queues[queue] = { file: store.file, total, items };
    }
  });
  return { queues, unreadable };
}

/**
 * A deployed environment's dead-letter queues, one at a time as each is read: messages seen without taking them
 * (SQS samples its servers, so a large queue may show a subset).
 */
export async function* remoteDeadLetters(
  target: AwsTarget,
  choice: DeadLetterQueueChoice,
  limit: number,
): AsyncGenerator<{ queue: DeadLetterQueue; queueUrl: string; items: PeekedMessage[] }> {
  const sqs = sqsClient(target);
  try {
    for (const queue of queuesOf(choice)) {
      const queueUrl = await deadLetterQueueUrl(sqs, target, queue);
      yield { queue, queueUrl, items: await peekMessages(sqs, queueUrl, limit) };
    }
  } catch (error) {
    const endpoint = endpointOf('SQS', target.endpoint);
    throw isNetworkError(error) ? new ServiceError(error, { service: 'SQS', ...(endpoint && { endpoint }) }) : error;
  } finally {
    sqs.destroy();
  }
}

/** SQS's own redrive of a deployed environment's ticks dead-letter queue back to the queue its messages came from. */
export async function startRemoteRedrive(target: AwsTarget, choice: DeadLetterQueueChoice): Promise<{ taskHandle: string; sourceArn: string }> {
  if (choice !== 'ticks') {
    throw new UserError(
      'only the ticks dead-letter queue can be redriven on AWS (SQS moves its messages back to the queue); the market-events ' +
        'dead-letter queue holds EventBridge delivery failures: inspect them with dlq list --queue events and publish fixed events again',
    );
  }
  const sqs = sqsClient(target);
  try {
    return await startRedrive(sqs, await deadLetterQueueUrl(sqs, target, 'ticks'));
  } finally {
    sqs.destroy();
  }
}

export interface LocalRedriveOptions {
  readonly queue: DeadLetterQueueChoice;
  /** The local data folder, where a deployed target's local dead letters are kept (default: dataHome's). */
  readonly dataDir?: string;
  readonly verbose?: boolean;
}

/**
 * The local dead letters back through the local pipeline: on the embedded store, or on a deployed environment's
 * tables. `present` gets the run once the tables are open, runs it with its hooks, and returns what it returns.
 */
export async function redriveLocally<T>(target: Target, options: LocalRedriveOptions, present: (prepared: PreparedRun) => Promise<T>): Promise<T> {
  const remote = target.kind === 'aws' ? await openRemoteTables(target, Object.keys(TABLES) as TableKey[]) : undefined;
  try {
    return await present({
      files: 0,
      run: (hooks) =>
        redrive({
          environment: target.environment,
          home: target.kind === 'local' ? target.home : dataHome(options.dataDir),
          queue: options.queue,
          ...(remote && { remote }),
          ...(options.verbose !== undefined && { verbose: options.verbose }),
          ...hooks,
        }),
    });
  } finally {
    await remote?.close();
  }
}

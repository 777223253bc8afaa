import { parseTick } from '../../domain/index.js';
import { reportRun } from '../run-report.js';
import { eventDeadLetters, tickDeadLetters, type EventDeadLetter, type TickDeadLetter } from '../../local/emulation/dead-letter-store.js';
import type { UnreadableLine } from '../../local/formats/jsonl-reader.js';
import { ServiceError, isNetworkError } from '../../app/errors.js';
import { UserError } from '../../shared/user-error.js';
import { basename } from 'node:path';
import { dataHome, displayPath, localPaths } from '../../local/emulation/paths.js';
import { withStoreLock } from '../../local/emulation/store.js';
import { paint, safeJson, visible } from '../terminal.js';
import { redrive, type DeadLetterQueueChoice } from '../../local/sessions/redrive.js';
import { TABLES, type TableKey } from '../../resources/index.js';
import { sqsClient } from '../aws-clients.js';
import { endpointOf } from '../endpoints.js';
import { deadLetterQueueUrl, peekMessages, startRedrive } from '../remote-dlq.js';
import { describeTarget, openRemoteTables, resolveTarget, type Target, type TargetOptions } from '../target.js';

export interface DlqOptions extends TargetOptions {
  readonly queue: DeadLetterQueueChoice;
  readonly limit: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  /** Redrive the local dead letters through the pipeline on a deployed environment's tables. */
  readonly remoteTables?: boolean;
}

const queuesOf = (choice: DeadLetterQueueChoice): ('ticks' | 'events')[] => (choice === 'all' ? ['ticks', 'events'] : [choice]);
const where = (letter: { origin?: { file: string; line: number } }, files: number): string =>
  letter.origin ? `${files > 1 ? `${visible(basename(letter.origin.file))} ` : ''}line ${letter.origin.line}` : '-';

async function firstOf<T>(store: { entries(): AsyncGenerator<T> }, limit: number): Promise<{ items: T[]; total: number }> {
  const items: T[] = [];
  let total = 0;
  for await (const entry of store.entries()) {
    if (items.length < limit) items.push(entry);
    total++;
  }
  return { items, total };
}

/** Input files the dead letters came from: their lines name the file when there is more than one. */
const originFiles = (items: readonly { origin?: { file: string } }[]): number => new Set(items.map((i) => i.origin?.file)).size;

async function listLocal(target: Extract<Target, { kind: 'local' }>, options: DlqOptions): Promise<void> {
  const paths = localPaths(target.home, target.environment, target.session);
  const unreadable: UnreadableLine[] = [];
  const onUnreadable = (problem: UnreadableLine) => unreadable.push(problem);
  const result: Record<string, { file: string; total: number; items: (TickDeadLetter | EventDeadLetter)[] }> = {};
  // The lock keeps a running redrive or replay from changing the files while they are read.
  await withStoreLock(paths, async () => {
    for (const queue of queuesOf(options.queue)) {
      const store = queue === 'ticks' ? tickDeadLetters(paths.ticksDlq, onUnreadable) : eventDeadLetters(paths.eventsDlq, onUnreadable);
      const { items, total } = await firstOf<TickDeadLetter | EventDeadLetter>(store, options.limit);
      result[queue] = { file: store.file, total, items };
    }
  });
  for (const problem of unreadable) process.stderr.write(`warning: ${visible(problem.file)} line ${problem.line}: ${problem.reason}\n`);
  if (options.json) {
    process.stdout.write(`${safeJson(result)}\n`);
    return;
  }
  for (const [queue, { file, total, items }] of Object.entries(result)) {
    process.stdout.write(`${paint('bold', `${queue} dead-letter queue`)} (${visible(displayPath(file))}): ${total} message${total === 1 ? '' : 's'}\n`);
    const files = originFiles(items);
    for (const item of items) {
      if (queue === 'ticks') {
        const t = item as TickDeadLetter;
        process.stdout.write(`  ${where(t, files).padEnd(10)} ${visible(t.reason)}\n  ${''.padEnd(10)} body: ${visible(t.body)}\n`);
      } else {
        const e = item as EventDeadLetter;
        process.stdout.write(`  ${where(e, files).padEnd(10)} ${visible(e.event['detail-type'])} via ${visible(e.rule)}: ${visible(e.reason)}\n`);
      }
    }
    if (total > items.length) process.stdout.write(`  … and ${total - items.length} more (--limit)\n`);
  }
}

async function listRemote(target: Extract<Target, { kind: 'aws' }>, options: DlqOptions): Promise<void> {
  const sqs = sqsClient(target);
  try {
    const result: Record<string, unknown> = {};
    for (const queue of queuesOf(options.queue)) {
      const url = await deadLetterQueueUrl(sqs, target, queue);
      const messages = await peekMessages(sqs, url, options.limit);
      result[queue] = { queueUrl: url, items: messages };
      if (options.json) continue;
      process.stdout.write(`${paint('bold', `${queue} dead-letter queue`)} (${visible(url)}): ${messages.length} message${messages.length === 1 ? '' : 's'} seen\n`);
      for (const m of messages) {
        const parsed = queue === 'ticks' ? parseTick(m, Date.now()) : undefined;
        const reason = m.error ?? (parsed && !parsed.ok ? parsed.reason : `received ${m.receiveCount} times`);
        process.stdout.write(`  ${visible(m.messageId)}  ${visible(reason)}\n    body: ${visible(m.body)}\n`);
      }
    }
    if (options.json) process.stdout.write(`${safeJson(result)}\n`);
  } catch (error) {
    const endpoint = endpointOf('SQS', target.endpoint);
    throw isNetworkError(error) ? new ServiceError(error, { service: 'SQS', ...(endpoint && { endpoint }) }) : error;
  } finally {
    sqs.destroy();
  }
}

export async function dlqListCommand(options: DlqOptions): Promise<void> {
  const target = await resolveTarget(options);
  if (target.kind === 'local') await listLocal(target, options);
  else await listRemote(target, options);
}

/**
 * Local dead letters go back through the local pipeline (on the embedded store, or with --remote-tables on the
 * deployed tables); a deployed queue's dead letters are moved back by SQS itself.
 */
export async function dlqRedriveCommand(options: DlqOptions): Promise<void> {
  const target = await resolveTarget(options);
  if (target.kind === 'aws' && !options.remoteTables) {
    if (options.queue !== 'ticks') {
      throw new UserError(
        'only the ticks dead-letter queue can be redriven on AWS (SQS moves its messages back to the queue); the market-events ' +
          'dead-letter queue holds EventBridge delivery failures: inspect them with dlq list --queue events and publish fixed events again',
      );
    }
    const sqs = sqsClient(target);
    try {
      const { taskHandle, sourceArn } = await startRedrive(sqs, await deadLetterQueueUrl(sqs, target, 'ticks'));
      process.stdout.write(options.json ? `${safeJson({ sourceArn, taskHandle })}\n` : `redrive started from ${visible(sourceArn)} (task ${visible(taskHandle)})\n`);
    } finally {
      sqs.destroy();
    }
    return;
  }
  const remote = target.kind === 'aws' ? await openRemoteTables(target, Object.keys(TABLES) as TableKey[]) : undefined;
  try {
    const home = target.kind === 'local' ? target.home : dataHome(options.dataDir);
    if (!options.json) process.stdout.write(`redriving the local dead letters through ${describeTarget(target)}\n`);
    await reportRun(
      (hooks) =>
        redrive({
          environment: target.environment,
          home,
          queue: options.queue,
          ...(remote && { remote }),
          ...(options.verbose !== undefined && { verbose: options.verbose }),
          ...hooks,
        }),
      { ...(options.json !== undefined && { json: options.json }), ...(options.quiet !== undefined && { quiet: options.quiet }) },
    );
  } finally {
    await remote?.close();
  }
}

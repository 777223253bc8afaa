import { basename } from 'node:path';
import {
  listLocalDeadLetters,
  redriveLocally,
  remoteDeadLetters,
  startRemoteRedrive,
  type DeadLetterQueueChoice,
  type EventDeadLetter,
  type TickDeadLetter,
} from '../../app/dead-letters.js';
import { displayPath } from '../../app/sessions.js';
import { describeTarget, resolveTarget, type AwsTarget, type LocalTarget, type TargetOptions } from '../../app/target.js';
import { parseTick } from '../../domain/index.js';
import { plural } from '../../shared/text.js';
import type { CommandIO } from '../io.js';
import { reportRun } from '../run-report.js';
import { paint, safeJson, visible } from '../terminal.js';

export interface DlqOptions extends TargetOptions {
  readonly queue: DeadLetterQueueChoice;
  readonly limit: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  /** Redrive the local dead letters through the pipeline on a deployed environment's tables. */
  readonly remoteTables?: boolean;
}

const where = (letter: { origin?: { file: string; line: number } }, files: number): string =>
  letter.origin ? `${files > 1 ? `${visible(basename(letter.origin.file))} ` : ''}line ${letter.origin.line}` : '-';

/** Input files the dead letters came from: their lines name the file when there is more than one. */
const originFiles = (items: readonly { origin?: { file: string } }[]): number => new Set(items.map((i) => i.origin?.file)).size;

async function listLocal(target: LocalTarget, options: DlqOptions, { stdout, stderr }: CommandIO): Promise<void> {
  const { queues, unreadable } = await listLocalDeadLetters(target, options.queue, options.limit);
  for (const problem of unreadable) stderr.write(`warning: ${visible(problem.file)} line ${problem.line}: ${problem.reason}\n`);
  if (options.json) {
    stdout.write(`${safeJson(queues)}\n`);
    return;
  }
  for (const [queue, { file, total, items }] of Object.entries(queues)) {
    stdout.write(`${paint('bold', `${queue} dead-letter queue`, stdout)} (${visible(displayPath(file))}): ${plural(total, 'message')}\n`);
    const files = originFiles(items);
    for (const item of items) {
      if (queue === 'ticks') {
        const t = item as TickDeadLetter;
        stdout.write(`  ${where(t, files).padEnd(10)} ${visible(t.reason)}\n  ${''.padEnd(10)} body: ${visible(t.body)}\n`);
      } else {
        const e = item as EventDeadLetter;
        stdout.write(`  ${where(e, files).padEnd(10)} ${visible(e.event['detail-type'])} via ${visible(e.rule)}: ${visible(e.reason)}\n`);
      }
    }
    if (total > items.length) stdout.write(`  … and ${total - items.length} more (--limit)\n`);
  }
}

async function listRemote(target: AwsTarget, options: DlqOptions, { stdout }: CommandIO): Promise<void> {
  const result: Record<string, unknown> = {};
  for await (const { queue, queueUrl, items } of remoteDeadLetters(target, options.queue, options.limit)) {
    result[queue] = { queueUrl, items };
    if (options.json) continue;
    stdout.write(`${paint('bold', `${queue} dead-letter queue`, stdout)} (${visible(queueUrl)}): ${plural(items.length, 'message')} seen\n`);
    for (const m of items) {
      const parsed = queue === 'ticks' ? parseTick(m, Date.now()) : undefined;
      const reason = m.error ?? (parsed && !parsed.ok ? parsed.reason : `received ${m.receiveCount} times`);
      stdout.write(`  ${visible(m.messageId)}  ${visible(reason)}\n    body: ${visible(m.body)}\n`);
    }
  }
  if (options.json) stdout.write(`${safeJson(result)}\n`);
}

export async function dlqListCommand(options: DlqOptions, io: CommandIO): Promise<void> {
  const target = await resolveTarget(options);
  if (target.kind === 'local') await listLocal(target, options, io);
  else await listRemote(target, options, io);
}

/**
 * Local dead letters go back through the local pipeline (on the embedded store, or with --remote-tables on the
 * deployed tables); a deployed queue's dead letters are moved back by SQS itself.
 */
export async function dlqRedriveCommand(options: DlqOptions, io: CommandIO): Promise<void> {
  const target = await resolveTarget(options);
  if (target.kind === 'aws' && !options.remoteTables) {
    const { taskHandle, sourceArn } = await startRemoteRedrive(target, options.queue);
    io.stdout.write(
      options.json ? `${safeJson({ sourceArn, taskHandle })}\n` : `redrive started from ${visible(sourceArn)} (task ${visible(taskHandle)})\n`,
    );
    return;
  }
  const redrive = {
    queue: options.queue,
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.verbose !== undefined && { verbose: options.verbose }),
  };
  await redriveLocally(target, redrive, async (prepared) => {
    if (!options.json) io.stdout.write(`redriving the local dead letters through ${describeTarget(target)}\n`);
    return reportRun(
      prepared,
      { ...(options.json !== undefined && { json: options.json }), ...(options.quiet !== undefined && { quiet: options.quiet }) },
      io,
    );
  });
}

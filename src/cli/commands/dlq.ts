import { Option, type Command } from 'commander';
import { basename } from 'node:path';
import type { AwsTarget, LocalTarget, TargetOptions } from '../../app/target.js';
import { parseTick } from '../../domain/index.js';
import type { EventDeadLetter, TickDeadLetter } from '../../local/emulation/dead-letter-store.js';
import type { DeadLetterQueueChoice } from '../../local/sessions/redrive.js';
import { displayPath, plural } from '../../shared/text.js';
import { demoOption, examples, oneOf, positiveInteger, targetOptions, type CommandContext } from '../common.js';
import type { CommandIO } from '../io.js';
import { paint, safeJson, visible } from '../terminal.js';

interface DlqOptions extends TargetOptions {
  readonly queue: DeadLetterQueueChoice;
  readonly limit: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  /** Redrive the local dead letters through the pipeline on a deployed environment's tables. */
  readonly remoteTables?: boolean;
}

export function dlqCommand(program: Command, { io, action }: CommandContext): void {
  const dlq = program
    .command('dlq')
    .description('dead-letter queues: messages that failed their maximum receives, events that failed their retries')
    .addHelpText('after', examples('market-data dlq list', 'market-data dlq redrive'));
  const queueOption = () =>
    new Option('--queue <queue>', 'ticks (market-data-dlq), events (market-events-dlq) or all')
      .argParser(oneOf(['ticks', 'events', 'all'] as const))
      .default('all');
  targetOptions(
    dlq
      .command('list')
      .description('show dead letters with the reason they failed')
      .addOption(queueOption())
      .option('--limit <n>', 'at most this many per queue', positiveInteger, 100)
      .addOption(demoOption())
      .option('--json', 'print as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data dlq list',
        'market-data dlq list --queue ticks --limit 5',
        'market-data dlq list --demo',
        'market-data dlq list --outputs cfn-outputs/flat-outputs.json',
      ),
    )
    .action(action((options: DlqOptions) => dlqList(options, io)));
  targetOptions(
    dlq
      .command('redrive')
      .description(
        'put dead letters back through the pipeline, as SQS redrives them (a tick gets a new message id and sent time); those that fail again return to their queue',
      )
      .addOption(queueOption())
      .option('--remote-tables', 'with --aws/--outputs: run the local dead letters through the local pipeline on the deployed tables')
      .option('--json', 'print the summary as JSON')
      .option('-q, --quiet', 'leave out the alert lines')
      .option('--verbose', "show the handlers' structured logs"),
  )
    .addHelpText(
      'after',
      examples(
        'market-data dlq redrive',
        'market-data dlq redrive --queue ticks --json',
        'market-data dlq redrive --outputs cfn-outputs/flat-outputs.json',
      ),
    )
    .action(action((options: Omit<DlqOptions, 'limit'>) => dlqRedrive({ limit: 0, ...options }, io)));
}

const where = (letter: { origin?: { file: string; line: number } }, files: number): string =>
  letter.origin ? `${files > 1 ? `${visible(basename(letter.origin.file))} ` : ''}line ${letter.origin.line}` : '-';

/** Input files the dead letters came from: their lines name the file when there is more than one. */
const originFiles = (items: readonly { origin?: { file: string } }[]): number => new Set(items.map((i) => i.origin?.file)).size;

async function listLocal(target: LocalTarget, options: DlqOptions, { stdout, stderr }: CommandIO): Promise<void> {
  const { listLocalDeadLetters } = await import('../../app/dead-letters.js');
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
  const { remoteDeadLetters } = await import('../../app/dead-letters.js');
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

async function dlqList(options: DlqOptions, io: CommandIO): Promise<void> {
  const { resolveTarget } = await import('../../app/target.js');
  const target = await resolveTarget(options);
  if (target.kind === 'local') await listLocal(target, options, io);
  else await listRemote(target, options, io);
}

/**
 * Local dead letters go back through the local pipeline (on the embedded store, or with --remote-tables on the
 * deployed tables); a deployed queue's dead letters are moved back by SQS itself.
 */
async function dlqRedrive(options: DlqOptions, io: CommandIO): Promise<void> {
  const [{ redriveLocally, startRemoteRedrive }, { describeTarget, resolveTarget }, { reportRun }] = await Promise.all([
    import('../../app/dead-letters.js'),
    import('../../app/target.js'),
    import('../run-report.js'),
  ]);
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

import type { Command } from 'commander';
import type { PublishFailure } from '../../app/publish.js';
import { DEFAULT_OUTPUTS_FILE } from '../../app/stack-outputs.js';
import type { TargetOptions } from '../../app/target.js';
import type { InputFormat } from '../../resources/input-formats.js';
import { UserError } from '../../shared/user-error.js';
import { examples, formatOption, targetOptions, type CommandContext } from '../common.js';
import { describeFailure } from '../failures.js';
import type { CommandIO } from '../io.js';
import { EXIT_CODES, type ExitCode } from '../process-exit.js';
import { safeJson, visible } from '../terminal.js';

interface PublishOptions extends TargetOptions {
  readonly queueUrl?: string;
  readonly busName?: string;
  readonly format?: InputFormat;
  readonly json?: boolean;
}

export function publishCommand(program: Command, { io, action }: CommandContext): void {
  targetOptions(
    program
      .command('publish')
      .description('send a file to a deployed system: ticks to the queue (SendMessageBatch), events to the bus (PutEvents), 10 per call')
      .argument('<file>', 'JSONL or CSV, as for replay')
      .option('--queue-url <url>', "queue URL (default: the outputs file, or the environment's queue by name)")
      .option('--bus-name <name>', "event bus name (default: the outputs file, or the environment's bus)")
      .addOption(formatOption())
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'market-data publish ticks.jsonl --outputs cfn-outputs/flat-outputs.json',
        'market-data publish ticks.csv --aws --env prod',
        'market-data publish ticks.jsonl --endpoint http://127.0.0.1:4566',
      ),
    )
    .action(action((file: string, options: PublishOptions) => publish(file, options, io)));
}

/** A failure's reason for people: the service's words, or the failed call explained. */
const reasonOf = (f: PublishFailure): string => (f.cause ? describeFailure(f.cause) : f.reason);

/** Send a file's ticks to a deployed queue and its events to the deployed bus. */
async function publish(file: string, options: PublishOptions, io: CommandIO): Promise<ExitCode | void> {
  if (!options.aws && !options.outputs && !options.endpoint && !options.queueUrl && !options.busName) {
    throw new UserError(
      `publish sends to a deployed queue and bus: give --outputs ${DEFAULT_OUTPUTS_FILE}, --queue-url/--bus-name, --endpoint or --aws (names from ENVIRONMENT_SUFFIX); ` +
        'to run a file through the local pipeline use: market-data replay',
    );
  }
  const { publishFile } = await import('../../app/publish.js');
  const { json, ...request } = options;
  const result = await publishFile(
    { ...request, file },
    {
      onFailure: (f) => io.stderr.write(`line ${f.line} (${f.kind}): ${visible(reasonOf(f))}\n`),
      onSkipped: (line, reason) => io.stderr.write(`line ${line}: ${visible(reason)} (not sent)\n`),
    },
  );
  const failed = result.failed.map((f) => ({ kind: f.kind, line: f.line, reason: reasonOf(f) }));
  if (json) {
    const { file: published, queueUrl, busName, ticksSent, eventsSent, skippedLines } = result;
    io.stdout.write(`${safeJson({ file: published, queueUrl, busName, ticksSent, eventsSent, failed, skippedLines })}\n`);
  } else {
    io.stdout.write(
      `published ${result.ticksSent} ticks${result.ticksSent > 0 ? ` to ${visible(result.queue)}` : ''} and ` +
        `${result.eventsSent} events to ${visible(result.busName)}; ${failed.length} failed, ${result.skippedLines} unreadable lines skipped\n`,
    );
  }
  if (failed.length > 0 || result.skippedLines > 0) return EXIT_CODES.rejected;
}

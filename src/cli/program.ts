/**
 * The `market-data` program: its version, global help, exit codes and error handling, and the list of its commands.
 * Each command defines itself (src/cli/commands) and loads the application only when it runs, so `--help` starts
 * fast; every command writes to the streams it is given.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../shared/project-root.js';
import { alertsCommand } from './commands/alerts.js';
import { backtestCommand } from './commands/backtest.js';
import { demoCommand } from './commands/demo.js';
import { dlqCommand } from './commands/dlq.js';
import { generateCommand } from './commands/generate.js';
import { publishCommand } from './commands/publish.js';
import { replayCommand } from './commands/replay.js';
import { resetCommand } from './commands/reset.js';
import { rulesCommand } from './commands/rules.js';
import { examples, type CommandContext, type CommandDefinition } from './common.js';
import { processIO, type CommandIO } from './io.js';
import { EXIT_CODES, printFailure, type ExitCode } from './process-exit.js';

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

/** The commands, in the order the help lists them. */
const COMMANDS: readonly CommandDefinition[] = [
  demoCommand,
  replayCommand,
  backtestCommand,
  generateCommand,
  alertsCommand,
  rulesCommand,
  publishCommand,
  dlqCommand,
  resetCommand,
];

/**
 * Run `market-data` with these arguments (as process.argv has them: node and the script first) and return its exit
 * code. Output, help and errors go to `io`; nothing here touches the process's own streams or exit code.
 */
export async function runCli(argv: readonly string[], io: CommandIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.ok;
  const context: CommandContext = {
    io,
    action:
      (run) =>
      async (...args) => {
        try {
          exitCode = (await run(...args)) ?? EXIT_CODES.ok;
        } catch (error) {
          printFailure(error, io.stderr);
          exitCode = EXIT_CODES.failed;
        }
      },
  };

  const program = new Command('market-data')
    .description(
      'Market data pipeline tools. Every command runs against the embedded store (.local-data/) unless given a target:\n' +
        '--aws (standard AWS SDK configuration and ENVIRONMENT_SUFFIX), --outputs cfn-outputs/flat-outputs.json, or --endpoint <url>.',
    )
    .version(version, '-V, --version', 'print the version')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Usage errors exit with EXIT_CODES.usage, help and --version with 0 (see the catch at the end).
    .exitOverride()
    .addHelpText(
      'after',
      examples(
        'npm start',
        'market-data replay day1.jsonl day2.csv --strict',
        'market-data alerts AAPL --from 2026-11-20',
        'market-data rules set AAPL --above 152',
      ) +
        '\nExit codes: 0 done; 1 failed (one line on stderr says why; MARKET_DATA_DEBUG=1 adds the stack trace); 2 wrong usage;\n' +
        '3 done, but messages were dead-lettered, skipped, late or not sent (replay --strict, publish); 130 interrupted; 141 output pipe closed.\n' +
        'Colour only on a terminal; NO_COLOR=1 turns it off.\n',
    );
  for (const define of COMMANDS) define(program, context);

  try {
    // Bare `market-data`: the help, as a successful answer to "what can this do?".
    if (argv.length <= 2) program.outputHelp();
    else await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  return exitCode;
}

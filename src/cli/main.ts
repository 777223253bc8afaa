/** The `market-data` executable (bin/market-data.js): the process's streams, signals and exit code around runCli. */
import { installProcessHandlers } from './process-exit.js';
import { runCli } from './program.js';

installProcessHandlers();
process.exitCode = await runCli(process.argv);

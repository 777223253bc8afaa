/**
 * `npm start`: the whole system on this machine, with no AWS account. Starts the embedded DynamoDB on
 * .local-data/<environment>/, creates the tables, replays the bundled trading session through the real handlers
 * with SQS and EventBridge delivery semantics, prints alerts as they fire and a summary.
 */
import { fileURLToPath } from 'node:url';
import { environmentSuffixFrom } from '../resources/index.js';
import { replayWithReport } from './console-report.js';
import { dataHome, displayPath as shown, localPaths } from './paths.js';
import { describeFailure } from './failures.js';

export const SAMPLE_SESSION = fileURLToPath(new URL('./sample/session.jsonl', import.meta.url));

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const environment = environmentSuffixFrom();
  const home = dataHome();
  const paths = localPaths(home, environment);
  console.log(`market data pipeline, local run (environment ${environment}, data in ${shown(paths.root)})`);
  console.log(`replaying ${shown(SAMPLE_SESSION)}: ticks to the queue, trades and quotes to the bus\n`);
  await replayWithReport({ environment, home, inputs: [{ file: SAMPLE_SESSION, format: 'jsonl' }], verbose, progress: false });
  console.log(`\nalerts are in ${shown(paths.notifications)}; try: npx market-data alerts --help`);
}

main().catch((error: unknown) => {
  console.error(`error: ${describeFailure(error)}`);
  process.exitCode = 1;
});

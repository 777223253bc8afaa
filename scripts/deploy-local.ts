/**
 * `npm run deploy:local`: the stack on real Terraform against a moto_server on 127.0.0.1, no AWS account needed.
 * Deploys (or finds the deployment already there), prints the outputs file and how to drive it with market-data,
 * then runs the deployed functions here until Ctrl-C. `-- --destroy` destroys it and stops moto_server.
 */
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENT_SUFFIX_PATTERN } from '../src/resources/index.js';
import { PROJECT_ROOT } from '../src/shared/project-root.js';
import {
  deploy,
  destroy,
  isLive,
  readRecord,
  startFunctions,
  stopMoto,
  type DeploymentRecord,
  type Timings,
} from '../src/infra/moto/local-deployment.js';
import { MOTO_CREDENTIALS } from '../src/infra/moto/terraform-files.js';
import { findTools, missingFor } from '../src/infra/moto/tools.js';

const USAGE = `usage: npm run deploy:local [-- --env <suffix>] [--no-functions] [--verbose]
       npm run deploy:local -- --destroy [--env <suffix>]`;

function parse() {
  try {
    return parseArgs({
      options: {
        env: { type: 'string', default: 'local' },
        destroy: { type: 'boolean', default: false },
        'no-functions': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const environment = values.env;
if (!ENVIRONMENT_SUFFIX_PATTERN.test(environment)) fail(`--env "${environment}": use 1-20 lowercase letters, digits or hyphens`);
const dir = join(PROJECT_ROOT, '.local-deploy', environment);
const shown = (path: string) => relative(process.cwd(), path) || '.';

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

const seconds = (timings: Timings) =>
  Object.entries(timings)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');

function howToDrive(record: DeploymentRecord): string {
  const target = `--outputs ${shown(record.outputsFile)} --endpoint ${record.endpoint}`;
  return [
    `moto_server:  ${record.endpoint} (pid ${record.motoPid}; its state lives in that process)`,
    `outputs file: ${shown(record.outputsFile)}`,
    `resources:    ${record.resources.length} (terraform state in ${shown(record.terraform.cwd)})`,
    '',
    'Drive it with the CLI (moto accepts any credentials; these are not real ones):',
    `  export AWS_ACCESS_KEY_ID=${MOTO_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${MOTO_CREDENTIALS.secretAccessKey}`,
    `  npx market-data rules set AAPL --above 152 ${target}`,
    `  npx market-data publish src/local/sample/session.jsonl ${target}`,
    `  npx market-data alerts ${target}`,
    `  npx market-data dlq list ${target}`,
    '',
    `Destroy it and stop moto_server: npm run deploy:local -- --destroy${environment === 'local' ? '' : ` --env ${environment}`}`,
  ].join('\n');
}

async function up(): Promise<void> {
  let record = await readRecord(dir);
  if (record && !(await isLive(record))) {
    console.log(`the moto_server of the deployment in ${shown(dir)} is gone, and everything it held with it: deploying again`);
    await rm(dir, { recursive: true, force: true });
    record = undefined;
  }
  if (record) {
    console.log(`environment ${environment} is already deployed on ${record.endpoint}`);
  } else {
    const tools = findTools();
    const missing = missingFor(tools, 'terraform', 'mirror', 'motoServer');
    if (missing.length > 0) fail(`cannot deploy locally: ${missing.join('; ')}`);
    console.log(`deploying environment ${environment} to a moto_server on 127.0.0.1 (apply takes a few minutes)`);
    // Ctrl-C interrupts Terraform and stops moto_server, instead of leaving both running.
    const interrupted = new AbortController();
    const interrupt = () => interrupted.abort();
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    const deployed = await deploy({
      dir,
      environmentSuffix: environment,
      tools,
      outliveParent: true,
      signal: interrupted.signal,
      onStep: (step) => console.log(`  ${step}…`),
    }).finally(() => process.off('SIGINT', interrupt).off('SIGTERM', interrupt));
    record = deployed.record;
    console.log(`deployed with hashicorp/aws ${record.providerVersion}: ${seconds(deployed.timings)}`);
  }
  console.log(`\n${howToDrive(record)}\n`);
  if (values['no-functions']) return;
  await runFunctions(record);
}

/** The functions run here (moto cannot run them) until Ctrl-C; the deployment stays. */
async function runFunctions(record: DeploymentRecord): Promise<void> {
  // One line per invocation; the functions' own JSON logs and metrics (what CloudWatch would get) with --verbose.
  if (!values.verbose) Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const runner = await startFunctions(record, {
    onInvocation: (i) =>
      console.log(
        `${i.functionName}: ${i.source === 'sqs' ? `${i.ids.length} message(s)` : `event ${i.ids[0]}`}, ` +
          `${i.failed.length} failed${i.error ? ` (${i.error})` : ''}${i.deadLettered ? ', sent to the dead-letter queue' : ''}`,
      ),
    onError: (error) => console.error(`warning: ${error.message}`),
  });
  console.log('the deployed functions run here, fed by the queue and the bus; Ctrl-C stops them (the deployment stays)');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await runner.stop();
  console.log('functions stopped');
}

async function down(): Promise<void> {
  const record = await readRecord(dir);
  if (!record) {
    // At most what a deploy that failed or was interrupted left, for a moto_server it has already stopped.
    await rm(dir, { recursive: true, force: true });
    console.log(`nothing is deployed locally for environment ${environment}`);
    return;
  }
  if (!(await isLive(record))) {
    console.log(`the moto_server at ${record.endpoint} is gone, and everything it held with it; removing ${shown(dir)}`);
    await rm(dir, { recursive: true, force: true });
    return;
  }
  console.log(`destroying environment ${environment} on ${record.endpoint}`);
  const { remaining, timings } = await destroy(record);
  if (remaining.length > 0) fail(`terraform destroy left ${remaining.length} resource(s) in the state: ${remaining.join(', ')}`);
  await stopMoto(record);
  await rm(dir, { recursive: true, force: true });
  console.log(`destroyed ${record.resources.length} resources and stopped moto_server: ${seconds(timings)}`);
}

try {
  await (values.destroy ? down() : up());
} catch (error) {
  fail((error as Error).message);
}

/**
 * The stack on real Terraform against a loopback moto_server: synthesize, write the moto files beside the
 * synthesized JSON, init from the provider mirror, validate, apply, write the outputs file, and later destroy and
 * stop. `npm run deploy:local` and the tests both use this module, so what is tried by hand is what is tested.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { App } from 'cdktn';
import { LAMBDA_BUNDLES, resourceNames } from '../../resources/index.js';
import { PROJECT_ROOT } from '../../shared/project-root.js';
import { stackConfigFrom } from '../config.js';
import { MarketDataStack, stackId } from '../stack.js';
import { FunctionRunner, type DeployedFunction, type FunctionRunnerOptions } from './function-runner.js';
import { answers, startMotoServer, stopMotoServer, type MotoServer } from './moto-server.js';
import { flatOutputs, stateList, terraform, type TerraformOptions } from './terraform.js';
import {
  DELIVERY_FILE,
  OVERRIDE_FILE,
  chooseProviderVersion,
  cliConfig,
  deliveryFile,
  eventDeliveries,
  overrideFile,
  type EventDelivery,
  type SynthesizedStack,
} from './terraform-files.js';
import { missingFor, type Tools } from './tools.js';

/** How long each step took, in milliseconds, in the order they ran. */
export type Timings = Record<string, number>;

export interface Synthesized {
  readonly stackDir: string;
  readonly stack: SynthesizedStack;
  readonly environmentSuffix: string;
  readonly region: string;
}

/** Synthesize the stack of one environment into `<dir>/synth`, with the handler bundles `npm run build` made. */
function synthesizeStack(dir: string, environmentSuffix: string): Synthesized {
  const missing = Object.values(LAMBDA_BUNDLES).filter((bundle) => !existsSync(join(PROJECT_ROOT, bundle, 'index.mjs')));
  if (missing.length > 0) throw new Error(`no handler bundle in ${missing.join(', ')}: run npm run build first`);
  const config = stackConfigFrom({ ...process.env, ENVIRONMENT_SUFFIX: environmentSuffix });
  const app = new App({ outdir: join(dir, 'synth'), stackTraces: false });
  const id = stackId(config.environmentSuffix);
  new MarketDataStack(app, id, { ...config, bundleRoot: PROJECT_ROOT });
  app.synth();
  const stackDir = join(dir, 'synth', 'stacks', id);
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as SynthesizedStack;
  return { stackDir, stack, environmentSuffix: config.environmentSuffix, region: config.region };
}

export interface PreparedStack extends Synthesized {
  readonly terraform: TerraformOptions;
  readonly providerVersion: string;
  readonly statePath: string;
}

/**
 * Write the CLI configuration (providers from the mirror only), the override and the delivery queues. Without an
 * endpoint the override leaves the provider block as synthesized (enough for `terraform validate`).
 */
async function prepareStack(dir: string, synthesized: Synthesized, tools: Tools, endpoint?: string): Promise<PreparedStack> {
  if (!tools.terraform || !tools.mirror) throw new Error(`cannot run Terraform here: ${missingFor(tools, 'terraform', 'mirror').join('; ')}`);
  const cliConfigFile = join(dir, 'terraform.rc');
  const statePath = join(dir, 'terraform.tfstate');
  const providerVersion = chooseProviderVersion(synthesized.stack, tools.mirror.versions);
  const override = overrideFile(synthesized.stack, { endpoint, region: synthesized.region, providerVersion, statePath });
  const deliveries = deliveryFile(synthesized.stack);
  await writeFile(cliConfigFile, cliConfig(tools.mirror.path));
  await writeFile(join(synthesized.stackDir, OVERRIDE_FILE), `${JSON.stringify(override, null, 2)}\n`);
  if (deliveries) await writeFile(join(synthesized.stackDir, DELIVERY_FILE), `${JSON.stringify(deliveries, null, 2)}\n`);
  return {
    ...synthesized,
    providerVersion,
    statePath,
    terraform: { binary: tools.terraform, cwd: synthesized.stackDir, cliConfigFile },
  };
}

/** Synthesize, prepare without moto, `terraform init` and `terraform validate`: the stack against the mirror's provider. */
export async function validateStack(dir: string, environmentSuffix: string, tools: Tools): Promise<{ timings: Timings; prepared: PreparedStack }> {
  const timings: Timings = {};
  const prepared = await timed(timings, 'synth', async () => prepareStack(dir, synthesizeStack(dir, environmentSuffix), tools));
  await timed(timings, 'init', () => terraform(prepared.terraform, ['init', '-no-color']));
  await timed(timings, 'validate', () => terraform(prepared.terraform, ['validate', '-no-color']));
  return { timings, prepared };
}

/** What a local deployment is: written to `<dir>/deployment.json` so that a later `--destroy` finds it. */
export interface DeploymentRecord {
  readonly dir: string;
  readonly environmentSuffix: string;
  readonly region: string;
  readonly endpoint: string;
  readonly motoPid: number;
  readonly stackDir: string;
  readonly terraform: TerraformOptions;
  readonly providerVersion: string;
  /** The flat outputs file for the CLI's --outputs. */
  readonly outputsFile: string;
  /** The queues that take EventBridge's deliveries to each function. */
  readonly deliveries: readonly EventDelivery[];
  /** Addresses of the resources Terraform created (terraform state list after apply, data sources left out). */
  readonly resources: readonly string[];
}

const RECORD_FILE = 'deployment.json';

export interface DeployOptions {
  /** The deployment's folder: synthesized stack, override, state, outputs, moto's log. */
  readonly dir: string;
  readonly environmentSuffix: string;
  readonly tools: Tools;
  /** Leave moto_server running after this process exits (npm run deploy:local). */
  readonly outliveParent?: boolean;
  /** Told each step as it starts (for a person waiting). */
  readonly onStep?: (step: string) => void;
  /** Interrupts Terraform and stops moto_server (Ctrl-C during npm run deploy:local). */
  readonly signal?: AbortSignal;
}

/** Start moto_server, synthesize, init, apply and write the outputs file. moto is stopped again if any step fails. */
export async function deploy(options: DeployOptions): Promise<{ record: DeploymentRecord; timings: Timings }> {
  const { dir, tools } = options;
  if (!tools.motoServer) throw new Error(`cannot deploy locally: ${missingFor(tools, 'motoServer').join('; ')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A folder without a record holds at most what a failed deploy left, for a moto_server that is gone.
  await rm(join(dir, 'synth'), { recursive: true, force: true });
  await rm(join(dir, 'terraform.tfstate'), { force: true });
  const timings: Timings = {};
  const step = <T>(name: string, run: () => Promise<T>) => {
    options.onStep?.(name);
    return timed(timings, name, run);
  };
  const moto = await step('moto', () =>
    startMotoServer({ executable: tools.motoServer!, logFile: join(dir, 'moto.log'), outliveParent: options.outliveParent }),
  );
  try {
    const prepared = await step('synth', async () => prepareStack(dir, synthesizeStack(dir, options.environmentSuffix), tools, moto.endpoint));
    options.signal?.throwIfAborted();
    await step('init', () => terraform(prepared.terraform, ['init', '-no-color'], undefined, options.signal));
    await step('apply', () => terraform(prepared.terraform, ['apply', '-auto-approve', '-no-color'], 900_000, options.signal));
    const outputsFile = join(dir, 'outputs.json');
    const { stdout } = await terraform(prepared.terraform, ['output', '-json']);
    await writeFile(outputsFile, `${JSON.stringify(flatOutputs(stdout), null, 2)}\n`, { mode: 0o600 });
    const record: DeploymentRecord = {
      dir: resolve(dir),
      environmentSuffix: prepared.environmentSuffix,
      region: prepared.region,
      endpoint: moto.endpoint,
      motoPid: moto.pid,
      stackDir: prepared.stackDir,
      terraform: prepared.terraform,
      providerVersion: prepared.providerVersion,
      outputsFile,
      deliveries: eventDeliveries(prepared.stack),
      resources: (await stateList(prepared.terraform)).filter((address) => !address.startsWith('data.')),
    };
    await writeFile(join(dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    return { record, timings };
  } catch (error) {
    await stopMotoServer(moto);
    throw error;
  }
}

/** The deployment recorded in a folder, if there is one. */
export async function readRecord(dir: string): Promise<DeploymentRecord | undefined> {
  const file = join(dir, RECORD_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as DeploymentRecord;
}

/** Whether the deployment's moto_server still answers (its state lives in that process only). */
export const isLive = (record: DeploymentRecord): Promise<boolean> => answers(record.endpoint);

/** `terraform destroy`, then what the state still lists (nothing, when everything went). moto keeps running. */
export async function destroy(record: DeploymentRecord, timings: Timings = {}): Promise<{ remaining: string[]; timings: Timings }> {
  await timed(timings, 'destroy', () => terraform(record.terraform, ['destroy', '-auto-approve', '-no-color'], 900_000));
  return { remaining: await stateList(record.terraform), timings };
}

/** Stop the deployment's moto_server (and with it everything the deployment created). */
export const stopMoto = (record: DeploymentRecord): Promise<void> => stopMotoServer({ pid: record.motoPid } satisfies Pick<MotoServer, 'pid'>);

async function timed<T>(timings: Timings, name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    timings[name] = Date.now() - started;
  }
}

interface StateResource {
  readonly type: string;
  readonly values: { function_name?: string; filename?: string; dead_letter_config?: Array<{ target_arn?: string }> };
}

/** The deployed functions as Terraform recorded them, each with the bundle folder its archive was made from. */
async function deployedFunctions(record: DeploymentRecord): Promise<DeployedFunction[]> {
  const { stdout } = await terraform(record.terraform, ['show', '-json']);
  const state = JSON.parse(stdout) as { values?: { root_module?: { resources?: StateResource[] } } };
  const names = resourceNames(record.environmentSuffix);
  const bundles = new Map(Object.entries(LAMBDA_BUNDLES).map(([key, dir]) => [names[key as keyof typeof LAMBDA_BUNDLES], dir]));
  return (state.values?.root_module?.resources ?? [])
    .filter((r) => r.type === 'aws_lambda_function')
    .map(({ values }) => {
      const functionName = values.function_name ?? '';
      const bundle = bundles.get(functionName);
      if (!bundle || !values.filename) throw new Error(`no handler bundle is known for the deployed function ${functionName}`);
      const deadLetterArn = values.dead_letter_config?.[0]?.target_arn;
      return {
        functionName,
        bundleDir: join(PROJECT_ROOT, bundle),
        archive: resolve(record.stackDir, values.filename),
        ...(deadLetterArn && { deadLetterArn }),
      };
    });
}

/** Run the deployed functions here, fed by the deployment's queues and EventBridge deliveries (see FunctionRunner). */
export async function startFunctions(
  record: DeploymentRecord,
  options: Pick<FunctionRunnerOptions, 'onInvocation' | 'onError' | 'retryDelaySeconds'> = {},
): Promise<FunctionRunner> {
  return FunctionRunner.start({
    endpoint: record.endpoint,
    region: record.region,
    functions: await deployedFunctions(record),
    deliveries: record.deliveries,
    ...options,
  });
}

/**
 * `npm run plan`, `npm run deploy`, `npm run destroy`: check the prerequisites, bundle, synthesize, then run Terraform
 * (or OpenTofu, TERRAFORM_BINARY_NAME) in the stack's folder. deploy and destroy save the plan they show and apply
 * exactly that plan: after a y/N question on a terminal, or without one given --yes or CI=true; with neither, they
 * refuse before doing anything rather than wait for an answer no one can give. A deploy writes the stack outputs to
 * cfn-outputs/flat-outputs.json, the file the CLI and the deployed-system tests read.
 *
 * Usage: tsx scripts/deploy.ts plan|deploy|destroy [--yes] [--migrate-state]
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_OUTPUTS_FILE } from '../src/app/stack-outputs.js';
import { localStateFile, stackConfigFrom, stackId, type StackConfig, type StateBackend } from '../src/infra/config.js';
import { STACK_OUTPUTS, type Env } from '../src/resources/index.js';

const ACTIONS = ['plan', 'deploy', 'destroy'] as const;
type Action = (typeof ACTIONS)[number];
const USAGE = 'usage: npm run plan|deploy|destroy [-- --yes] [-- --migrate-state]';

/** One program the command runs; `capture` keeps its standard output (terraform output -json) instead of showing it. */
export interface Step {
  readonly name: 'prerequisites' | 'build' | 'synth' | 'terraform';
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Env;
  readonly capture?: boolean;
}
export interface StepResult {
  readonly code: number;
  readonly stdout: string;
}
export type Runner = (step: Step) => Promise<StepResult>;

export interface DeployContext {
  /** The project: cdktf.json, cdktf.out/, the local state file and cfn-outputs/. */
  readonly root: string;
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly run: Runner;
}

/** A failure the user can act on: printed as one line; exit status 1 unless a step's own. */
class DeployError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

const SCRIPTS = dirname(fileURLToPath(import.meta.url));

function parseCommandLine(argv: readonly string[]): { action: Action; yes: boolean; migrateState: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { yes: { type: 'boolean', short: 'y' }, 'migrate-state': { type: 'boolean' } },
    });
  } catch (error) {
    // Node's message for an unknown option goes on about positionals; the option and the usage say enough.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message);
    throw new DeployError(`${unknown ? `unknown option ${unknown[1]}` : (error as Error).message} (${USAGE})`);
  }
  const [action, ...rest] = parsed.positionals;
  if (!ACTIONS.includes(action as Action) || rest.length > 0) throw new DeployError(USAGE);
  return { action: action as Action, yes: parsed.values.yes ?? false, migrateState: parsed.values['migrate-state'] ?? false };
}

const isCi = (env: Env) => /^(true|1)$/i.test(env.CI?.trim() ?? '');

/**
 * Whether a change (deploy's or destroy's plan, or moving the state with --migrate-state) may go ahead without
 * asking ('auto') or must be asked for ('ask'). Without a terminal no one can answer: refused before anything runs.
 */
function approval(action: Action, yes: boolean, migrateState: boolean, context: DeployContext): 'auto' | 'ask' {
  if (yes || isCi(context.env)) return 'auto';
  if (context.stdin.isTTY) return 'ask';
  // `npm run deploy --yes` (without --) gives --yes to npm, which passes it on only as npm_config_yes.
  const hint = context.env.npm_config_yes === 'true' ? ' (npm took the --yes for itself: put it after --)' : '';
  throw new DeployError(
    `${action} asks before changing anything, and standard input is not a terminal: run ` +
      `\`npm run ${action} -- --yes${migrateState ? ' --migrate-state' : ''}\` (or with CI=true) to go ahead without asking${hint}; nothing was changed`,
  );
}

function describeState(backend: StateBackend, id: string): string {
  if (backend.kind === 'local') return `local file ${localStateFile(id)} in the project root`;
  const details = [
    backend.kmsKeyId ? `encrypted with KMS key ${backend.kmsKeyId}` : 'encrypted',
    ...(backend.dynamodbTable ? [`locked in DynamoDB table ${backend.dynamodbTable}`] : []),
  ];
  return `s3://${backend.bucket}/${backend.key} in ${backend.region}, ${details.join(', ')}`;
}

async function readJson<T>(root: string, file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(root, file), 'utf8')) as T;
  } catch (error) {
    throw new DeployError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Where cdktn wrote the stack and runs Terraform: the manifest's workingDirectory under cdktf.json's output. */
async function stackFolder(root: string, id: string): Promise<string> {
  const { output } = await readJson<{ output: string }>(root, 'cdktf.json');
  const manifest = await readJson<{ stacks: Record<string, { workingDirectory: string }> }>(root, join(output, 'manifest.json'));
  const stack = manifest.stacks[id];
  if (!stack)
    throw new DeployError(`${join(output, 'manifest.json')} has no stack ${id} (it has ${Object.keys(manifest.stacks).join(', ') || 'none'})`);
  return join(root, output, stack.workingDirectory);
}

/** Runs a step; its exit status when it is one of `ok`, otherwise a DeployError with that status. */
async function run(context: DeployContext, step: Step, ok: readonly number[] = [0]): Promise<StepResult> {
  const result = await context.run(step);
  if (!ok.includes(result.code)) {
    const what = step.name === 'terraform' ? `${step.file} ${step.args[0]}` : step.name;
    throw new DeployError(`${what} failed (exit ${result.code})`, result.code);
  }
  return result;
}

/** The question on standard error; an answer other than y or yes, end of input or Ctrl-C is a no. */
function ask(question: string, context: DeployContext): Promise<boolean> {
  const rl = createInterface({ input: context.stdin, output: context.stderr });
  return new Promise<boolean>((resolve) => {
    // End of input (Ctrl-D) and Ctrl-C leave the question's line open: end it.
    const abandon = () => {
      context.stderr.write('\n');
      resolve(false);
    };
    rl.once('close', abandon);
    rl.once('SIGINT', abandon);
    rl.question(question, (text) => {
      rl.off('close', abandon);
      resolve(/^y(es)?$/i.test(text.trim()));
    });
  }).finally(() => rl.close());
}

/**
 * `terraform output -json` ({"name": {"sensitive": …, "type": …, "value": …}}) as the flat {"name": value} object of
 * cfn-outputs/flat-outputs.json. Sensitive outputs stay out of the file, as cdktn leaves them out of its own.
 */
export function flattenOutputs(document: unknown): Record<string, unknown> {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new DeployError('terraform output -json did not print a JSON object');
  }
  const flat: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(document)) {
    if (typeof output !== 'object' || output === null || !('value' in output)) {
      throw new DeployError(`terraform output -json gave output ${name} without a value`);
    }
    if ((output as { sensitive?: unknown }).sensitive !== true) flat[name] = output.value;
  }
  return flat;
}

/** After a deploy: the stack's outputs, replacing the file atomically so that a reader never sees half of it. */
async function writeOutputs(context: DeployContext, terraform: (args: string[], capture: boolean) => Promise<StepResult>): Promise<void> {
  const { stdout } = await terraform(['output', '-json'], true);
  let document: unknown;
  try {
    document = JSON.parse(stdout);
  } catch (error) {
    throw new DeployError(`terraform output -json did not print JSON: ${(error as Error).message}`);
  }
  const file = join(context.root, DEFAULT_OUTPUTS_FILE);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(flattenOutputs(document), null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** After a destroy: the outputs file goes if it describes this environment (it holds the last one deployed). */
async function forgetOutputs(context: DeployContext, config: StackConfig): Promise<boolean> {
  const file = join(context.root, DEFAULT_OUTPUTS_FILE);
  let outputs: unknown;
  try {
    outputs = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return false; // none, or not one this command wrote
  }
  if ((outputs as Record<string, unknown> | null)?.[STACK_OUTPUTS.environmentSuffix] !== config.environmentSuffix) return false;
  await rm(file, { force: true });
  return true;
}

/** Runs plan, deploy or destroy; the exit status. */
export async function deployCommand(argv: readonly string[], context: DeployContext): Promise<number> {
  const { action, yes, migrateState } = parseCommandLine(argv);
  let config: StackConfig;
  try {
    config = stackConfigFrom(context.env);
  } catch (error) {
    throw new DeployError((error as Error).message);
  }
  // A plan changes nothing, unless it first moves the state to another backend.
  const mode = action === 'plan' && !migrateState ? 'none' : approval(action, yes, migrateState, context);
  const id = stackId(config.environmentSuffix);
  const say = (line: string) => context.stdout.write(`${line}\n`);
  const { root, env } = context;

  await run(context, { name: 'prerequisites', file: process.execPath, args: [join(SCRIPTS, 'require-terraform.mjs')], cwd: root, env });
  say(`${action}: ${id} in ${config.region}; state: ${describeState(config.stateBackend, id)}`);
  await run(context, { name: 'build', file: process.execPath, args: [join(SCRIPTS, 'build.mjs')], cwd: root, env });
  const cdktn = join(root, 'node_modules', '.bin', 'cdktn');
  await run(context, { name: 'synth', file: cdktn, args: ['synth'], cwd: root, env: { ...env, CHECKPOINT_DISABLE: '1' } });

  const folder = await stackFolder(root, id);
  const binary = env.TERRAFORM_BINARY_NAME || 'terraform';
  const terraform = (args: string[], capture = false, ok?: number[]) =>
    run(context, { name: 'terraform', file: binary, args, cwd: folder, env, capture }, ok);

  // Terraform asks before it copies state to another backend; it may ask only at a terminal, and --yes answers it.
  const migration = !migrateState ? ['-input=false'] : mode === 'auto' ? ['-input=false', '-migrate-state', '-force-copy'] : ['-migrate-state'];
  await terraform(['init', ...migration]).catch((error: unknown) => {
    if (error instanceof DeployError && !migrateState) {
      error.message += `; if the state backend changed (TF_STATE_*), move the state with \`npm run ${action} -- --migrate-state\``;
    }
    throw error;
  });
  if (action === 'plan') {
    await terraform(['plan', '-input=false']);
    return 0;
  }

  const planFile = `${action}.tfplan`;
  try {
    const destroy = action === 'destroy' ? ['-destroy'] : [];
    // -detailed-exitcode: 0 when nothing would change, 2 when something would.
    const { code } = await terraform(['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`, ...destroy], false, [0, 2]);
    if (code === 0) {
      say(`${action}: ${id} has nothing to ${action === 'deploy' ? 'change' : 'destroy'}`);
    } else {
      const question = action === 'deploy' ? `Apply this plan to ${id}? [y/N] ` : `Destroy ${id} as planned above? [y/N] `;
      if (mode === 'ask' && !(await ask(question, context))) {
        say(`${action} cancelled: nothing was changed`);
        return 1;
      }
      await terraform(['apply', '-input=false', planFile]);
    }
  } finally {
    await rm(join(folder, planFile), { force: true });
  }

  if (action === 'deploy') {
    await writeOutputs(context, terraform);
    say(`deploy: outputs of ${id} written to ${DEFAULT_OUTPUTS_FILE}`);
  } else if (await forgetOutputs(context, config)) {
    say(`destroy: ${DEFAULT_OUTPUTS_FILE} held the outputs of ${id}: removed`);
  }
  return 0;
}

/** Runs a step as a child process on the terminal's standard streams (standard output kept when captured). */
export const spawnRunner: Runner = (step) =>
  new Promise((resolve, reject) => {
    const child = spawn(step.file, step.args, { cwd: step.cwd, env: step.env, stdio: ['inherit', step.capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', (error) => reject(new DeployError(`cannot run ${step.file}: ${error.message}`)));
    child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
  });

/** The command line: deployCommand's exit status, or the reason it stopped on one line. */
export async function main(argv: readonly string[], context: DeployContext): Promise<number> {
  try {
    return await deployCommand(argv, context);
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    context.stderr.write(`error: ${error.message}\n`);
    return error.code;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Ctrl-C reaches Terraform too, which then stops cleanly and saves the state: wait for it rather than leave it behind.
  process.on('SIGINT', () => {});
  process.exitCode = await main(process.argv.slice(2), {
    root: dirname(SCRIPTS),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    run: spawnRunner,
  });
}

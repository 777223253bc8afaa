/** Terraform commands in a stack folder, with a CLI configuration of their own and none of the machine's AWS settings. */
import { spawn } from 'node:child_process';

export interface TerraformOptions {
  readonly binary: string;
  /** The folder holding cdk.tf.json and the override files. */
  readonly cwd: string;
  /** The CLI configuration file (provider installation from the mirror). */
  readonly cliConfigFile: string;
}

export interface TerraformRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * The environment Terraform runs with: the machine's, less every AWS_ variable (credentials, profiles and endpoints
 * come from the override file only, so nothing can reach a real account) and less TF_ variables that would change
 * what runs (another CLI config, workspace, or variables).
 */
function terraformEnv(cliConfigFile: string): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('TF_'));
  return {
    ...Object.fromEntries(kept),
    // No shared AWS files either: a profile's endpoint_url or credentials must not reach the provider.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
}

/**
 * Run `terraform <args>`; a non-zero exit throws with the command and the end of what Terraform said. An abort
 * interrupts it as Ctrl-C would (Terraform stops at a safe point and saves its state).
 */
export function terraform(options: TerraformOptions, args: readonly string[], timeoutMs = 600_000, signal?: AbortSignal): Promise<TerraformRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary, [...args], {
      cwd: options.cwd,
      env: terraformEnv(options.cliConfigFile),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Terraform starts the provider as a child: on a timeout the whole group goes.
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    const interrupt = () => child.pid && process.kill(-child.pid, 'SIGINT');
    signal?.addEventListener('abort', interrupt, { once: true });
    child.once('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
      reject(error);
    });
    child.once('close', (code, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
      const ms = Date.now() - started;
      if (code === 0) return resolve({ stdout, stderr, ms });
      // Terraform writes its errors to stderr; without any, the end of its output says where it stopped.
      const said = (stderr.trim() || stdout.trim()).split('\n').slice(-20).join('\n');
      const how = signal?.aborted
        ? 'was interrupted'
        : killedBy
          ? `was killed (${killedBy}${killedBy === 'SIGKILL' ? `, after ${timeoutMs / 1000} s` : ''})`
          : `exited with ${code}`;
      reject(new Error(`terraform ${args.join(' ')} ${how} in ${options.cwd}:\n${said}`));
    });
  });
}

/** `terraform output -json` as the flat `{ "name": "value" }` object the CLI's --outputs reads. */
export function flatOutputs(outputJson: string): Record<string, string> {
  const parsed = JSON.parse(outputJson) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([name, { value }]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** The addresses in the state (`terraform state list`); no state yet is an empty list. */
export async function stateList(options: TerraformOptions): Promise<string[]> {
  const { stdout } = await terraform(options, ['state', 'list']);
  return stdout.split('\n').filter(Boolean);
}

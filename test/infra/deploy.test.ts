/**
 * scripts/deploy.ts (npm run plan / deploy / destroy) with the prerequisites, the bundling and cdktn's synth replaced
 * by a runner that writes a synthesized app into a temporary project, and Terraform either recorded (with the exit
 * statuses and outputs a real one gives) or the machine's real one on a stack of outputs only, which needs no
 * provider and no AWS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deployCommand, flattenOutputs, main, spawnRunner, type Runner, type Step, type StepResult } from '../../scripts/deploy.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { synthesizeInMemory } from './synth.js';

/** A captured output stream. */
function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(stream, { text: () => text });
}

/** Standard input: a terminal that types `answer` (end of input when null), or not a terminal. */
function input(terminal: boolean, answer: string | null = null) {
  const stream = Object.assign(new PassThrough(), { isTTY: terminal });
  if (answer === null) stream.end();
  else stream.end(`${answer}\n`);
  return stream;
}

/** A stack folder as `cdktn synth` leaves it, under a temporary project with the project's cdktf.json. */
function project(stack: Record<string, unknown>, id = 'market-data-pipeline-dev') {
  const root = mkdtempSync(join(tmpdir(), 'deploy-project-'));
  writeFileSync(join(root, 'cdktf.json'), readFileSync(join(PROJECT_ROOT, 'cdktf.json')));
  const synth = () => {
    mkdirSync(join(root, 'cdktf.out', 'stacks', id), { recursive: true });
    writeFileSync(
      join(root, 'cdktf.out', 'manifest.json'),
      JSON.stringify({ stacks: { [id]: { name: id, workingDirectory: `stacks/${id}`, synthesizedStackPath: `stacks/${id}/cdk.tf.json` } } }),
    );
    writeFileSync(join(root, 'cdktf.out', 'stacks', id, 'cdk.tf.json'), JSON.stringify(stack));
  };
  return { root, synth, folder: join(root, 'cdktf.out', 'stacks', id) };
}

/** What `terraform output -json` prints for a deployed stack. */
const OUTPUT_JSON = {
  sqs_queue_url: { sensitive: false, type: 'string', value: 'https://sqs.us-east-1.amazonaws.com/111122223333/market-data-queue-dev' },
  environment_suffix: { sensitive: false, type: 'string', value: 'dev' },
  default_alert_rule: { sensitive: false, type: 'string', value: '{"above":150,"below":50,"mode":"cross"}' },
  api_token: { sensitive: true, type: 'string', value: 'not for the file' },
};

interface Fake {
  /** Exit status of a step by name, or of a terraform subcommand (`plan`, `apply`…); 0 unless given. */
  readonly codes?: Partial<Record<string, number>>;
  readonly outputs?: unknown;
}

/** A runner that records each step and answers as the real programs do, writing the synthesized app on synth. */
function fakeRunner(synth: () => void, fake: Fake = {}) {
  const steps: Step[] = [];
  const run: Runner = async (step) => {
    steps.push(step);
    const key = step.name === 'terraform' ? step.args[0]! : step.name;
    if (step.name === 'synth') synth();
    const planned = step.args.find((a) => a.startsWith('-out='));
    if (planned) writeFileSync(join(step.cwd, planned.slice('-out='.length)), 'plan');
    // A real plan with -detailed-exitcode exits 2 when there are changes.
    const code = fake.codes?.[key] ?? (key === 'plan' && step.args.includes('-detailed-exitcode') ? 2 : 0);
    return { code, stdout: key === 'output' ? JSON.stringify(fake.outputs ?? OUTPUT_JSON) : '' };
  };
  /** Each step as a command line: `name` for the project's own steps, `binary args…` for Terraform. */
  const commands = () => steps.map((s) => (s.name === 'terraform' ? [s.file, ...s.args].join(' ') : s.name));
  return { run, steps, commands };
}

async function deploy(argv: string[], options: { env?: Record<string, string>; stdin?: ReturnType<typeof input>; fake?: Fake } = {}) {
  const { root, synth, folder } = project({}, `market-data-pipeline-${options.env?.ENVIRONMENT_SUFFIX ?? 'dev'}`);
  const runner = fakeRunner(synth, options.fake);
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, {
    root,
    env: { PATH: process.env.PATH, ...options.env },
    stdin: options.stdin ?? input(false),
    stdout,
    stderr,
    run: runner.run,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text(), commands: runner.commands(), steps: runner.steps, root, folder };
}

const outputsFile = (root: string) => join(root, 'cfn-outputs', 'flat-outputs.json');
const DEPLOYED = [
  'prerequisites',
  'build',
  'synth',
  'terraform init -input=false',
  'terraform plan -input=false -detailed-exitcode -out=deploy.tfplan',
  'terraform apply -input=false deploy.tfplan',
  'terraform output -json',
];

describe('npm run deploy / destroy without a terminal', () => {
  it.each(['deploy', 'destroy'])('%s refuses on one line and runs nothing, rather than wait for an answer', async (action) => {
    const { code, stderr, commands } = await deploy([action]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: ${action} asks before changing anything, and standard input is not a terminal: run \`npm run ${action} -- --yes\` (or with CI=true) to go ahead without asking; nothing was changed\n`,
    );
    expect(commands).toEqual([]);
  });

  it('says where --yes went when npm kept it (npm run deploy --yes, without --)', async () => {
    const { code, stderr } = await deploy(['deploy'], { env: { npm_config_yes: 'true' } });
    expect(code).toBe(1);
    expect(stderr).toContain('(npm took the --yes for itself: put it after --)');
  });

  it('deploys with --yes: plans, applies that saved plan and writes the flat outputs file', async () => {
    const { code, commands, root, folder, stdout } = await deploy(['deploy', '--yes']);
    expect(code).toBe(0);
    expect(commands).toEqual(DEPLOYED);
    expect(JSON.parse(readFileSync(outputsFile(root), 'utf8'))).toEqual({
      sqs_queue_url: 'https://sqs.us-east-1.amazonaws.com/111122223333/market-data-queue-dev',
      environment_suffix: 'dev',
      default_alert_rule: '{"above":150,"below":50,"mode":"cross"}',
    });
    expect(stdout).toContain('deploy: outputs of market-data-pipeline-dev written to cfn-outputs/flat-outputs.json\n');
    // The saved plan is gone once applied; Terraform ran in the stack folder of the manifest.
    expect(readdirSync(folder)).toEqual(['cdk.tf.json']);
  });

  it.each([['true'], ['1'], ['TRUE']])('deploys without asking with CI=%s', async (ci) => {
    expect((await deploy(['deploy'], { env: { CI: ci } })).commands).toEqual(DEPLOYED);
  });

  it('takes -y for --yes', async () => {
    expect((await deploy(['deploy', '-y'])).commands).toEqual(DEPLOYED);
  });

  it('still refuses with CI=false', async () => {
    expect((await deploy(['deploy'], { env: { CI: 'false' } })).code).toBe(1);
  });

  it('destroys with --yes from a destroy plan, and removes the outputs file of that environment only', async () => {
    const { root, synth } = project({});
    const write = (suffix: string) => {
      mkdirSync(join(root, 'cfn-outputs'), { recursive: true });
      writeFileSync(outputsFile(root), JSON.stringify({ environment_suffix: suffix }));
    };
    const destroy = async (env: Record<string, string>) => {
      const runner = fakeRunner(synth);
      const stdout = sink();
      const code = await main(['destroy', '--yes'], { root, env, stdin: input(false), stdout, stderr: sink(), run: runner.run });
      return { code, commands: runner.commands(), stdout: stdout.text() };
    };
    write('dev');
    const destroyed = await destroy({});
    expect(destroyed.code).toBe(0);
    expect(destroyed.commands).toEqual([
      'prerequisites',
      'build',
      'synth',
      'terraform init -input=false',
      'terraform plan -input=false -detailed-exitcode -out=destroy.tfplan -destroy',
      'terraform apply -input=false destroy.tfplan',
    ]);
    expect(existsSync(outputsFile(root))).toBe(false);
    expect(destroyed.stdout).toContain('destroy: cfn-outputs/flat-outputs.json held the outputs of market-data-pipeline-dev: removed\n');

    write('pr42');
    expect((await destroy({})).code).toBe(0);
    expect(JSON.parse(readFileSync(outputsFile(root), 'utf8'))).toEqual({ environment_suffix: 'pr42' });
  });
});

describe('npm run deploy / destroy at a terminal', () => {
  it.each(['y', 'yes', ' Y '])('shows the plan, asks, and applies it on %j', async (answer) => {
    const { code, commands } = await deploy(['deploy'], { stdin: input(true, answer) });
    expect(code).toBe(0);
    expect(commands).toEqual(DEPLOYED);
  });

  it.each([['n'], [''], ['yep'], [null]])('applies nothing on %j (no, Enter, anything else, end of input)', async (answer) => {
    const { code, commands, stdout, stderr, folder, root } = await deploy(['deploy'], { stdin: input(true, answer) });
    expect(code).toBe(1);
    expect(stderr).toContain('Apply this plan to market-data-pipeline-dev? [y/N] ');
    expect(stdout).toContain('deploy cancelled: nothing was changed\n');
    expect(commands.at(-1)).toBe('terraform plan -input=false -detailed-exitcode -out=deploy.tfplan');
    expect(readdirSync(folder)).toEqual(['cdk.tf.json']);
    expect(existsSync(outputsFile(root))).toBe(false);
  });

  it('asks before a destroy too', async () => {
    const declined = await deploy(['destroy'], { stdin: input(true, 'n'), env: { ENVIRONMENT_SUFFIX: 'pr42' } });
    expect(declined.stderr).toContain('Destroy market-data-pipeline-pr42 as planned above? [y/N] ');
    expect(declined.commands).not.toContain('terraform apply -input=false destroy.tfplan');
  });

  it('asks nothing when the plan changes nothing, and still writes the outputs', async () => {
    const { code, commands, stdout, stderr, root } = await deploy(['deploy'], { stdin: input(true), fake: { codes: { plan: 0 } } });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('deploy: market-data-pipeline-dev has nothing to change\n');
    expect(commands).not.toContain('terraform apply -input=false deploy.tfplan');
    expect(commands.at(-1)).toBe('terraform output -json');
    expect(existsSync(outputsFile(root))).toBe(true);
  });
});

describe('npm run plan', () => {
  it('shows the plan without asking, terminal or not, and changes nothing', async () => {
    const { code, commands, root } = await deploy(['plan']);
    expect(code).toBe(0);
    expect(commands).toEqual(['prerequisites', 'build', 'synth', 'terraform init -input=false', 'terraform plan -input=false']);
    expect(existsSync(outputsFile(root))).toBe(false);
  });

  it('checks the same prerequisites as deploy, and stops when they are missing', async () => {
    const { code, commands, stderr } = await deploy(['plan'], { fake: { codes: { prerequisites: 1 } } });
    expect(code).toBe(1);
    expect(commands).toEqual(['prerequisites']);
    expect(stderr).toBe('error: prerequisites failed (exit 1)\n');
  });

  it('runs require-terraform.mjs, the build and cdktn synth of the project, and Terraform in the stack folder', async () => {
    const { steps, root, folder } = await deploy(['plan'], { env: { TERRAFORM_BINARY_NAME: 'tofu' } });
    const [prerequisites, build, synth, init] = steps as [Step, Step, Step, Step];
    expect([prerequisites.file, ...prerequisites.args]).toEqual([process.execPath, join(PROJECT_ROOT, 'scripts', 'require-terraform.mjs')]);
    expect([build.file, ...build.args]).toEqual([process.execPath, join(PROJECT_ROOT, 'scripts', 'build.mjs')]);
    expect([synth.file, ...synth.args, synth.env.CHECKPOINT_DISABLE]).toEqual([join(root, 'node_modules', '.bin', 'cdktn'), 'synth', '1']);
    expect([build.cwd, synth.cwd, init.file, init.cwd]).toEqual([root, root, 'tofu', folder]);
  });
});

describe('failures', () => {
  it.each([
    ['build', 2, 'error: build failed (exit 2)\n', ['prerequisites', 'build']],
    ['init', 1, 'error: terraform init failed (exit 1)', ['prerequisites', 'build', 'synth', 'terraform init -input=false']],
    ['apply', 1, 'error: terraform apply failed (exit 1)\n', DEPLOYED.slice(0, 6)],
  ] as const)('stops at a failed %s with its exit status', async (step, status, message, ran) => {
    const { code, stderr, commands, root } = await deploy(['deploy', '--yes'], { fake: { codes: { [step]: status } } });
    expect(code).toBe(status);
    expect(stderr.startsWith(message)).toBe(true);
    expect(commands).toEqual(ran);
    expect(existsSync(outputsFile(root))).toBe(false);
  });

  it('points to --migrate-state when init fails, and moves the state with it', async () => {
    const failed = await deploy(['deploy', '--yes'], { fake: { codes: { init: 1 } } });
    expect(failed.stderr).toBe(
      'error: terraform init failed (exit 1); if the state backend changed (TF_STATE_*), move the state with `npm run deploy -- --migrate-state`\n',
    );
    // --yes answers Terraform's own question; at a terminal Terraform asks it.
    expect((await deploy(['deploy', '--yes', '--migrate-state'])).commands[3]).toBe('terraform init -input=false -migrate-state -force-copy');
    expect((await deploy(['plan', '--migrate-state'], { stdin: input(true, 'n') })).commands[3]).toBe('terraform init -migrate-state');
    expect((await deploy(['plan', '--migrate-state'])).stderr).toContain('run `npm run plan -- --yes --migrate-state`');
  });

  it('stops at a plan that fails (exit 1), keeping no plan file', async () => {
    const { code, commands, folder } = await deploy(['deploy', '--yes'], { fake: { codes: { plan: 1 } } });
    expect(code).toBe(1);
    expect(commands.at(-1)).toBe('terraform plan -input=false -detailed-exitcode -out=deploy.tfplan');
    expect(readdirSync(folder)).toEqual(['cdk.tf.json']);
  });

  it.each([
    [['deploy', '--force'], 'error: unknown option --force (usage: npm run plan|deploy|destroy [-- --yes] [-- --migrate-state])\n'],
    [[], 'error: usage: npm run plan|deploy|destroy [-- --yes] [-- --migrate-state]\n'],
    [['apply'], 'error: usage: npm run plan|deploy|destroy [-- --yes] [-- --migrate-state]\n'],
  ])('refuses %j with the usage', async (argv, message) => {
    const { code, stderr, commands } = await deploy(argv);
    expect([code, stderr, commands]).toEqual([1, message, []]);
  });

  it.each([
    [
      { ENVIRONMENT_SUFFIX: 'PR_42' },
      'error: ENVIRONMENT_SUFFIX "PR_42" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit\n',
    ],
    [
      { TF_STATE_BUCKET: 'acme-tfstate', TF_STATE_KEY: 'state/' },
      'error: TF_STATE_KEY "state/" is invalid: use an S3 object key of at most 1024 characters, without a leading or trailing slash or an empty segment (//)\n',
    ],
  ])('checks the configuration before anything runs: %j', async (env, message) => {
    const { code, stderr, commands } = await deploy(['deploy', '--yes'], { env });
    expect([code, stderr, commands]).toEqual([1, message, []]);
  });

  it('reports unusable Terraform output instead of writing a file', async () => {
    const { code, stderr, root } = await deploy(['deploy', '--yes'], { fake: { outputs: ['not', 'outputs'] } });
    expect(code).toBe(1);
    expect(stderr).toBe('error: terraform output -json did not print a JSON object\n');
    expect(existsSync(outputsFile(root))).toBe(false);
  });

  it('says which backend holds the state before it starts', async () => {
    const s3 = await deploy(['plan'], {
      env: {
        ENVIRONMENT_SUFFIX: 'pr42',
        TF_STATE_BUCKET: 'acme-tfstate',
        TF_STATE_KMS_KEY_ID: 'alias/tf',
        TF_STATE_DYNAMODB_TABLE: 'terraform-locks',
      },
    });
    expect(s3.stdout).toContain(
      'plan: market-data-pipeline-pr42 in us-east-1; state: s3://acme-tfstate/market-data-pipeline-pr42/terraform.tfstate in us-east-1, encrypted with KMS key alias/tf, locked in DynamoDB table terraform-locks\n',
    );
    expect((await deploy(['plan'])).stdout).toContain(
      'plan: market-data-pipeline-dev in us-east-1; state: local file terraform.market-data-pipeline-dev.tfstate in the project root\n',
    );
  });
});

describe('flattenOutputs', () => {
  it('keeps each output value under its name, leaving sensitive outputs out', () => {
    expect(
      flattenOutputs({
        sqs_queue_url: { sensitive: false, type: 'string', value: 'https://sqs.eu-west-1.amazonaws.com/111122223333/market-data-queue-pr42' },
        aws_region: { sensitive: false, type: 'string', value: 'eu-west-1' },
        retries: { sensitive: false, type: 'number', value: 2 },
        api_token: { sensitive: true, type: 'string', value: 's3cret' },
      }),
    ).toEqual({
      sqs_queue_url: 'https://sqs.eu-west-1.amazonaws.com/111122223333/market-data-queue-pr42',
      aws_region: 'eu-west-1',
      retries: 2,
    });
  });

  it.each([
    [[], 'terraform output -json did not print a JSON object'],
    [null, 'terraform output -json did not print a JSON object'],
    [{ sqs_queue_url: 'https://…' }, 'terraform output -json gave output sqs_queue_url without a value'],
  ])('refuses %j', (document, message) => {
    expect(() => flattenOutputs(document)).toThrow(message);
  });
});

describe('spawnRunner', () => {
  it("returns a program's exit status, and its standard output when captured", async () => {
    const step = (script: string, capture?: boolean): Step => ({
      name: 'terraform',
      file: process.execPath,
      args: ['-e', script],
      cwd: tmpdir(),
      env: {},
      capture,
    });
    expect(await spawnRunner(step('process.exit(3)'))).toEqual({ code: 3, stdout: '' });
    expect(await spawnRunner(step('process.stdout.write(process.cwd())', true))).toEqual({ code: 0, stdout: tmpdir() });
  });

  it('reports a program that cannot start', async () => {
    await expect(spawnRunner({ name: 'terraform', file: 'no-such-terraform', args: [], cwd: tmpdir(), env: {} })).rejects.toThrow(
      'cannot run no-such-terraform: spawn no-such-terraform ENOENT',
    );
  });
});

const terraformOnPath = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!terraformOnPath)('with the real Terraform on a stack of outputs only', () => {
  /** The real program's exit status and output, kept off the test's own. */
  const quietRunner = (synth: () => void): Runner => {
    return (step) => {
      if (step.name !== 'terraform') {
        if (step.name === 'synth') synth();
        return Promise.resolve({ code: 0, stdout: '' });
      }
      return new Promise<StepResult>((resolve, reject) => {
        const child = spawn(step.file, step.args, { cwd: step.cwd, env: { ...step.env, TF_IN_AUTOMATION: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.resume();
        child.once('error', reject);
        child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
      });
    };
  };

  it(
    'keeps the state in the project root through the relative backend path, and writes then removes the outputs file',
    { timeout: 120_000 },
    async () => {
      // The backend block exactly as the stack synthesizes it; outputs that need no provider.
      const { terraform: settings } = synthesizeInMemory({ environmentSuffix: 'tfdev' }).json;
      const { root, synth, folder } = project(
        {
          terraform: { backend: settings.backend },
          output: {
            environment_suffix: { value: 'tfdev' },
            sqs_queue_url: { value: 'https://sqs.us-east-1.amazonaws.com/111122223333/market-data-queue-tfdev' },
            api_token: { value: 's3cret', sensitive: true },
          },
        },
        'market-data-pipeline-tfdev',
      );
      const context = (stdin = input(false)) => ({
        root,
        env: { PATH: process.env.PATH, HOME: root, ENVIRONMENT_SUFFIX: 'tfdev', TF_CLI_CONFIG_FILE: '/dev/null' },
        stdin,
        stdout: sink(),
        stderr: sink(),
        run: quietRunner(synth),
      });

      expect(await deployCommand(['deploy', '--yes'], context())).toBe(0);
      expect(existsSync(join(root, 'terraform.market-data-pipeline-tfdev.tfstate'))).toBe(true);
      expect(JSON.parse(readFileSync(outputsFile(root), 'utf8'))).toEqual({
        environment_suffix: 'tfdev',
        sqs_queue_url: 'https://sqs.us-east-1.amazonaws.com/111122223333/market-data-queue-tfdev',
      });
      expect(readdirSync(folder).sort()).toEqual(['.terraform', 'cdk.tf.json']);

      // Applied already: nothing to change, nothing asked, the same outputs.
      const again = context(input(true));
      expect(await deployCommand(['deploy'], again)).toBe(0);
      expect(again.stdout.text()).toContain('deploy: market-data-pipeline-tfdev has nothing to change\n');
      expect(again.stderr.text()).toBe('');

      expect(await deployCommand(['destroy', '--yes'], context())).toBe(0);
      expect(existsSync(outputsFile(root))).toBe(false);
      const state = JSON.parse(readFileSync(join(root, 'terraform.market-data-pipeline-tfdev.tfstate'), 'utf8')) as { outputs: object };
      expect(state.outputs).toEqual({});
    },
  );
});

describe('the npm scripts', () => {
  /** `npm run …` as a person would type it, with standard input a pipe that stays open. */
  const npmRun = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', ...args], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, HOME: tmpdir(), ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('npm run deploy -- … reaches the script; without a terminal it refuses at once instead of reading standard input', async () => {
    const refused = await npmRun(['deploy']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      'error: deploy asks before changing anything, and standard input is not a terminal: run `npm run deploy -- --yes` (or with CI=true) to go ahead without asking; nothing was changed\n',
    ]);
    const bad = await npmRun(['destroy', '--', '--force']);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'error: unknown option --force (usage: npm run plan|deploy|destroy [-- --yes] [-- --migrate-state])\n',
    ]);
  });

  it('npm run plan and npm run deploy -- --yes check for Terraform and credentials first', async () => {
    for (const args of [['plan'], ['deploy', '--', '--yes']]) {
      const { code, stderr } = await npmRun(args, { TERRAFORM_BINARY_NAME: 'no-such-terraform' });
      expect(code).toBe(1);
      expect(stderr).toContain('Cannot plan, deploy or destroy the AWS stack from here:');
      expect(stderr).toContain('`no-such-terraform` was not found on PATH');
      expect(stderr).toContain('No AWS credentials found');
      expect(stderr.endsWith('error: prerequisites failed (exit 1)\n')).toBe(true);
    }
  });
});

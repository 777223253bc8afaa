// Fails fast, before bundling and synthesizing, when `npm run plan` / `deploy` / `destroy` (scripts/deploy.ts) cannot work here:
// CDK Terrain runs Terraform (or OpenTofu) against a real AWS account.
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const onPath = (binary) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const problems = [];

// cdktn runs the binary named by TERRAFORM_BINARY_NAME, `terraform` by default.
const binary = process.env.TERRAFORM_BINARY_NAME || 'terraform';
if (!onPath(binary)) {
  if (binary === 'terraform' && onPath('tofu')) {
    problems.push('OpenTofu is installed but not Terraform: run with TERRAFORM_BINARY_NAME=tofu, e.g. `TERRAFORM_BINARY_NAME=tofu npm run deploy`.');
  } else {
    problems.push(
      `\`${binary}\` was not found on PATH. Install Terraform (https://developer.hashicorp.com/terraform/install) ` +
        'or install OpenTofu (https://opentofu.org/docs/intro/install/) and set TERRAFORM_BINARY_NAME=tofu.',
    );
  }
}

const env = process.env;
const credentialsFromEnv =
  (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
  env.AWS_PROFILE ||
  env.AWS_WEB_IDENTITY_TOKEN_FILE ||
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
  env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
const sharedFiles = [
  env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
  env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'),
];
if (!credentialsFromEnv && !sharedFiles.some((file) => existsSync(file))) {
  problems.push(
    'No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, ' +
      'or configure ~/.aws (`aws configure` / `aws sso login`).',
  );
}

if (problems.length > 0) {
  console.error('Cannot plan, deploy or destroy the AWS stack from here:');
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error('`npm run synth` needs neither and writes the Terraform JSON to cdktf.out/.');
  process.exit(1);
}

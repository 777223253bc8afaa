/**
 * What a local deployment needs on the machine: the terraform binary, a filesystem mirror holding the hashicorp/aws
 * provider (nothing is downloaded) and moto_server. Each is looked for, never assumed, and each missing one is named
 * with how to provide it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The provider's address inside a mirror (Terraform's "packed" and "unpacked" layouts both nest it like this). */
const PROVIDER_PATH = ['registry.terraform.io', 'hashicorp', 'aws'];

/** Where Terraform itself looks for local providers on Unix (its implied mirror directories), then this project's machine. */
const KNOWN_MIRRORS = [
  join(homedir(), '.terraform.d', 'plugins'),
  join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'terraform', 'plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
  '/opt/tf-plugins',
];

export interface ProviderMirror {
  /** The mirror's root, as `provider_installation { filesystem_mirror { path } }` takes it. */
  readonly path: string;
  /** Versions of hashicorp/aws it holds for this platform, newest first. */
  readonly versions: readonly string[];
}

export interface Tools {
  readonly terraform?: string;
  readonly mirror?: ProviderMirror;
  readonly motoServer?: string;
  /** One sentence per missing tool, saying what to install or set. */
  readonly missing: Readonly<Partial<Record<Tool, string>>>;
}

export type Tool = 'terraform' | 'mirror' | 'motoServer';

/** What is missing of the tools a step needs, one sentence each (empty when it can run). */
export const missingFor = (tools: Tools, ...needed: readonly Tool[]): string[] => needed.flatMap((tool) => tools.missing[tool] ?? []);

export type ToolsEnv = Readonly<Record<string, string | undefined>>;

/** Terraform's name for this platform (linux_amd64, darwin_arm64). */
export const platform = (): string => `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** The executable `name` on PATH, or undefined. */
function onPath(name: string, env: ToolsEnv = process.env): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const byVersionDescending = (a: string, b: string): number => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};

/** The hashicorp/aws versions a mirror holds for this platform: unpacked (`<v>/<platform>/`) or packed (`terraform-provider-aws_<v>_<platform>.zip`). */
export function mirrorVersions(root: string): string[] {
  const dir = join(root, ...PROVIDER_PATH);
  if (!existsSync(dir)) return [];
  const versions = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && /^\d+\.\d+\.\d+$/.test(entry.name) && existsSync(join(dir, entry.name, platform()))) versions.add(entry.name);
    const packed = /^terraform-provider-aws_(\d+\.\d+\.\d+)_(.+)\.zip$/.exec(entry.name);
    if (entry.isFile() && packed && packed[2] === platform()) versions.add(packed[1]!);
  }
  return [...versions].sort(byVersionDescending);
}

/** TF_PLUGIN_MIRROR when set (and only it), else the first known location that holds the provider. */
export function findMirror(env: ToolsEnv = process.env): ProviderMirror | undefined {
  const candidates = env.TF_PLUGIN_MIRROR ? [env.TF_PLUGIN_MIRROR] : KNOWN_MIRRORS;
  for (const path of candidates) {
    const versions = mirrorVersions(path);
    if (versions.length > 0) return { path, versions };
  }
  return undefined;
}

/** moto_server as named by MOTO_SERVER or found on PATH, and only if it runs (a pyenv shim may point at nothing). */
function findMotoServer(env: ToolsEnv): string | undefined {
  const found = onPath(env.MOTO_SERVER || 'moto_server', env);
  if (!found) return undefined;
  const probe = spawnSync(found, ['--help'], { stdio: 'ignore', timeout: 30_000, env: env as NodeJS.ProcessEnv });
  return probe.status === 0 ? found : undefined;
}

export function findTools(env: ToolsEnv = process.env): Tools {
  const missing: Partial<Record<Tool, string>> = {};
  const terraform = onPath(env.TERRAFORM_BINARY || 'terraform', env);
  if (!terraform) missing.terraform = 'no terraform on PATH (install Terraform 1.5 or newer, or name the binary with TERRAFORM_BINARY)';
  const mirror = findMirror(env);
  if (!mirror) {
    const where = env.TF_PLUGIN_MIRROR ? `TF_PLUGIN_MIRROR (${env.TF_PLUGIN_MIRROR})` : `any of ${KNOWN_MIRRORS.join(', ')}`;
    missing.mirror = `no hashicorp/aws provider for ${platform()} in ${where}: put one there (terraform providers mirror <dir>) or set TF_PLUGIN_MIRROR`;
  }
  const motoServer = findMotoServer(env);
  if (!motoServer) missing.motoServer = 'no runnable moto_server (pip install "moto[server]", or name it with MOTO_SERVER)';
  return { ...(terraform && { terraform }), ...(mirror && { mirror }), ...(motoServer && { motoServer }), missing };
}

/** Synthesizes the stack the way `cdktn synth` does and reads the Terraform JSON back for assertions. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformResource, Testing } from 'cdktn';
import { LAMBDA_BUNDLES } from '../../src/resources/index.js';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { MarketDataStack, stackId, type MarketDataStackProps } from '../../src/infra/stack.js';

export type Block = Record<string, unknown> & { depends_on?: string[] };
export interface TerraformJson {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider: { aws: Array<{ region: string; alias?: string; default_tags?: Array<{ tags: Record<string, string> }> }> };
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  output: Record<string, { value: string; description?: string }>;
}

export interface Synthesized {
  readonly json: TerraformJson;
  readonly stack: MarketDataStack;
  /** The stack's folder under the output directory (cdk.tf.json and assets). */
  readonly stackDir: string;
}

export const bundlesBuilt = Object.values(LAMBDA_BUNDLES).every((dir) => existsSync(join(PROJECT_ROOT, dir, 'index.mjs')));

/** Tiny stand-ins for the handler bundles, in a temporary folder. */
function placeholderRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'infra-bundles-'));
  for (const dir of Object.values(LAMBDA_BUNDLES)) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
  return root;
}

let placeholders: string | undefined;
/** Written once per test file. */
const placeholderBundles = () => (placeholders ??= placeholderRoot());
/** The built bundles when `npm run build` ran (as `npm test` does), otherwise placeholders. */
const builtOrPlaceholderBundles = () => (bundlesBuilt ? PROJECT_ROOT : placeholderBundles());

/**
 * The stack synthesized as `cdktn synth` does it, written with its assets. `placeholderBundles` zips stand-ins for
 * the handler bundles, for tests of what does not depend on them: zipping the built ones takes seconds, and a busy
 * machine makes that a minute.
 */
export function synthesize(props: StackProps, options: { placeholderBundles?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-synth-'));
  const app = new App({ outdir, stackTraces: false });
  const id = stackId(props.environmentSuffix);
  const bundleRoot = options.placeholderBundles ? placeholderBundles() : builtOrPlaceholderBundles();
  const stack = new MarketDataStack(app, id, { region: 'us-east-1', bundleRoot, ...props });
  app.synth();
  const stackDir = join(outdir, 'stacks', id);
  const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  return { json, stack, stackDir };
}

/**
 * The stack built and rendered in memory, without writing assets. How often it is built depends on the run:
 * - Stryker's coverage run (its namespace is set, no mutant active): in each call, so that mutation testing credits
 *   each construct to the tests that check what it synthesizes (stack.test.ts and policies.test.ts ask for it in a
 *   beforeEach for that reason);
 * - a plain run (npm test, vitest): once per distinct props in each test file, and in a Stryker mutant run once per
 *   mutant and props (the code under test cannot change during either).
 * Every call parses its own copy of the JSON, and builds its own construct tree if it reads one, so no test sees
 * what another changed.
 */
export function synthesizeInMemory(props: StackProps): InMemory {
  const stryker = (globalThis as { __stryker__?: { activeMutant?: string } }).__stryker__;
  if (stryker !== undefined && stryker.activeMutant === undefined) {
    const { stack, text } = render(props);
    return { stack, json: JSON.parse(text) as TerraformJson };
  }
  const key = JSON.stringify([stryker?.activeMutant ?? null, props]);
  let stack: MarketDataStack | undefined;
  let text = rendered.get(key);
  if (text === undefined) {
    ({ stack, text } = render(props));
    rendered.set(key, text);
  }
  return {
    json: JSON.parse(text) as TerraformJson,
    get stack() {
      return (stack ??= render(props).stack);
    },
  };
}

type StackProps = Partial<MarketDataStackProps> & { environmentSuffix: string };
type InMemory = Pick<Synthesized, 'json' | 'stack'>;

/**
 * The Terraform JSON rendered in this test file, by mutant (null outside a mutant run) and props. Stryker's vitest
 * runner creates its namespace (`globalThis.__stryker__`) in a setup file of every run it starts: in the coverage
 * ("dry") run `activeMutant` is undefined, in a mutant run it is the mutant's id. Vitest loads each test file's
 * modules afresh, so this is per file.
 */
const rendered = new Map<string, string>();

function render(props: StackProps): { stack: MarketDataStack; text: string } {
  const stack = new MarketDataStack(Testing.app(), stackId(props.environmentSuffix), {
    region: 'us-east-1',
    bundleRoot: builtOrPlaceholderBundles(),
    ...props,
  });
  return { stack, text: Testing.synth(stack) };
}

/** All resources of one type, as [logical id, block] pairs. */
export function resourcesOf(json: TerraformJson, type: string): Array<[string, Block]> {
  return Object.entries(json.resource[type] ?? {});
}

/** The single resource of a type whose attribute has the given value. */
export function resourceWhere(json: TerraformJson, type: string, attribute: string, value: unknown): [string, Block] {
  const matches = resourcesOf(json, type).filter(([, block]) => block[attribute] === value);
  if (matches.length !== 1) throw new Error(`expected one ${type} with ${attribute}=${String(value)}, found ${matches.length}`);
  return matches[0]!;
}

/** `${type.id.attribute}`: how the synthesized JSON refers to another resource's attribute. */
export const ref = (type: string, id: string, attribute: string) => `\${${type}.${id}.${attribute}}`;

/** Every resource of the stack with its construct, so that tests can ask the construct what it supports. */
export function resourceConstructs(synth: Pick<Synthesized, 'json' | 'stack'>): Array<{ construct: TerraformResource; type: string; block: Block }> {
  return synth.stack.node
    .findAll()
    .filter((c): c is TerraformResource => c instanceof TerraformResource)
    .map((construct) => {
      const type = construct.terraformResourceType;
      const block = synth.json.resource[type]?.[construct.friendlyUniqueId];
      if (!block) throw new Error(`no synthesized block for ${type}.${construct.friendlyUniqueId}`);
      return { construct, type, block };
    });
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { Service?: string | string[]; AWS?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

export const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export function parsePolicy(document: unknown): PolicyDocument {
  if (typeof document !== 'string') throw new Error(`policy is not a JSON string: ${JSON.stringify(document)}`);
  return JSON.parse(document) as PolicyDocument;
}

/** Policy attributes of every kind of resource in the stack that carries one. */
const POLICY_ATTRIBUTES: Record<string, string> = {
  aws_iam_role: 'assume_role_policy',
  aws_iam_role_policy: 'policy',
  aws_kms_key: 'policy',
  aws_sqs_queue_policy: 'policy',
  aws_sns_topic_policy: 'policy',
};

export function allPolicies(json: TerraformJson): Array<{ type: string; id: string; policy: PolicyDocument }> {
  return Object.entries(POLICY_ATTRIBUTES).flatMap(([type, attribute]) =>
    resourcesOf(json, type).map(([id, block]) => ({ type, id, policy: parsePolicy(block[attribute]) })),
  );
}

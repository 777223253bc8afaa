/** Whole-stack policies: properties every resource of the synthesized stack must have, whatever it is. */
import { beforeEach, describe, expect, it } from 'vitest';
import { resourceNames } from '../../src/resources/index.js';
import {
  allPolicies,
  asList,
  ref,
  resourceConstructs,
  resourcesOf,
  synthesize,
  synthesizeInMemory,
  type Block,
  type TerraformJson,
} from './synth.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

/** Attributes that hold an AWS name the stack chooses. */
const NAME_ATTRIBUTES = ['name', 'function_name', 'alarm_name', 'dashboard_name'];

/** Documented maximum name lengths of the services, per resource type. */
const NAME_LIMITS: Record<string, number> = {
  aws_sqs_queue: 80,
  aws_lambda_function: 64,
  aws_iam_role: 64,
  aws_iam_role_policy: 128,
  aws_cloudwatch_event_rule: 64,
  aws_cloudwatch_event_bus: 256,
  aws_dynamodb_table: 255,
  aws_sns_topic: 256,
  aws_kms_alias: 256,
  aws_cloudwatch_metric_alarm: 255,
  aws_cloudwatch_dashboard: 255,
  aws_cloudwatch_log_group: 512,
};

function namesOf(json: TerraformJson): Array<{ type: string; name: string }> {
  return Object.entries(json.resource).flatMap(([type, blocks]) =>
    Object.values(blocks).flatMap((block) =>
      NAME_ATTRIBUTES.filter((attribute) => typeof block[attribute] === 'string').map((attribute) => ({ type, name: block[attribute] as string })),
    ),
  );
}

type InMemory = ReturnType<typeof synthesizeInMemory>;

/** Literal names only: a reference such as `${aws_sqs_queue.x.name}` repeats a name defined elsewhere. */
const literalNamesOf = (json: TerraformJson) => namesOf(json).filter(({ name }) => !name.includes('${'));

let dev: InMemory;

// Asked for in each test, so that mutation testing knows which tests check each construct (a plain run builds it
// once per file: see synthesizeInMemory).
beforeEach(() => {
  dev = synthesizeInMemory({ environmentSuffix: 'dev' });
});

describe('tags', () => {
  it('sets Environment, Team and CostCenter as the provider default tags', () => {
    const [provider] = dev.json.provider.aws;
    expect(provider!.default_tags).toEqual([{ tags: { Environment: 'dev', Team: 'trading', CostCenter: 'trading-platform' } }]);
    expect(synthesizeInMemory({ environmentSuffix: 'pr42' }).json.provider.aws[0]!.default_tags![0]!.tags.Environment).toBe('pr42');
  });

  it('gives every taggable resource Environment, Team and CostCenter', () => {
    const defaults = dev.json.provider.aws
      .filter((p) => !p.alias)
      .flatMap((p) => p.default_tags ?? [])
      .map((d) => d.tags);
    // Taggable: the provider schema gives the resource a `tags` argument.
    const taggable = resourceConstructs(dev).filter(({ construct }) => 'tagsInput' in construct);
    expect(taggable.length).toBeGreaterThanOrEqual(20);
    for (const { type, block } of taggable) {
      // A resource bound to an aliased provider would not get the default provider's tags.
      expect(block.provider, type).toBeUndefined();
      const effective = Object.assign({}, ...defaults, block.tags as Record<string, string> | undefined) as Record<string, string>;
      expect(effective, `${type} ${String(block.name ?? block.function_name ?? '')}`).toMatchObject({
        Environment: 'dev',
        Team: 'trading',
        CostCenter: 'trading-platform',
      });
    }
  });
});

describe('IAM statements', () => {
  it('are valid policy documents wherever a policy is set', () => {
    const policies = allPolicies(dev.json);
    expect(policies.length).toBeGreaterThanOrEqual(10);
    for (const { policy } of policies) {
      expect(policy.Version).toBe('2012-10-17');
      expect(policy.Statement.length).toBeGreaterThan(0);
    }
  });

  it('never have a `*` action', () => {
    for (const { type, policy } of allPolicies(dev.json)) {
      for (const statement of policy.Statement) expect(asList(statement.Action), type).not.toContain('*');
    }
  });

  it('grant wildcard actions to nobody but the account itself (the key policy delegating to IAM)', () => {
    for (const { type, policy } of allPolicies(dev.json)) {
      for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow')) {
        const delegatesToAccount = statement.Principal !== '*' && /:root$/.test(String(statement.Principal?.AWS ?? ''));
        if (delegatesToAccount) continue;
        expect(
          asList(statement.Action).filter((action) => action.includes('*')),
          type,
        ).toEqual([]);
      }
    }
  });

  // IAM accepts X-Ray's write actions on "*" only (X-Ray defines no resource type): the one exception, made explicitly.
  it("give identities a wildcard resource only for X-Ray's two write actions", () => {
    const wildcards = allPolicies(dev.json)
      .filter(({ type }) => type === 'aws_iam_role_policy')
      .flatMap(({ policy }) => policy.Statement.filter((s) => asList(s.Resource).includes('*')));
    expect(wildcards).toEqual([
      { Sid: 'XRayWriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      { Sid: 'XRayWriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
  });

  it('use each Sid at most once per policy (IAM rejects repeats)', () => {
    for (const { type, id, policy } of allPolicies(dev.json)) {
      const sids = policy.Statement.flatMap((s) => (s.Sid ? [s.Sid] : []));
      expect(new Set(sids).size, `${type}.${id}`).toBe(sids.length);
      for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it('never allow an anonymous principal', () => {
    for (const { policy } of allPolicies(dev.json)) {
      for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow')) expect(statement.Principal).not.toBe('*');
    }
  });
});

describe('encryption', () => {
  let keyArn: string;
  beforeEach(() => {
    const keys = resourcesOf(dev.json, 'aws_kms_key');
    expect(keys).toHaveLength(1);
    keyArn = ref('aws_kms_key', keys[0]![0], 'arn');
  });

  const encryptedWith: Array<[string, (block: Block) => unknown]> = [
    ['aws_sqs_queue', (b) => b.kms_master_key_id],
    ['aws_sns_topic', (b) => b.kms_master_key_id],
    [
      'aws_dynamodb_table',
      (b) =>
        (b.server_side_encryption as { enabled: boolean; kms_key_arn: string }).enabled &&
        (b.server_side_encryption as { kms_key_arn: string }).kms_key_arn,
    ],
    ['aws_cloudwatch_log_group', (b) => b.kms_key_id],
    ['aws_lambda_function', (b) => b.kms_key_arn],
  ];

  it.each(encryptedWith)('every %s is encrypted with the CMK', (type, keyOf) => {
    const blocks = resourcesOf(dev.json, type);
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, block] of blocks) expect(keyOf(block)).toBe(keyArn);
  });

  it.each([
    ['aws_sqs_queue', 'aws_sqs_queue_policy', 'queue_url', 'url', 'sqs:*'],
    ['aws_sns_topic', 'aws_sns_topic_policy', 'arn', 'arn', 'sns:Publish'],
  ])('every %s refuses requests that do not use TLS', (type, policyType, policyAttribute, attribute, action) => {
    for (const [id] of resourcesOf(dev.json, type)) {
      const policies = resourcesOf(dev.json, policyType).filter(([, b]) => b[policyAttribute] === ref(type, id, attribute));
      expect(policies, `${type}.${id}`).toHaveLength(1);
      const statements = allPolicies(dev.json).find((p) => p.type === policyType && p.id === policies[0]![0])!.policy.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: action,
          Resource: ref(type, id, 'arn'),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('destroyability', () => {
  it('has no prevent_destroy, deletion protection or skip_destroy anywhere', () => {
    for (const [type, blocks] of Object.entries(dev.json.resource)) {
      for (const block of Object.values(blocks)) {
        expect((block.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy, type).not.toBe(true);
        expect(block.deletion_protection_enabled, type).not.toBe(true);
        expect(block.skip_destroy, type).not.toBe(true);
      }
    }
  });

  it('turns DynamoDB deletion protection off explicitly', () => {
    for (const [, table] of resourcesOf(dev.json, 'aws_dynamodb_table')) expect(table.deletion_protection_enabled).toBe(false);
  });

  it('configures no backend with use_lockfile: the local file by default, S3 when asked for', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
    // The backend is chosen when the app synthesizes, as `cdktn synth` does; the handler bundles play no part in it.
    const s3 = { kind: 's3', bucket: 'acme-tfstate', key: 'market-data-pipeline-dev/terraform.tfstate', region: 'us-east-1' } as const;
    for (const [{ json }, kind] of [
      [synthesize({ environmentSuffix: 'dev' }, { placeholderBundles: true }), 'local'],
      [synthesize({ environmentSuffix: 'pr42' }, { placeholderBundles: true }), 'local'],
      [synthesizeInMemory({ environmentSuffix: 'dev', stateBackend: s3 }), 's3'],
    ] as const) {
      const backends = json.terraform.backend ?? {};
      expect(Object.keys(backends)).toEqual([kind]);
      for (const settings of Object.values(backends)) expect(settings).not.toHaveProperty('use_lockfile');
    }
  });
});

describe('naming', () => {
  it('ends every name in the environment suffix', () => {
    const names = literalNamesOf(dev.json);
    expect(names.length).toBeGreaterThan(25);
    for (const { type, name } of names) expect(name, type).toMatch(/-dev$/);
    for (const { type, name } of literalNamesOf(synthesizeInMemory({ environmentSuffix: 'pr42' }).json)) expect(name, type).toMatch(/-pr42$/);
  });

  it('shares no resource name between two environments', () => {
    const devNames = new Set(literalNamesOf(dev.json).map(({ name }) => name));
    const shared = literalNamesOf(synthesizeInMemory({ environmentSuffix: 'pr42' }).json).filter(({ name }) => devNames.has(name));
    expect(shared).toEqual([]);
  });

  it('keeps every name within its service limit for the longest suffix allowed', () => {
    const suffix = 'a'.repeat(20);
    const longest = synthesizeInMemory({ environmentSuffix: suffix });
    for (const { type, name } of literalNamesOf(longest.json)) {
      expect(NAME_LIMITS[type], `limit for ${type}`).toBeDefined();
      expect(name.length, name).toBeLessThanOrEqual(NAME_LIMITS[type]!);
    }
    expect(resourceNames(suffix).keyAlias).toMatch(/^alias\/[a-zA-Z0-9/_-]+$/);
  });
});

/** The first cycle found among the edges, as the path that closes it, or undefined. */
function cycleIn(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const open = path.indexOf(node);
    if (open >= 0) return [...path.slice(open), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('dependencies', () => {
  /** resource → the resources its arguments reference or it depends on explicitly. */
  const dependencyGraph = (json: TerraformJson) =>
    new Map(
      Object.entries(json.resource).flatMap(([type, blocks]) =>
        Object.entries(blocks).map(([id, block]): [string, Set<string>] => {
          const references = [...JSON.stringify(block).matchAll(/\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g)].map(([, t, i]) => `${t}.${i}`);
          return [`${type}.${id}`, new Set([...references, ...(block.depends_on ?? [])])];
        }),
      ),
    );

  // The key is created first and its policy names the alarms that notify a topic encrypted with it: read from the
  // alarms instead of built from their names, those ARNs would close a cycle that Terraform refuses to plan.
  it('form no cycle, which Terraform refuses to plan', () => {
    const graph = dependencyGraph(dev.json);
    expect([...graph.values()].reduce((n, targets) => n + targets.size, 0)).toBeGreaterThan(80);
    expect(cycleIn(graph)).toBeUndefined();
  });

  it('are found when there is one', () => {
    const graph = new Map([
      ['aws_kms_key.key', new Set(['aws_cloudwatch_metric_alarm.alarm'])],
      ['aws_cloudwatch_metric_alarm.alarm', new Set(['aws_sns_topic.topic'])],
      ['aws_sns_topic.topic', new Set(['aws_kms_key.key'])],
      ['aws_sqs_queue.queue', new Set(['aws_kms_key.key'])],
    ]);
    expect(cycleIn(graph)).toEqual(['aws_kms_key.key', 'aws_cloudwatch_metric_alarm.alarm', 'aws_sns_topic.topic', 'aws_kms_key.key']);
    expect(
      cycleIn(
        new Map([
          ['a.b', new Set(['c.d'])],
          ['c.d', new Set<string>()],
        ]),
      ),
    ).toBeUndefined();
  });
});

describe('references', () => {
  it('point only at resources and data sources the stack defines', () => {
    const text = JSON.stringify({ resource: dev.json.resource, output: dev.json.output, data: dev.json.data });
    const references = [...text.matchAll(/\$\{(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g)];
    expect(references.length).toBeGreaterThan(50);
    for (const [, data, type, id] of references) {
      const defined = data ? dev.json.data[type!]?.[id!] : dev.json.resource[type!]?.[id!];
      expect(defined, `${data ?? ''}${type}.${id}`).toBeDefined();
    }
    for (const [, block] of Object.entries(dev.json.resource).flatMap(([, blocks]) => Object.entries(blocks))) {
      for (const dependency of block.depends_on ?? []) {
        const [type, id] = dependency.split('.');
        expect(dev.json.resource[type!]?.[id!], dependency).toBeDefined();
      }
    }
  });
});

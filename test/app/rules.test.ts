import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, KMSAccessDeniedException, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoRuleStore } from '../../src/adapters/aws/rule-store.js';
import { changeRule } from '../../src/app/rules.js';
import { defaultRuleOf } from '../../src/app/default-rule.js';
import { describeFailure } from '../../src/cli/failures.js';
import { readStackOutputs } from '../../src/app/stack-outputs.js';
import type { Target } from '../../src/app/target.js';
import { resolveRule, type AlertRule, type RuleOverride } from '../../src/domain/index.js';
import { marketData, spawnMarketData } from '../support/cli.js';
import { DEPLOYMENT_CREDENTIALS, fakeDeployment, type FakeDeployment } from '../support/deployment.js';
import { startLocalDynamo, TEST_CREDENTIALS, type LocalDynamo } from '../support/dynamo.js';
import { storePausedAfterFirstRead } from '../support/rule-store.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const DEFAULTS: AlertRule = { above: 150, below: 50, mode: 'cross' };

/** A small deterministic generator, so that a failing round can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('rules set against concurrent changes (dynalite)', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let db: LocalDynamo;
  let table: string;
  const clients: DynamoDBClient[] = [];
  /** A store on its own client, as each `market-data rules set` process has. */
  const storeOf = (options = {}) => {
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    clients.push(client);
    return new DynamoRuleStore(client, table, { backoffMs: 5, ...options });
  };
  const stored = async (symbol: string): Promise<RuleOverride> => {
    const { Item = {} } = await db.documents.send(new GetCommand({ TableName: table, Key: { symbol }, ConsistentRead: true }));
    const { symbol: _symbol, ...rule } = Item;
    return rule as RuleOverride;
  };
  const valid = (override: RuleOverride) => resolveRule(DEFAULTS, override).problem === undefined;

  beforeAll(async () => {
    db = await startLocalDynamo();
    table = db.names.alertRulesTable;
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await db.close();
  });

  it('--above 100 and --below 120 read at the same moment: one is stored, the other refused on the rule it finds', async () => {
    // Both read the (empty) rule before either writes: the moment where unconditional writes would combine them.
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const barrier = async () => {
      if (++arrived === 2) release();
      await bothRead;
    };
    const afterBarrier = () =>
      storePausedAfterFirstRead(new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS }), table, barrier, 5);

    const outcomes = await Promise.allSettled([
      changeRule(afterBarrier(), 'AMD', { above: 100 }, DEFAULTS),
      changeRule(afterBarrier(), 'AMD', { below: 120 }, DEFAULTS),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as Error).message).toBe('rule for AMD not set: below (120) must be less than above (100)');
    const rule = await stored('AMD');
    expect([{ above: 100 }, { below: 120 }]).toContainEqual(rule);
    expect(valid(rule)).toBe(true);
  });

  it('refuses to merge into a stored override the parser refuses (written by hand), and says how to fix it', async () => {
    await db.documents.send(new PutCommand({ TableName: table, Item: { symbol: 'HAND', above: 0, mode: 'every' } }));
    await expect(changeRule(storeOf(), 'HAND', { below: 40 }, DEFAULTS)).rejects.toThrow(
      'rule for HAND not set: its stored override is refused (above: must be greater than 0); remove it with market-data rules delete HAND, then set it again',
    );
    await expect(changeRule(storeOf(), 'HAND', { above: 1e10 }, DEFAULTS)).rejects.toThrow(
      'rule for HAND not set: above: must be at most 1000000000',
    );
    expect(await stored('HAND')).toEqual({ above: 0, mode: 'every' });
    expect(await storeOf().remove('HAND')).toBe(true);
    expect(await changeRule(storeOf(), 'HAND', { above: 160 }, DEFAULTS)).toEqual({ override: { above: 160 }, rule: { ...DEFAULTS, above: 160 } });
  });

  it('two concurrent `--above 100` / `--below 120` on 40 symbols: exactly one of each pair is stored, never both', async () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `PAIR${i}`);
    const outcomes = await Promise.all(
      symbols.map((symbol) =>
        Promise.allSettled([changeRule(storeOf(), symbol, { above: 100 }, DEFAULTS), changeRule(storeOf(), symbol, { below: 120 }, DEFAULTS)]),
      ),
    );
    for (const [i, pair] of outcomes.entries()) {
      expect(
        pair.filter((o) => o.status === 'fulfilled'),
        symbols[i],
      ).toHaveLength(1);
      const rule = await stored(symbols[i]!);
      expect([{ above: 100 }, { below: 120 }], symbols[i]).toContainEqual(rule);
    }
  });

  it('many writers with random changes: the stored rule is valid after every round, and is what the last writer checked', async () => {
    const next = random(7);
    const price = () => Math.round(20 + next() * 180);
    for (let round = 0; round < 12; round++) {
      const changes = Array.from({ length: 6 }, () => {
        const pick = next();
        return pick < 0.4
          ? { above: price() }
          : pick < 0.8
            ? { below: price() }
            : { above: price(), below: price(), mode: next() < 0.5 ? 'every' : 'cross' };
      }) as RuleOverride[];
      const outcomes = await Promise.allSettled(changes.map((change) => changeRule(storeOf({ maxAttempts: 20 }), 'MANY', change, DEFAULTS)));
      const rule = await stored('MANY');
      expect(valid(rule), `round ${round}: ${JSON.stringify(rule)}`).toBe(true);
      // Every refusal is the rule check on what the writer found, never a lost race.
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect((outcome.reason as Error).message).toMatch(/^rule for MANY not set: /);
      // The stored rule is one that some writer checked and reported.
      const reported = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.override] : []));
      if (reported.length > 0) expect(reported).toContainEqual(rule);
    }
  });
});

describe('the default rule of a target', () => {
  const lambda = new LambdaClient({ region: 'eu-west-1' });
  const mock = mockClient(lambda);
  let dir: string;
  const aws = (extra: Partial<Extract<Target, { kind: 'aws' }>> = {}): Target => ({ kind: 'aws', environment: 'qa', region: 'eu-west-1', ...extra });
  const outputsFile = async (values: Record<string, string>) => {
    const file = join(dir, `outputs-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(values));
    return readStackOutputs(file);
  };
  const variables = {
    ENVIRONMENT: 'qa',
    ALERTS_TABLE: 'market-alerts-qa',
    ALERT_RULES_TABLE: 'alert-rules-qa',
    TRADING_ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:trading-alerts-qa',
    ALERT_THRESHOLD_HIGH: '180',
    ALERT_THRESHOLD_LOW: '20',
    ALERT_TRIGGER_MODE: 'every',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'default-rule-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    mock.reset();
    vi.unstubAllEnvs();
  });

  it('of the embedded store: the local defaults, which this shell may override as the local runtime does', async () => {
    vi.stubEnv('ALERT_THRESHOLD_HIGH', '170');
    expect(await defaultRuleOf({ kind: 'local', environment: 'dev', home: dir, session: 'main' })).toEqual({
      rule: { above: 170, below: 50, mode: 'cross' },
      source: 'the local defaults',
    });
  });

  it("of a deployment: data-processor's variables, never this shell's", async () => {
    vi.stubEnv('ALERT_THRESHOLD_HIGH', '999');
    vi.stubEnv('ALERT_TRIGGER_MODE', 'cross');
    mock.on(GetFunctionConfigurationCommand, { FunctionName: 'data-processor-qa' }).resolves({ Environment: { Variables: variables } });
    expect(await defaultRuleOf(aws(), lambda)).toEqual({
      rule: { above: 180, below: 20, mode: 'every' },
      source: 'the configuration of data-processor-qa',
    });
  });

  it('of a deployment given by an outputs file: its default_alert_rule output, without asking Lambda', async () => {
    vi.stubEnv('ALERT_THRESHOLD_HIGH', '999');
    const outputs = await outputsFile({ default_alert_rule: '{"above":155.5,"below":45,"mode":"every"}' });
    expect(await defaultRuleOf(aws({ outputs }), lambda)).toEqual({
      rule: { above: 155.5, below: 45, mode: 'every' },
      source: `default_alert_rule in ${outputs.file}`,
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('of an older deployment whose outputs lack the rule: the configuration of the function the outputs name', async () => {
    mock.on(GetFunctionConfigurationCommand, { FunctionName: 'dp-custom' }).resolves({ Environment: { Variables: variables } });
    const outputs = await outputsFile({ lambda_function_name: 'dp-custom' });
    expect((await defaultRuleOf(aws({ outputs }), lambda)).rule).toEqual({ above: 180, below: 20, mode: 'every' });
  });

  it.each([
    ['not JSON', '{above'],
    ['below not under above', '{"above":50,"below":150,"mode":"cross"}'],
    ['an unknown mode', '{"above":150,"below":50,"mode":"sometimes"}'],
  ])('refuses an outputs file whose default_alert_rule is %s', async (_, value) => {
    const outputs = await outputsFile({ default_alert_rule: value });
    await expect(defaultRuleOf(aws({ outputs }), lambda)).rejects.toThrow(
      new RegExp(
        `^${outputs.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: default_alert_rule is not a valid rule \\(.+\\): write the outputs file again`,
      ),
    );
  });

  it('says to allow kms:Decrypt on the key when Lambda cannot decrypt the variables for the caller', async () => {
    mock.on(GetFunctionConfigurationCommand).resolves({
      KMSKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd',
      Environment: {
        Error: {
          ErrorCode: 'AccessDeniedException',
          Message: 'Lambda was unable to decrypt the environment variables because KMS access was denied.',
        },
      },
    });
    await expect(defaultRuleOf(aws(), lambda)).rejects.toThrow(
      'cannot read the default alert rule from data-processor-qa: its environment variables are encrypted with the customer managed key ' +
        'arn:aws:kms:eu-west-1:123456789012:key/1234abcd, which you may not use (AccessDeniedException: Lambda was unable to decrypt the ' +
        'environment variables because KMS access was denied.). Allow kms:Decrypt on that key to the identity running this command ' +
        '(the key policy lets IAM policies grant it), or pass --outputs <file> with the default_alert_rule output',
    );
    mock.on(GetFunctionConfigurationCommand).rejects(new KMSAccessDeniedException({ message: 'denied', $metadata: {} }));
    await expect(defaultRuleOf(aws(), lambda)).rejects.toThrow(
      /encrypted with the customer managed key \(the stack's key\), which you may not use \(KMSAccessDeniedException: denied\)\. Allow kms:Decrypt/,
    );
  });

  it('explains a missing function, a refused read, an unusable configuration and an unreachable endpoint', async () => {
    mock.on(GetFunctionConfigurationCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
    await expect(defaultRuleOf(aws(), lambda)).rejects.toThrow(
      'function data-processor-qa was not found in eu-west-1, so its default alert rule cannot be read: deploy the stack ' +
        '(ENVIRONMENT_SUFFIX=qa npm run deploy), choose the deployment with --env or --region, or pass --outputs <file> with the default_alert_rule output',
    );
    mock
      .on(GetFunctionConfigurationCommand)
      .rejects(Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized'), { name: 'AccessDeniedException' }));
    await expect(defaultRuleOf(aws(), lambda)).rejects.toThrow(
      "not allowed to read data-processor-qa's configuration, which holds the deployed default alert rule (User: arn:aws:iam::1:user/x is not authorized): allow lambda:GetFunctionConfiguration on it",
    );
    mock.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { ...variables, ALERT_THRESHOLD_LOW: '200' } } });
    await expect(defaultRuleOf(aws(), lambda)).rejects.toThrow(
      'data-processor-qa has no usable default alert rule (ALERT_THRESHOLD_LOW (200) must be less than ALERT_THRESHOLD_HIGH (180)): redeploy the stack',
    );
    mock.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', 'http://127.0.0.1:9');
    const unreachable = await defaultRuleOf(aws(), lambda).catch((error: unknown) => error);
    expect(describeFailure(unreachable)).toMatch(/^cannot reach Lambda at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });
});

/** A stand-in for the Lambda API that answers GetFunctionConfiguration (GET /2015-03-31/functions/{name}/configuration). */
async function fakeLambda(
  answer: (name: string) => { status: number; body: unknown; errorType?: string },
): Promise<{ endpoint: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    paths.push(request.url ?? '');
    const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/configuration/.exec(request.url ?? '')?.[1] ?? '');
    const { status, body, errorType } = answer(name);
    response.writeHead(status, { 'content-type': 'application/json', ...(errorType && { 'x-amzn-errortype': errorType }) });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, server };
}

// Spawns market-data processes, and runs commands against a local table and fake Lambda endpoints.
describe('market-data rules against a deployment', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let deployment: FakeDeployment;
  let db: LocalDynamo;
  let dir: string;
  let outputs: string;
  const creds = DEPLOYMENT_CREDENTIALS;

  beforeAll(async () => {
    deployment = await fakeDeployment({ above: 150, below: 50, mode: 'cross' });
    ({ db, dir, outputs } = deployment);
  });
  afterAll(() => deployment.close());

  it('two concurrent `rules set` (--above 100, --below 120) never store an invalid rule, whatever this shell says', async () => {
    // This shell's thresholds must not matter: with them, --below 120 alone would be refused (120 ≥ 110).
    const env = { ...creds, ALERT_THRESHOLD_HIGH: '110', ALERT_THRESHOLD_LOW: '100', MARKET_DATA_HOME: dir };
    for (const symbol of ['CONC', 'CONCB']) {
      const target = ['--outputs', outputs, '--endpoint', db.endpoint];
      const [above, below] = await Promise.all([
        spawnMarketData(['rules', 'set', symbol, '--above', '100', ...target], env),
        spawnMarketData(['rules', 'set', symbol, '--below', '120', ...target], env),
      ]);
      const succeeded = [above, below].filter((r) => r.code === 0);
      expect(succeeded, `${above.stderr}${below.stderr}`).toHaveLength(1);
      expect([above, below].find((r) => r.code !== 0)!.stderr).toBe(`error: rule for ${symbol} not set: below (120) must be less than above (100)\n`);
      const { Item } = await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol }, ConsistentRead: true }));
      expect([
        { symbol, above: 100 },
        { symbol, below: 120 },
      ]).toContainEqual(Item);
      expect(succeeded[0]!.stdout).toMatch(
        new RegExp(`^${symbol}: above (100|150), below (50|120), mode cross \\(takes effect with the next batch\\)\\n$`),
      );
    }
  });

  it("lists with the default rule of the deployed function's configuration when no outputs file is given", async () => {
    const lambda = await fakeLambda((name) =>
      name === 'data-processor-e2e'
        ? {
            status: 200,
            body: {
              FunctionName: name,
              Environment: {
                Variables: {
                  ENVIRONMENT: 'e2e',
                  ALERTS_TABLE: db.names.alertsTable,
                  ALERT_RULES_TABLE: db.names.alertRulesTable,
                  TRADING_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:trading-alerts-e2e',
                  ALERT_THRESHOLD_HIGH: '180',
                  ALERT_THRESHOLD_LOW: '20',
                  ALERT_TRIGGER_MODE: 'every',
                },
              },
            },
          }
        : { status: 404, body: { Type: 'User', Message: `Function not found: ${name}` }, errorType: 'ResourceNotFoundException' },
    );
    try {
      const env = {
        ...creds,
        ENVIRONMENT_SUFFIX: 'e2e',
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
        ALERT_THRESHOLD_HIGH: '999',
        MARKET_DATA_HOME: dir,
      };
      const list = await marketData(['rules', 'list', '--json', '--endpoint', db.endpoint], env);
      expect(list.stderr).toBe('');
      expect(JSON.parse(list.stdout).defaults).toEqual({ above: 180, below: 20, mode: 'every' });
      expect(lambda.paths).toEqual(['/2015-03-31/functions/data-processor-e2e/configuration']);
      const text = await marketData(['rules', 'list', '--endpoint', db.endpoint], env);
      expect(text.stdout.split('\n')[0]).toBe(
        `default rule: above 180, below 20, mode every (${db.endpoint} (environment e2e); from the configuration of data-processor-e2e)`,
      );

      // An outputs file of an older deployment (no default_alert_rule): the function it names is asked.
      const older = join(dir, 'older-outputs.json');
      await writeFile(
        older,
        JSON.stringify({ environment_suffix: 'e2e', alert_rules_table_name: db.names.alertRulesTable, lambda_function_name: 'dp-removed' }),
      );
      const missing = await marketData(['rules', 'list', '--outputs', older, '--endpoint', db.endpoint], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        'error: function dp-removed was not found in us-east-1, so its default alert rule cannot be read: deploy the stack ' +
          '(ENVIRONMENT_SUFFIX=e2e npm run deploy), choose the deployment with --env or --region, or pass --outputs <file> with the default_alert_rule output\n',
      );
      expect(lambda.paths.at(-1)).toBe('/2015-03-31/functions/dp-removed/configuration');
    } finally {
      lambda.server.close();
    }
  });

  it("tells the user what to do when the function's variables cannot be decrypted", async () => {
    const lambda = await fakeLambda(() => ({
      status: 200,
      body: {
        KMSKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd',
        Environment: {
          Error: {
            ErrorCode: 'AccessDeniedException',
            Message: 'Lambda was unable to decrypt the environment variables because KMS access was denied.',
          },
        },
      },
    }));
    try {
      const env = { ...creds, ENVIRONMENT_SUFFIX: 'e2e', AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint, MARKET_DATA_HOME: dir };
      const set = await marketData(['rules', 'set', 'KMS', '--above', '200', '--endpoint', db.endpoint], env);
      expect(set.code).toBe(1);
      expect(set.stderr).toContain(
        'error: cannot read the default alert rule from data-processor-e2e: its environment variables are encrypted with the customer managed key arn:aws:kms:us-east-1:123456789012:key/1234abcd',
      );
      expect(set.stderr).toContain('Allow kms:Decrypt on that key to the identity running this command');
      const { Item } = await db.documents.send(new GetCommand({ TableName: db.names.alertRulesTable, Key: { symbol: 'KMS' }, ConsistentRead: true }));
      expect(Item).toBeUndefined();
    } finally {
      lambda.server.close();
    }
  });
});

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketData } from '../support/cli.js';
import { DEPLOYMENT_CREDENTIALS, fakeDeployment, type FakeDeployment } from '../support/deployment.js';
import type { LocalDynamo } from '../support/dynamo.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

/** `backtest --rules-from-store` on a deployment: its tables through --endpoint, its default rule from --outputs. */
describe('backtest with the rules of a deployment', () => {
  let deployment: FakeDeployment;
  let db: LocalDynamo;
  let dir: string;
  let outputs: string;
  const creds = DEPLOYMENT_CREDENTIALS;

  beforeAll(async () => {
    deployment = await fakeDeployment({ above: 160, below: 40, mode: 'cross' });
    ({ db, dir, outputs } = deployment);
    // A rule with engine state beside it, as the functions leave it: only the rule is read.
    await db.documents.send(
      new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'AAPL', above: 149, version: 7, window: new Uint8Array([1, 2, 3]) } }),
    );
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'KO', version: 3 } }));
  });
  afterAll(() => deployment?.close());

  it("applies the deployed default rule and overrides, never this shell's thresholds", { timeout: SLOW_TEST_TIMEOUT_MS }, async () => {
    const env = { ...creds, ALERT_THRESHOLD_HIGH: '110', ALERT_THRESHOLD_LOW: '100', MARKET_DATA_HOME: dir };
    const run = await marketData(
      ['backtest', 'src/local/sample/session.jsonl', '--rules-from-store', '--outputs', outputs, '--endpoint', db.endpoint, '--json'],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      rules: { label: string; defaultRule: unknown; overrides: unknown };
      alerts: { symbol: string; alertType: string; threshold: number }[];
    };
    expect(result.rules.defaultRule).toEqual({ above: 160, below: 40, mode: 'cross' });
    expect(result.rules.overrides).toEqual({ AAPL: { above: 149 } });
    expect(result.rules.label).toBe(`the rules of ${db.endpoint} (environment e2e); default rule from default_alert_rule in ${outputs}`);
    // With 160/40, MSFT (above 400 all session) and the AAPL override at 149 alert; INTC and F never go below 40.
    expect([...new Set(result.alerts.map((a) => `${a.symbol} ${a.alertType} ${a.threshold}`))].sort()).toEqual(['AAPL HIGH 149', 'MSFT HIGH 160']);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketData } from '../support/cli.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';

/** `backtest --rules-from-store` on a deployment: its tables through --endpoint, its default rule from --outputs. */
describe('backtest with the rules of a deployment', () => {
  let db: LocalDynamo;
  let dir: string;
  let outputs: string;
  const creds = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };

  beforeAll(async () => {
    db = await startLocalDynamo('e2e');
    dir = await mkdtemp(join(tmpdir(), 'backtest-deployed-'));
    outputs = join(dir, 'flat-outputs.json');
    await writeFile(
      outputs,
      JSON.stringify({ environment_suffix: 'e2e', aws_region: 'us-east-1', alert_rules_table_name: db.names.alertRulesTable, default_alert_rule: '{"above":160,"below":40,"mode":"cross"}' }),
    );
    // A rule with engine state beside it, as the functions leave it: only the rule is read.
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'AAPL', above: 149, version: 7, window: new Uint8Array([1, 2, 3]) } }));
    await db.documents.send(new PutCommand({ TableName: db.names.alertRulesTable, Item: { symbol: 'KO', version: 3 } }));
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies the deployed default rule and overrides, never this shell\'s thresholds', { timeout: 30_000 }, async () => {
    const env = { ...creds, ALERT_THRESHOLD_HIGH: '110', ALERT_THRESHOLD_LOW: '100', MARKET_DATA_HOME: dir };
    const run = await marketData(['backtest', 'src/local/sample/session.jsonl', '--rules-from-store', '--outputs', outputs, '--endpoint', db.endpoint, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { rules: { label: string; defaultRule: unknown; overrides: unknown }; alerts: { symbol: string; alertType: string; threshold: number }[] };
    expect(result.rules.defaultRule).toEqual({ above: 160, below: 40, mode: 'cross' });
    expect(result.rules.overrides).toEqual({ AAPL: { above: 149 } });
    expect(result.rules.label).toBe(`the rules of ${db.endpoint} (environment e2e); default rule from default_alert_rule in ${outputs}`);
    // With 160/40, MSFT (above 400 all session) and the AAPL override at 149 alert; INTC and F never go below 40.
    expect([...new Set(result.alerts.map((a) => `${a.symbol} ${a.alertType} ${a.threshold}`))].sort()).toEqual(['AAPL HIGH 149', 'MSFT HIGH 160']);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule } from '../../src/domain/index.js';
import { startLocalDynamo, type LocalDynamo } from './dynamo.js';

/** Fake credentials and region for commands that talk to a deployment through --endpoint. */
export const DEPLOYMENT_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };

export interface FakeDeployment {
  readonly db: LocalDynamo;
  /** A folder of the test's own (use as MARKET_DATA_HOME). */
  readonly dir: string;
  /** The deployment's flat outputs file: suffix e2e, its alert-rules table and its default rule. */
  readonly outputs: string;
  close(): Promise<void>;
}

/** A deployment as the CLI sees it with `--outputs FILE --endpoint URL`: dynalite tables and a stack outputs file. */
export async function fakeDeployment(defaultRule: AlertRule): Promise<FakeDeployment> {
  const db = await startLocalDynamo('e2e');
  const dir = await mkdtemp(join(tmpdir(), 'deployment-'));
  const outputs = join(dir, 'flat-outputs.json');
  await writeFile(
    outputs,
    JSON.stringify({
      environment_suffix: 'e2e',
      aws_region: 'us-east-1',
      alert_rules_table_name: db.names.alertRulesTable,
      default_alert_rule: JSON.stringify(defaultRule),
    }),
  );
  return {
    db,
    dir,
    outputs,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

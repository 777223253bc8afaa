import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStackOutputs } from '../../src/app/stack-outputs.js';
import { resolveTarget, tableName } from '../../src/app/target.js';

describe('stack outputs', () => {
  let dir: string;
  const write = async (name: string, content: unknown) => {
    const file = join(dir, name);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outputs-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads flat, nested and `terraform output -json` shapes', async () => {
    const flat = await readStackOutputs(await write('flat.json', { sqs_queue_url: 'https://q', dynamodb_table_name: 'market-alerts-pr7' }));
    expect(flat.get('queueUrl')).toBe('https://q');
    expect(flat.environment()).toBe('pr7');
    const nested = await readStackOutputs(await write('nested.json', { stack: { event_bus_name: 'bus-x' } }));
    expect(nested.get('eventBusName')).toBe('bus-x');
    const terraform = await readStackOutputs(await write('tf.json', { sqs_queue_url: { value: 'https://t', type: 'string' } }));
    expect(terraform.get('queueUrl')).toBe('https://t');
    expect(() => terraform.require('eventBusName')).toThrow(/has no event_bus_name output/);
  });

  it('explains a missing or malformed file', async () => {
    await expect(readStackOutputs(join(dir, 'none.json'))).rejects.toThrow(/outputs file not found/);
    await expect(readStackOutputs(await write('bad.json', '{'))).rejects.toThrow(/is not valid JSON/);
    await expect(readStackOutputs(await write('array.json', []))).rejects.toThrow(/must hold a JSON object/);
  });

  it('targets the embedded store by default and a deployment when given one', async () => {
    expect(await resolveTarget({ env: 'qa', dataDir: dir })).toEqual({ kind: 'local', environment: 'qa', home: dir, session: 'main' });
    const file = await write('deployed.json', { dynamodb_table_name: 'market-alerts-pr7', alert_rules_table_name: 'rules-custom' });
    const target = await resolveTarget({ outputs: file, region: 'eu-west-1' });
    expect(target).toMatchObject({ kind: 'aws', environment: 'pr7', region: 'eu-west-1' });
    const declared = await write('declared.json', { environment_suffix: 'qa', aws_region: 'ap-south-1' });
    expect(await resolveTarget({ outputs: declared })).toMatchObject({ kind: 'aws', environment: 'qa', region: 'ap-south-1' });
    expect(tableName(target, 'alertRules')).toBe('rules-custom');
    expect(tableName(target, 'marketData')).toBe('market-data-pr7');
    await expect(resolveTarget({ env: 'Bad_Env' })).rejects.toThrow(/--env "Bad_Env" is invalid/);
  });
});

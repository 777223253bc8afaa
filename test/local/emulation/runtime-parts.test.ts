import { ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../src/local/emulation/lambda-context.js';
import { dropTable, hasSessionTables } from '../../../src/local/emulation/tables.js';
import { TaskPool } from '../../../src/local/emulation/task-pool.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';

describe('the Lambda context', () => {
  it('counts down from the timeout, and refuses callback-style completion', () => {
    let now = 1_000;
    const context = lambdaContext(
      { functionName: 'fn-dev', memoryMb: 512, timeoutSeconds: 30, region: 'eu-west-1', logGroupName: '/aws/lambda/fn-dev' },
      () => now,
    );
    expect(context).toMatchObject({
      functionName: 'fn-dev',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:fn-dev',
    });
    now += 29_000;
    expect(context.getRemainingTimeInMillis()).toBe(1_000);
    now += 5_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
    for (const complete of [context.done, context.fail, context.succeed] as ((...args: unknown[]) => void)[]) {
      expect(() => complete()).toThrow('callback-style completion is not supported; return a promise');
    }
  });
});

describe('the task pool', () => {
  it('refuses a concurrency that is not a positive whole number', () => {
    for (const limit of [0, 1.5, -1]) expect(() => new TaskPool(limit)).toThrow(`concurrency must be a positive whole number (got ${limit})`);
  });

  it('holds producers back at the limit, and stops taking work once a task let an error escape', async () => {
    const pool = new TaskPool(1);
    const order: string[] = [];
    let release!: () => void;
    await pool.submit(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
    const second = pool.submit(async () => void order.push('second'));
    expect(order).toEqual([]);
    release();
    await second;
    await pool.idle();
    expect(order).toEqual(['first', 'second']);
    await pool.submit(() => Promise.reject(new Error('defect')));
    await pool.quiesce();
    await expect(pool.idle()).rejects.toThrow('defect');
    await expect(pool.submit(async () => undefined)).rejects.toThrow('defect');
  });
});

describe('tables of the embedded store', () => {
  let db: LocalDynamo;
  beforeAll(async () => {
    db = await startLocalDynamo('parts');
  });
  afterAll(() => db.close());

  it('drops a table and waits until it is gone; a missing one is already gone', async () => {
    expect(await hasSessionTables(db.raw, 'parts', 'main')).toBe(true);
    await dropTable(db.raw, db.names.auditTrailTable);
    expect(await hasSessionTables(db.raw, 'parts', 'main')).toBe(false);
    await dropTable(db.raw, db.names.auditTrailTable);
  });

  it('passes on errors other than a missing table', async () => {
    const failing = { send: async () => Promise.reject(new Error('throttled')) } as unknown as DynamoDBClient;
    await expect(hasSessionTables(failing, 'parts', 'main')).rejects.toThrow('throttled');
    await expect(dropTable(failing, 'x')).rejects.toThrow('throttled');
    const missing = {
      send: async () => Promise.reject(new ResourceNotFoundException({ message: 'gone', $metadata: {} })),
    } as unknown as DynamoDBClient;
    await dropTable(missing, 'x');
  });
});

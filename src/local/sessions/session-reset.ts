import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { rm } from 'node:fs/promises';
import { createDocumentClient, RULE_ATTRIBUTES } from '../../adapters/aws/index.js';
import { TABLES, type TableKey } from '../../resources/index.js';
import { eventDeadLetters, tickDeadLetters } from '../emulation/dead-letter-store.js';
import { sessionTableNames, type LocalPaths, type Session } from '../emulation/paths.js';
import { dropTable, ensureTables } from '../emulation/tables.js';

type Item = Record<string, unknown>;

const RULE_KEY = TABLES.alertRules.partitionKey.name;

/** A rules table's item reduced to its rule override (no engine state), or undefined when it has none. */
function overrideOf(item: Item): Item | undefined {
  const rule = RULE_ATTRIBUTES.filter((a) => item[a] !== undefined).map((a) => [a, item[a]] as const);
  return rule.length > 0 ? { [RULE_KEY]: item[RULE_KEY], ...Object.fromEntries(rule) } : undefined;
}

async function* scanItems(client: DynamoDBClient, tableName: string): AsyncGenerator<Item> {
  const documents = createDocumentClient(client);
  let startKey: Item | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Clear the engine state of every symbol in a rules table, item by item, keeping the overrides: each item is
 * replaced whole or deleted, so an interruption leaves every rule in place.
 */
async function keepOnlyOverrides(client: DynamoDBClient, tableName: string): Promise<void> {
  const documents = createDocumentClient(client);
  for await (const item of scanItems(client, tableName)) {
    const override = overrideOf(item);
    if (override) await documents.send(new PutCommand({ TableName: tableName, Item: override }));
    else await documents.send(new DeleteCommand({ TableName: tableName, Key: { [RULE_KEY]: item[RULE_KEY] } }));
  }
}

/** Copy the rule overrides of one rules table into another (empty) one. */
async function copyOverrides(client: DynamoDBClient, from: string, to: string): Promise<void> {
  const documents = createDocumentClient(client);
  for await (const item of scanItems(client, from)) {
    const override = overrideOf(item);
    if (override) await documents.send(new PutCommand({ TableName: to, Item: override }));
  }
}

/** Every file a session keeps beside the store: its dead-letter queues (with redrive leftovers) and notifications. */
export function sessionFiles(paths: LocalPaths): string[] {
  const queues = [tickDeadLetters(paths.ticksDlq), eventDeadLetters(paths.eventsDlq)];
  return [...queues.flatMap((q) => [q.file, q.asideFile, q.progressFile, `${q.progressFile}.tmp`, q.unreadableFile]), paths.notifications];
}

export interface FreshSessionOptions {
  readonly environment: string;
  readonly session: Session;
  readonly paths: LocalPaths;
  /** Take the rule overrides from this session's rules table (the demo uses the environment's); default: its own. */
  readonly rulesFrom?: Session;
}

/**
 * Start a session afresh in the embedded store: its alerts, symbol state, market data, audit trail, dead letters and
 * notifications are deleted; the rule overrides stay. Tables are dropped and created again rather than emptied item
 * by item, which keeps it quick on a large store; the rules table of the session whose rules are kept is only
 * stripped of its engine state, so the user's rules survive an interruption at any point.
 */
export async function freshSession(client: DynamoDBClient, options: FreshSessionOptions): Promise<void> {
  const names = sessionTableNames(options.environment, options.session);
  const rulesFrom = options.rulesFrom ?? options.session;
  await ensureTables(client, options.environment, options.session);
  for (const key of Object.keys(TABLES) as TableKey[]) {
    if (key !== 'alertRules' || rulesFrom !== options.session) await dropTable(client, names[key]);
  }
  for (const file of sessionFiles(options.paths)) await rm(file, { force: true });
  await ensureTables(client, options.environment, options.session);
  if (rulesFrom === options.session) await keepOnlyOverrides(client, names.alertRules);
  else await copyOverrides(client, sessionTableNames(options.environment, rulesFrom).alertRules, names.alertRules);
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { rm } from 'node:fs/promises';
import { DynamoRuleStore } from '../../adapters/aws/rule-store.js';
import { TABLES, type TableKey } from '../../resources/index.js';
import { eventDeadLetters, tickDeadLetters } from '../emulation/dead-letter-store.js';
import { sessionTableNames, type LocalPaths, type Session } from '../emulation/paths.js';
import { dropTable, ensureTables } from '../emulation/tables.js';

/** Every file a session keeps beside the store: its dead-letter queues (with redrive leftovers) and notifications. */
function sessionFiles(paths: LocalPaths): string[] {
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
  if (rulesFrom === options.session) await new DynamoRuleStore(client, names.alertRules).keepOnlyOverrides();
  else await new DynamoRuleStore(client, sessionTableNames(options.environment, rulesFrom).alertRules).copyOverridesTo(names.alertRules);
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TRIGGER_MODES } from '../../resources/index.js';
import type { Alert, RuleOverride, SymbolState, TriggerMode, Zone } from '../../domain/index.js';
import type { Deadline, RuleStateStore, SymbolRecord } from '../../pipeline/ports.js';
import { chunk } from './batching.js';
import { DEFAULT_BACKOFF, retryCall, retryPending, type BackoffOptions } from './retry.js';

/** DynamoDB's BatchGetItem limit. */
export const BATCH_GET_MAX = 100;

/** Attribute names of an alert-rules item: the rule override and the engine state share one item per symbol. */
export const RULE_ATTRIBUTES = ['above', 'below', 'mode'] as const;

type Item = Record<string, unknown>;

const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

function ruleOf(item: Item): RuleOverride | undefined {
  const above = positive(item.above);
  const below = positive(item.below);
  const mode = TRIGGER_MODES.includes(item.mode as TriggerMode) ? (item.mode as TriggerMode) : undefined;
  if (above === undefined && below === undefined && mode === undefined) return undefined;
  return { ...(above !== undefined && { above }), ...(below !== undefined && { below }), ...(mode !== undefined && { mode }) };
}

function stateOf(item: Item): SymbolState | undefined {
  if (typeof item.zone !== 'string' || typeof item.since !== 'number') return undefined;
  return {
    zone: item.zone as Zone,
    since: item.since,
    tickKey: typeof item.tick_key === 'string' ? item.tick_key : '',
    recentAlerts: Array.isArray(item.recent_alerts) ? (item.recent_alerts as Alert[]) : [],
  };
}

export function recordOf(item: Item | undefined): SymbolRecord {
  if (!item) return { version: 0 };
  const rule = ruleOf(item);
  const state = stateOf(item);
  return { ...(rule && { rule }), ...(state && { state }), version: typeof item.version === 'number' ? item.version : 0 };
}

/** Rules and zone state in alert-rules, read once per batch and changed only by version-conditional updates. */
export class DynamoRuleStateStore implements RuleStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>> {
    const unique = [...new Set(symbols)];
    const items = new Map<string, Item>();
    for (const symbolsOfCall of chunk(unique, BATCH_GET_MAX)) {
      const { remaining, reason } = await retryPending(symbolsOfCall, (pending) => this.get(pending, items), deadline, this.backoff);
      if (remaining.length > 0) throw new Error(`could not read alert rules for ${remaining.join(', ')}: ${reason}`);
    }
    return new Map(unique.map((symbol) => [symbol, recordOf(items.get(symbol))]));
  }

  /** One BatchGetItem; fills `into` and returns the symbols left unprocessed. */
  private async get(symbols: readonly string[], into: Map<string, Item>): Promise<readonly string[]> {
    const response = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: symbols.map((symbol) => ({ symbol })), ConsistentRead: true } } }),
    );
    for (const item of response.Responses?.[this.tableName] ?? []) into.set(item.symbol as string, item);
    return (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) => key.symbol as string);
  }

  async reload(symbol: string, deadline: Deadline): Promise<SymbolRecord> {
    const response = await retryCall(
      () => this.client.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true })),
      deadline,
      this.backoff,
    );
    return recordOf(response.Item);
  }

  async saveState(symbol: string, expectedVersion: number, state: SymbolState, deadline: Deadline): Promise<'saved' | 'conflict'> {
    try {
      await retryCall(
        () =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { symbol },
              UpdateExpression: 'SET #zone = :zone, #since = :since, #tickKey = :tickKey, #recent = :recent, #version = :next',
              ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
              ExpressionAttributeNames: {
                '#zone': 'zone',
                '#since': 'since',
                '#tickKey': 'tick_key',
                '#recent': 'recent_alerts',
                '#version': 'version',
              },
              ExpressionAttributeValues: {
                ':zone': state.zone,
                ':since': state.since,
                ':tickKey': state.tickKey,
                ':recent': state.recentAlerts,
                ':next': expectedVersion + 1,
                ...(expectedVersion !== 0 && { ':expected': expectedVersion }),
              },
            }),
          ),
        deadline,
        this.backoff,
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }
}

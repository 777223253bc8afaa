import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TRIGGER_MODES } from '../../resources/index.js';
import type { AlertType, RuleOverride, SymbolWindow, TriggerMode } from '../../domain/index.js';
import type { Deadline, PendingAlert, RuleStateStore, StateChange, SymbolRecord } from '../../pipeline/ports.js';
import { chunk } from './batching.js';
import { DEFAULT_BACKOFF, retryCall, retryPending, type BackoffOptions } from './retry.js';
import { decodeWindow, encodeWindow } from './window-codec.js';

/** DynamoDB's BatchGetItem limit. */
export const BATCH_GET_MAX = 100;

/** Attribute names of an alert-rules item: the rule override and the engine state share one item per symbol. */
export const RULE_ATTRIBUTES = ['above', 'below', 'mode'] as const;

/** The engine's attributes: the packed window, the pending alerts (a map by alert id) and the version guarding both. */
const STATE = { window: 'window', pending: 'pending', version: 'version' } as const;

/** Attributes of the first engine version (zone and recent alerts); removed on the first write of the new state. */
const RETIRED_ATTRIBUTES = ['zone', 'since', 'tick_key', 'recent_alerts'] as const;

type Item = Record<string, unknown>;

const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

function ruleOf(item: Item): RuleOverride | undefined {
  const above = positive(item.above);
  const below = positive(item.below);
  const mode = TRIGGER_MODES.includes(item.mode as TriggerMode) ? (item.mode as TriggerMode) : undefined;
  if (above === undefined && below === undefined && mode === undefined) return undefined;
  return { ...(above !== undefined && { above }), ...(below !== undefined && { below }), ...(mode !== undefined && { mode }) };
}

/** The stored form of a pending alert (its id is the map key, its symbol the item's). */
interface PendingItem {
  readonly alert_type: AlertType;
  readonly price: number;
  readonly threshold: number;
  readonly mode: TriggerMode;
  readonly event_time: number;
  readonly tick_key: string;
  readonly owner: string;
  readonly raised_at: number;
}

const pendingItem = ({ alert, owner, raisedAt }: PendingAlert): PendingItem => ({
  alert_type: alert.alertType,
  price: alert.price,
  threshold: alert.threshold,
  mode: alert.mode,
  event_time: alert.eventTime,
  tick_key: alert.tickKey,
  owner,
  raised_at: raisedAt,
});

function pendingOf(symbol: string, value: unknown): PendingAlert[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, PendingItem>).map(([alertId, p]) => ({
    alert: { alertId, symbol, alertType: p.alert_type, price: p.price, threshold: p.threshold, mode: p.mode, eventTime: p.event_time, tickKey: p.tick_key },
    owner: p.owner,
    raisedAt: p.raised_at,
  }));
}

function windowOf(value: unknown): SymbolWindow | undefined {
  return value instanceof Uint8Array ? decodeWindow(value) : undefined;
}

export function recordOf(item: Item | undefined): SymbolRecord {
  if (!item) return { pending: [], version: 0 };
  const rule = ruleOf(item);
  const window = windowOf(item[STATE.window]);
  return {
    ...(rule && { rule }),
    ...(window && { window }),
    pending: pendingOf(item.symbol as string, item[STATE.pending]),
    version: typeof item[STATE.version] === 'number' ? (item[STATE.version] as number) : 0,
  };
}

/**
 * Rules and engine state in alert-rules, read once per batch and changed only by version-conditional updates. A lost
 * race returns the winner's item with the failure (a strongly consistent read), so the reload that follows costs no
 * call when DynamoDB sent it.
 */
export class DynamoRuleStateStore implements RuleStateStore {
  private readonly seenOnConflict = new Map<string, SymbolRecord>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>> {
    const unique = [...new Set(symbols)];
    const items = new Map<string, Item>();
    for (const symbolsOfCall of chunk(unique, BATCH_GET_MAX)) {
      const { remaining, reason } = await retryPending(symbolsOfCall, (pending, signal) => this.get(pending, items, signal), deadline, this.backoff);
      if (remaining.length > 0) throw new Error(`could not read alert rules for ${remaining.join(', ')}: ${reason}`);
    }
    return new Map(unique.map((symbol) => [symbol, recordOf(items.get(symbol))]));
  }

  /** One BatchGetItem; fills `into` and returns the symbols left unprocessed. */
  private async get(symbols: readonly string[], into: Map<string, Item>, abortSignal: AbortSignal): Promise<readonly string[]> {
    const response = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: symbols.map((symbol) => ({ symbol })), ConsistentRead: true } } }),
      { abortSignal },
    );
    for (const item of response.Responses?.[this.tableName] ?? []) into.set(item.symbol as string, item);
    return (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((key) => key.symbol as string);
  }

  async reload(symbol: string, deadline: Deadline): Promise<SymbolRecord> {
    const seen = this.seenOnConflict.get(symbol);
    if (seen) {
      this.seenOnConflict.delete(symbol);
      return seen;
    }
    const response = await retryCall(
      (abortSignal) => this.client.send(new GetCommand({ TableName: this.tableName, Key: { symbol }, ConsistentRead: true }), { abortSignal }),
      deadline,
      this.backoff,
    );
    return recordOf(response.Item);
  }

  async saveState(symbol: string, expectedVersion: number, change: StateChange, deadline: Deadline): Promise<'saved' | 'conflict'> {
    const retired = Object.fromEntries(RETIRED_ATTRIBUTES.map((name, i) => [`#r${i}`, name]));
    try {
      await retryCall(
        (abortSignal) =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { symbol },
              UpdateExpression: `SET #window = :window, #pending = :pending, #version = :next REMOVE ${Object.keys(retired).join(', ')}`,
              ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
              ExpressionAttributeNames: { '#window': STATE.window, '#pending': STATE.pending, '#version': STATE.version, ...retired },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ExpressionAttributeValues: {
                ':window': encodeWindow(change.window),
                ':pending': Object.fromEntries(change.pending.map((p) => [p.alert.alertId, pendingItem(p)])),
                ':next': expectedVersion + 1,
                ...(expectedVersion !== 0 && { ':expected': expectedVersion }),
              },
            }),
            { abortSignal },
          ),
        deadline,
        this.backoff,
      );
      return 'saved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) this.seenOnConflict.set(symbol, recordOf(unmarshall(error.Item)));
      return 'conflict';
    }
  }
}

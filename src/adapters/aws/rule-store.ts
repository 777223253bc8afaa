import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RuleOverride, StoredOverride, SymbolWindow } from '../../domain/index.js';
import { KEY, RULE_ATTRIBUTES, recordOf, ruleOverrideOf, type RuleAttribute } from './alert-rules-item.js';
import { UNMARSHALL_OPTIONS } from './clients.js';

const NAMES = Object.fromEntries(RULE_ATTRIBUTES.map((a) => [`#${a}`, a]));

/** A symbol's rule attributes exactly as stored (absent ones left out): the condition of a write compares these. */
export type StoredRule = Partial<Record<RuleAttribute, AttributeValue>>;

/** The override as the engine reads it (usable, or refused with why), and its attributes exactly as stored. */
export interface RuleReading extends StoredOverride {
  readonly stored: StoredRule;
}

/** The plain value of a stored attribute; rule attributes are numbers and strings, anything else is not a rule value. */
const plain = (value: AttributeValue): unknown => (value.N !== undefined ? Number(value.N) : value.S);
const attributeOf = (value: number | string): AttributeValue => (typeof value === 'number' ? { N: String(value) } : { S: value });

/** A change refused because other writers kept changing the same rule between our read and our write. */
export class ConcurrentRuleChangeError extends Error {
  override name = 'ConcurrentRuleChangeError';
}

export interface RuleStoreOptions {
  /** Read-decide-write rounds before giving up on a rule others keep changing. */
  readonly maxAttempts?: number;
  /** Upper bound of the random pause before a new round, in ms (full jitter, doubling per round). */
  readonly backoffMs?: number;
}

type StoredItem = Record<string, AttributeValue>;

/** An item reduced to its key and rule attributes, exactly as stored; undefined when it holds no rule attribute. */
function overrideItem(item: StoredItem): StoredItem | undefined {
  const key = item[KEY];
  const rule = RULE_ATTRIBUTES.filter((a) => item[a] !== undefined).map((a) => [a, item[a]!] as const);
  return rule.length > 0 && key ? { [KEY]: key, ...Object.fromEntries(rule) } : undefined;
}

/**
 * Per-symbol rule overrides in alert-rules (the attributes of RULE_ATTRIBUTES), changed only with a condition on the
 * values read, so that two concurrent changes can never combine into a rule neither of them checked. The engine
 * state in the same item is never written (the RuleOverrides port of src/app; the local runtime also uses it to
 * start a session afresh with the rules kept).
 */
export class DynamoRuleStore {
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    /** A plain client, not a document client: the condition compares the attribute values exactly as stored. */
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: RuleStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoffMs = options.backoffMs ?? 50;
  }

  /** Every symbol with an item: its usable override and the engine's window, a page at a time. */
  async symbols(): Promise<{ symbol: string; override?: RuleOverride; problem?: string; window?: SymbolWindow }[]> {
    const symbols: { symbol: string; override?: RuleOverride; problem?: string; window?: SymbolWindow }[] = [];
    for await (const item of this.scan()) {
      const plain = unmarshall(item, UNMARSHALL_OPTIONS);
      const { rule, ruleProblem, window } = recordOf(plain);
      symbols.push({
        symbol: String(plain[KEY]),
        ...(rule && { override: rule }),
        ...(ruleProblem && { problem: ruleProblem }),
        ...(window && { window }),
      });
    }
    return symbols;
  }

  /**
   * Every symbol's stored override as the engine reads it: usable, or refused by the rule's parser with why. Only
   * the rule attributes are read (the engine state stays where it is).
   */
  async overrides(): Promise<Map<string, StoredOverride>> {
    const overrides = new Map<string, StoredOverride>();
    const names = { '#key': KEY, ...NAMES };
    for await (const item of this.scan({ ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names })) {
      const plain = unmarshall(item, UNMARSHALL_OPTIONS);
      const stored = ruleOverrideOf(plain);
      if ((stored.override || stored.problem) && typeof plain[KEY] === 'string') overrides.set(plain[KEY], stored);
    }
    return overrides;
  }

  /**
   * Clear the engine state of every symbol, keeping the overrides: each item is replaced whole by its override, or
   * deleted when it has none, so an interruption at any point leaves every rule in place.
   */
  async keepOnlyOverrides(): Promise<void> {
    for await (const item of this.scan()) {
      const override = overrideItem(item);
      if (override) await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: override }));
      else await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { [KEY]: item[KEY]! } }));
    }
  }

  /** Copy every override, exactly as stored, into another (empty) rules table. */
  async copyOverridesTo(tableName: string): Promise<void> {
    for await (const item of this.scan()) {
      const override = overrideItem(item);
      if (override) await this.client.send(new PutItemCommand({ TableName: tableName, Item: override }));
    }
  }

  /** A strongly consistent read of the symbol's rule attributes. */
  async read(symbol: string): Promise<RuleReading> {
    const { Item = {} } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [KEY]: { S: symbol } },
        ConsistentRead: true,
        ProjectionExpression: Object.keys(NAMES).join(', '),
        ExpressionAttributeNames: NAMES,
      }),
    );
    const stored: StoredRule = Object.fromEntries(RULE_ATTRIBUTES.filter((a) => Item[a] !== undefined).map((a) => [a, Item[a]!]));
    return { ...ruleOverrideOf(Object.fromEntries(Object.entries(stored).map(([a, v]) => [a, plain(v)]))), stored };
  }

  /**
   * Set some of a symbol's rule attributes, decided on the override as it is now: `decide` gets the current override
   * and returns the attributes to set (or throws to refuse). The write succeeds only if no rule attribute changed
   * since the read; otherwise the rule is read again and `decide` asked again, with the new current override.
   */
  async change(symbol: string, decide: (current: StoredOverride) => RuleOverride): Promise<{ override: RuleOverride; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      const { stored, ...current } = await this.read(symbol);
      const { override } = current;
      const set = decide(current);
      if (await this.write(symbol, stored, set)) return { override: { ...override, ...set }, attempts: attempt };
      if (attempt >= this.maxAttempts) {
        throw new ConcurrentRuleChangeError(`the rule of ${symbol} kept changing while it was being set (${attempt} attempts): try again`);
      }
      await sleep(Math.random() * this.backoffMs * 2 ** (attempt - 1));
    }
  }

  /** Remove the symbol's override; false when it had none. The engine state stays. */
  async remove(symbol: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [KEY]: { S: symbol } },
          UpdateExpression: `REMOVE ${Object.keys(NAMES).join(', ')}`,
          ConditionExpression: Object.keys(NAMES)
            .map((name) => `attribute_exists(${name})`)
            .join(' OR '),
          ExpressionAttributeNames: NAMES,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async *scan(input: Partial<ScanCommandInput> = {}): AsyncGenerator<StoredItem> {
    let startKey: StoredItem | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey }));
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** SET the given attributes if every rule attribute still has the value read (or is still absent). */
  private async write(symbol: string, expected: StoredRule, set: RuleOverride): Promise<boolean> {
    const entries = Object.entries(set).filter(([, value]) => value !== undefined) as [RuleAttribute, number | string][];
    if (entries.length === 0) throw new Error('nothing to set');
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [KEY]: { S: symbol } },
          UpdateExpression: `SET ${entries.map(([a]) => `#${a} = :${a}`).join(', ')}`,
          ConditionExpression: RULE_ATTRIBUTES.map((a) => (expected[a] ? `#${a} = :was_${a}` : `attribute_not_exists(#${a})`)).join(' AND '),
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([a, value]) => [`:${a}`, attributeOf(value)])),
            ...Object.fromEntries(RULE_ATTRIBUTES.filter((a) => expected[a]).map((a) => [`:was_${a}`, expected[a]!])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoRuleStore } from '../../src/adapters/aws/rule-store.js';

/**
 * A rule store that, after its first read and before it can write, waits for `meanwhile`: another writer's request,
 * or a barrier that several stores reach together. This is the moment where unconditional writes would combine.
 */
export function storePausedAfterFirstRead(
  client: DynamoDBClient,
  table: string,
  meanwhile: (symbol: string) => Promise<unknown>,
  backoffMs = 1,
): DynamoRuleStore {
  return new (class extends DynamoRuleStore {
    private first = true;
    override async read(symbol: string) {
      const reading = await super.read(symbol);
      if (this.first) {
        this.first = false;
        await meanwhile(symbol);
      }
      return reading;
    }
  })(client, table, { backoffMs });
}

import { Construct } from 'constructs';
import { CloudwatchEventBus } from '@cdktn/provider-aws/lib/cloudwatch-event-bus/index.js';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target/index.js';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission/index.js';
import { DEFAULTS, EVENT_RULES, EVENT_SOURCE, type ResourceNames } from '../resources/index.js';
import type { Encryption } from './encryption.js';
import { EncryptedQueue } from './messaging.js';
import type { PipelineFunction } from './processing.js';

export type EventRuleKey = keyof typeof EVENT_RULES;

export interface EventIngestionProps {
  readonly names: ResourceNames;
  readonly encryption: Encryption;
}

/**
 * Market events from producers: the custom bus, one rule per event family, and market-events-dlq for events that
 * could not be delivered (EventBridge) or processed (Lambda asynchronous invocation).
 */
export class EventIngestion extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly rules: { readonly [K in EventRuleKey]: CloudwatchEventRule };
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: EventIngestionProps) {
    super(scope, id);
    this.deadLetterQueue = new EncryptedQueue(this, 'dlq', {
      name: props.names.marketEventsDlq,
      encryption: props.encryption,
      retentionDays: DEFAULTS.dlqRetentionDays,
    });
    this.bus = new CloudwatchEventBus(this, 'bus', { name: props.names.eventBus });
    const rule = (key: EventRuleKey) =>
      new CloudwatchEventRule(this, key, {
        name: props.names[key],
        eventBusName: this.bus.name,
        eventPattern: JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': EVENT_RULES[key] }),
      });
    this.rules = { tradeEventsRule: rule('tradeEventsRule'), quoteEventsRule: rule('quoteEventsRule') };
  }

  get ruleList(): CloudwatchEventRule[] {
    return Object.values(this.rules);
  }

  /** Targets every rule at the function; events EventBridge cannot deliver after its retries go to the DLQ. */
  routeTo(fn: PipelineFunction): void {
    for (const [key, rule] of Object.entries(this.rules)) {
      new CloudwatchEventTarget(this, `${key}-target`, {
        rule: rule.name,
        eventBusName: this.bus.name,
        targetId: fn.function.functionName,
        arn: fn.arn,
        retryPolicy: { maximumRetryAttempts: DEFAULTS.eventTargetMaxRetries },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      });
      // Lambda, like SQS, authorizes EventBridge by resource policy, per rule.
      new LambdaPermission(this, `${key}-invoke`, {
        statementId: `AllowEventBridge-${key}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.name,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      });
    }
    this.deadLetterQueue.allowServiceToSend(
      'events.amazonaws.com',
      this.ruleList.map((rule) => rule.arn),
    );
  }
}

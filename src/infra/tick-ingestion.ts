import { Construct } from 'constructs';
import { LambdaEventSourceMapping } from '@cdktn/provider-aws/lib/lambda-event-source-mapping/index.js';
import { DEFAULTS, DEPLOYMENT_DEFAULTS, type ResourceNames } from '../resources/index.js';
import type { Encryption } from './encryption.js';
import { EncryptedQueue } from './messaging.js';
import type { PipelineFunction } from './processing.js';

export interface TickIngestionProps {
  readonly names: ResourceNames;
  readonly encryption: Encryption;
}

/** Price ticks from producers: market-data-queue, redriven to market-data-dlq after repeated failures. */
export class TickIngestion extends Construct {
  readonly queue: EncryptedQueue;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: TickIngestionProps) {
    super(scope, id);
    this.deadLetterQueue = new EncryptedQueue(this, 'dlq', {
      name: props.names.marketDataDlq,
      encryption: props.encryption,
      retentionDays: DEFAULTS.dlqRetentionDays,
    });
    this.queue = new EncryptedQueue(this, 'queue', {
      name: props.names.marketDataQueue,
      encryption: props.encryption,
      retentionDays: DEFAULTS.queueRetentionDays,
      // A message stays hidden while its batch waits in the batching window, is processed and is retried after
      // throttling: AWS advises at least six times the function timeout plus the batching window.
      visibilityTimeoutSeconds:
        DEFAULTS.visibilityTimeoutMultiplier * DEFAULTS.dataProcessor.timeoutSeconds + DEPLOYMENT_DEFAULTS.batchingWindowSeconds,
      deadLetter: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULTS.maxReceiveCount },
    });
  }

  /** Polls the queue into the function in batches, retrying only the messages the function reports as failed. */
  deliverTo(fn: PipelineFunction, reservedConcurrency: number): LambdaEventSourceMapping {
    this.queue.grantConsumeMessages(fn.role);
    return new LambdaEventSourceMapping(this, 'mapping', {
      eventSourceArn: this.queue.arn,
      functionName: fn.arn,
      batchSize: DEFAULTS.batchSize,
      maximumBatchingWindowInSeconds: DEPLOYMENT_DEFAULTS.batchingWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // Never poll more batches than the function may run at once: throttled receives would count towards the DLQ.
      scalingConfig: { maximumConcurrency: reservedConcurrency },
      // CreateEventSourceMapping fails unless the role can already receive from the queue.
      dependsOn: [fn.role.policy],
    });
  }
}

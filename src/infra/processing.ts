import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group/index.js';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function/index.js';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config/index.js';
import { DEFAULTS, DEPLOYMENT_DEFAULTS, ENV, LAMBDA_BUNDLES, LAMBDA_HANDLER, type AlertRule, type ResourceNames } from '../resources/index.js';
import { lambdaBundle } from './bundle.js';
import type { Encryption } from './encryption.js';
import { grantTracing, grantWriteLogs } from './grants.js';
import { ExecutionRole } from './iam.js';
import type { EncryptedQueue } from './messaging.js';
import type { Notifications } from './notifications.js';
import type { Storage } from './storage.js';

export interface PipelineFunctionProps {
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly bundleDir: string;
  readonly bundleRoot?: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly encryption: Encryption;
  /** Where Lambda sends asynchronous invocations that still fail after its retries. */
  readonly deadLetterQueue?: EncryptedQueue;
}

/** One Lambda function with its own execution role and its own encrypted log group, created before it. */
export class PipelineFunction extends Construct {
  readonly role: ExecutionRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.role = new ExecutionRole(this, 'execution', props.roleName);
    // Created by the stack rather than by Lambda on first write, so that it has retention and the key.
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: DEFAULTS.logRetentionDays,
      kmsKeyId: props.encryption.arn,
    });
    grantWriteLogs(this.role, this.logGroup);
    grantTracing(this.role);
    props.deadLetterQueue?.grantSendMessages(this.role);

    const bundle = lambdaBundle(this, 'bundle', props.bundleDir, props.bundleRoot);
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: this.role.arn,
      filename: bundle.path,
      sourceCodeHash: bundle.assetHash,
      handler: LAMBDA_HANDLER,
      runtime: DEFAULTS.lambdaRuntime,
      architectures: [DEFAULTS.lambdaArchitecture],
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.encryption.arn,
      environment: { variables: { ...props.environment } },
      deadLetterConfig: props.deadLetterQueue ? { targetArn: props.deadLetterQueue.arn } : undefined,
      // Lambda samples invocations into X-Ray even without an upstream trace header; the Tracer adds each AWS call.
      tracingConfig: { mode: 'Active' },
      // Lambda checks the role can reach the DLQ and write traces when the function is created; logs must not go to
      // an auto-created group.
      dependsOn: [this.logGroup, this.role.policy],
    });
  }

  get name(): string {
    return this.function.functionName;
  }
  get arn(): string {
    return this.function.arn;
  }
}

export interface ProcessingProps {
  readonly environmentSuffix: string;
  readonly names: ResourceNames;
  readonly encryption: Encryption;
  readonly storage: Storage;
  readonly notifications: Notifications;
  /** The default alert rule the functions apply to symbols without their own rule in alert-rules. */
  readonly alerting: AlertRule;
  /**
   * market-events-dlq: market-processor sends invalid events there itself (a retry cannot make them valid), and
   * Lambda sends the asynchronous invocations that still fail after its retries.
   */
  readonly marketEventsDlq: EncryptedQueue;
  readonly bundleRoot?: string;
}

/** The two functions: data-processor (SQS ticks) and market-processor (EventBridge events), both feeding alerts. */
export class Processing extends Construct {
  readonly dataProcessor: PipelineFunction;
  readonly marketProcessor: PipelineFunction;

  constructor(scope: Construct, id: string, props: ProcessingProps) {
    super(scope, id);
    const { names, storage, notifications } = props;
    const alertingEnvironment = {
      [ENV.environment]: props.environmentSuffix,
      [ENV.alertsTable]: storage.tables.alerts.name,
      [ENV.alertRulesTable]: storage.tables.alertRules.name,
      [ENV.tradingAlertsTopicArn]: notifications.tradingAlerts.arn,
      [ENV.thresholdAbove]: String(props.alerting.above),
      [ENV.thresholdBelow]: String(props.alerting.below),
      [ENV.triggerMode]: props.alerting.mode,
      ...(props.alerting.rearm && { [ENV.rearm]: String(props.alerting.rearm) }),
    };

    this.dataProcessor = new PipelineFunction(this, 'data-processor', {
      functionName: names.dataProcessor,
      roleName: names.dataProcessorRole,
      logGroupName: names.dataProcessorLogGroup,
      bundleDir: LAMBDA_BUNDLES.dataProcessor,
      bundleRoot: props.bundleRoot,
      memoryMb: DEFAULTS.dataProcessor.memoryMb,
      timeoutSeconds: DEFAULTS.dataProcessor.timeoutSeconds,
      reservedConcurrency: DEFAULTS.dataProcessor.reservedConcurrency,
      environment: alertingEnvironment,
      encryption: props.encryption,
    });

    this.marketProcessor = new PipelineFunction(this, 'market-processor', {
      functionName: names.marketProcessor,
      roleName: names.marketProcessorRole,
      logGroupName: names.marketProcessorLogGroup,
      bundleDir: LAMBDA_BUNDLES.marketProcessor,
      bundleRoot: props.bundleRoot,
      memoryMb: DEFAULTS.marketProcessor.memoryMb,
      timeoutSeconds: DEFAULTS.marketProcessor.timeoutSeconds,
      environment: {
        ...alertingEnvironment,
        [ENV.marketDataTable]: storage.tables.marketData.name,
        [ENV.auditTrailTable]: storage.tables.auditTrail.name,
        [ENV.marketDataTtlDays]: String(DEFAULTS.marketDataTtlDays),
        [ENV.marketEventsDlqUrl]: props.marketEventsDlq.url,
      },
      encryption: props.encryption,
      deadLetterQueue: props.marketEventsDlq,
    });
    // Only transient failures reach these retries: the handler sends invalid events to the DLQ and returns.
    new LambdaFunctionEventInvokeConfig(this, 'market-processor-async', {
      functionName: this.marketProcessor.name,
      maximumRetryAttempts: DEPLOYMENT_DEFAULTS.asyncInvokeMaxRetries,
    });
    // SendMessage of invalid events by the handler: the same grant the DLQ configuration needs, so one statement.
    props.marketEventsDlq.grantSendMessages(this.marketProcessor.role);

    // Both functions run the alert engine: rules and zone state in alert-rules (read per batch, reread after a lost
    // race, updated), alerts in market-alerts (written, and looked up to forget pending alerts that were delivered), SNS.
    for (const fn of [this.dataProcessor, this.marketProcessor]) {
      storage.tables.alertRules.grantItemActions(fn.role, ['BatchGetItem', 'UpdateItem']);
      storage.tables.alerts.grantItemActions(fn.role, ['BatchGetItem', 'BatchWriteItem']);
      notifications.tradingAlerts.grantPublish(fn.role);
    }
    storage.tables.marketData.grantItemActions(this.marketProcessor.role, ['PutItem']);
    storage.tables.auditTrail.grantItemActions(this.marketProcessor.role, ['PutItem']);
  }
}

/**
 * Lambda's part in a moto deployment, which cannot run functions without Docker: the deployed functions' bundles run
 * in this process with the configuration moto holds for them (environment, timeout, handler), fed the way Lambda
 * would feed them:
 *
 * - each SQS event source mapping is polled as Lambda polls it (its batch size and batching window; with
 *   ReportBatchItemFailures the succeeded messages are deleted and the failed ones left, so the queue's redrive
 *   policy moves them to the dead-letter queue after its maxReceiveCount);
 * - each EventBridge delivery queue is read as Lambda's asynchronous invocation would be: the event is retried up to
 *   the function's MaximumRetryAttempts, then sent to the function's dead-letter queue.
 *
 * Deployed, a failed message waits for the queue's visibility timeout (minutes) and an async retry a minute or two;
 * here both come back after `retryDelaySeconds`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MOTO_CREDENTIALS, type EventDelivery } from './terraform-files.js';

/** A deployed function and the bundle it was deployed from. */
export interface DeployedFunction {
  readonly functionName: string;
  /** The folder the bundle was built in (dist/lambda/<name>), whose handler file runs here. */
  readonly bundleDir: string;
  /** The archive Terraform uploaded: its SHA-256 must be the function's CodeSha256. */
  readonly archive: string;
  /** The function's dead-letter queue ARN, as the stack declares it (moto does not report DeadLetterConfig). */
  readonly deadLetterArn?: string;
}

export interface Invocation {
  readonly functionName: string;
  readonly source: 'sqs' | 'eventbridge';
  /** Message ids of the batch, or the event id. */
  readonly ids: readonly string[];
  /** The ids the function reported as failed, or all of them when it threw. */
  readonly failed: readonly string[];
  readonly error?: string;
  /** For an event: sent to the function's dead-letter queue after its last retry. */
  readonly deadLettered?: boolean;
}

export interface FunctionRunnerOptions {
  /** moto_server's endpoint (loopback only). */
  readonly endpoint: string;
  readonly region: string;
  readonly functions: readonly DeployedFunction[];
  readonly deliveries: readonly EventDelivery[];
  /** How soon a failed message or event is tried again (deployed: the visibility timeout, Lambda's retry delays). */
  readonly retryDelaySeconds?: number;
  readonly onInvocation?: (invocation: Invocation) => void;
  /** A poll or delete that failed (moto went away): reported, and the loop goes on. */
  readonly onError?: (error: Error) => void;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

interface Loaded {
  readonly config: FunctionConfiguration;
  readonly handler: Handler;
  readonly deadLetterArn?: string;
  readonly maxRetries: number;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/**
 * AWS settings the handlers' SDK clients read: moto's endpoint, the region, fake credentials, and none of this
 * machine's (a service's own AWS_ENDPOINT_URL_<SERVICE>, a profile or its files would send requests elsewhere).
 */
const sdkEnvironment = (endpoint: string, region: string): Record<string, string | undefined> => ({
  ...Object.fromEntries(Object.keys(process.env).flatMap((key) => (key.startsWith('AWS_') ? [[key, undefined]] : []))),
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: region,
  AWS_DEFAULT_REGION: region,
  AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
});

export class FunctionRunner {
  private stopped = false;
  private loops: Promise<void>[] = [];
  /** Invocations run one at a time: the handlers read their configuration from process.env. */
  private invoking: Promise<unknown> = Promise.resolve();
  private savedEnv: Record<string, string | undefined> = {};
  private readonly sqs: SQSClient;
  private readonly lambda: LambdaClient;
  private readonly loaded = new Map<string, Loaded>();

  private constructor(private readonly options: FunctionRunnerOptions) {
    const client = { region: options.region, endpoint: options.endpoint, credentials: MOTO_CREDENTIALS };
    this.sqs = new SQSClient(client);
    this.lambda = new LambdaClient(client);
  }

  /** Load every function's configuration and bundle, then start polling its sources. */
  static async start(options: FunctionRunnerOptions): Promise<FunctionRunner> {
    if (!LOOPBACK.test(options.endpoint)) throw new Error(`the function runner only talks to moto on this machine, not ${options.endpoint}`);
    const runner = new FunctionRunner(options);
    try {
      runner.setEnvironment(sdkEnvironment(options.endpoint, options.region));
      for (const fn of options.functions) runner.loaded.set(fn.functionName, await runner.load(fn));
      await runner.startMappings();
      await runner.startDeliveries();
    } catch (error) {
      await runner.stop();
      throw error;
    }
    return runner;
  }

  /** Stop polling, wait for the invocation in progress, put the environment back. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
    await this.invoking.catch(() => undefined);
    for (const [key, value] of Object.entries(this.savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    this.savedEnv = {};
    this.sqs.destroy();
    this.lambda.destroy();
  }

  private setEnvironment(values: Record<string, string | undefined>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in this.savedEnv)) this.savedEnv[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  private async load(fn: DeployedFunction): Promise<Loaded> {
    const { Configuration: config } = await this.lambda.send(new GetFunctionCommand({ FunctionName: fn.functionName }));
    if (!config) throw new Error(`moto has no configuration for ${fn.functionName}`);
    const sha = createHash('sha256').update(readFileSync(fn.archive)).digest('base64');
    if (config.CodeSha256 !== sha) {
      throw new Error(`${fn.functionName} runs code ${config.CodeSha256}, not the synthesized archive ${fn.archive} (${sha}): deploy again`);
    }
    const [file, exported] = splitHandler(config.Handler ?? '');
    // A query of its own gives each runner a cold start: the bundle's module state is not shared with an earlier one.
    const module = (await import(`${pathToFileURL(join(fn.bundleDir, `${file}.mjs`)).href}?runner=${randomUUID()}`)) as Record<string, unknown>;
    const handler = module[exported];
    if (typeof handler !== 'function') throw new Error(`${fn.bundleDir}/${file}.mjs exports no ${exported} (${fn.functionName}'s handler)`);
    const invokeConfig = await this.lambda
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn.functionName }))
      .catch((error: Error) => (error.name === 'ResourceNotFoundException' ? undefined : Promise.reject(error)));
    const deadLetterArn = config.DeadLetterConfig?.TargetArn ?? fn.deadLetterArn;
    return {
      config,
      handler: handler as Handler,
      maxRetries: invokeConfig?.MaximumRetryAttempts ?? 2,
      ...(deadLetterArn && { deadLetterArn }),
    };
  }

  /** Invoke a function as Lambda would: its variables, its timeout, one invocation at a time. */
  private invoke(functionName: string, event: unknown): Promise<unknown> {
    const fn = this.loaded.get(functionName);
    if (!fn) return Promise.reject(new Error(`no deployed function ${functionName} is loaded`));
    const run = async () => {
      this.setEnvironment(fn.config.Environment?.Variables ?? {});
      const timeoutMs = (fn.config.Timeout ?? 3) * 1000;
      const deadline = Date.now() + timeoutMs;
      const context = lambdaContext(fn.config, () => deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)), timeoutMs);
      });
      try {
        return await Promise.race([fn.handler(event, context), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    };
    const result = this.invoking.then(run, run);
    this.invoking = result.catch(() => undefined);
    return result;
  }

  private async startMappings(): Promise<void> {
    const { EventSourceMappings: all = [] } = await this.lambda.send(new ListEventSourceMappingsCommand({}));
    for (const mapping of all) {
      const functionName = mapping.FunctionArn?.split(':').at(-1);
      if (!functionName || !this.loaded.has(functionName) || !mapping.EventSourceArn?.startsWith('arn:aws:sqs:')) continue;
      const queueArn = mapping.EventSourceArn;
      const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueArn.split(':').at(-1) }));
      this.loops.push(
        this.loop(() =>
          this.pollMapping({
            functionName,
            queueArn,
            queueUrl: QueueUrl!,
            batchSize: mapping.BatchSize ?? 10,
            windowMs: (mapping.MaximumBatchingWindowInSeconds ?? 0) * 1000,
            reportsItemFailures: mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
          }),
        ),
      );
    }
  }

  private async startDeliveries(): Promise<void> {
    for (const queueName of new Set(this.options.deliveries.map((d) => d.queueName))) {
      const delivery = this.options.deliveries.find((d) => d.queueName === queueName)!;
      if (!this.loaded.has(delivery.functionName)) continue;
      const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      this.loops.push(this.loop(() => this.pollDeliveries(delivery.functionName, QueueUrl!)));
    }
  }

  private async loop(poll: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        await poll();
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** The visibility a received message gets: the function's timeout, so that it never reappears while it runs. */
  private hiddenFor(functionName: string): number {
    return this.loaded.get(functionName)?.config.Timeout ?? 30;
  }

  private receive(queueUrl: string, max: number, waitSeconds: number, functionName: string): Promise<Message[]> {
    return this.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: this.hiddenFor(functionName),
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      )
      .then((r) => r.Messages ?? []);
  }

  /** One batch of an SQS event source mapping: gathered up to the batch size within the batching window. */
  private async pollMapping(m: {
    functionName: string;
    queueArn: string;
    queueUrl: string;
    batchSize: number;
    windowMs: number;
    reportsItemFailures: boolean;
  }): Promise<void> {
    const messages = await this.receive(m.queueUrl, m.batchSize, 1, m.functionName);
    if (messages.length === 0) return;
    const closes = Date.now() + m.windowMs;
    while (messages.length < m.batchSize && Date.now() < closes && !this.stopped) {
      const more = await this.receive(m.queueUrl, m.batchSize - messages.length, 0, m.functionName);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      messages.push(...more);
    }
    const event: SQSEvent = { Records: messages.map((message) => sqsRecord(message, m.queueArn, this.options.region)) };
    const ids = messages.map((message) => message.MessageId!);
    let failed: string[];
    let error: string | undefined;
    try {
      const response = (await this.invoke(m.functionName, event)) as SQSBatchResponse | undefined;
      failed = m.reportsItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [];
      // Lambda fails the whole batch when a reported identifier is empty or not in it.
      if (failed.some((id) => !ids.includes(id))) failed = ids;
    } catch (thrown) {
      failed = ids;
      error = (thrown as Error).message;
    }
    const done = messages.filter((message) => !failed.includes(message.MessageId!));
    await this.deleteAll(m.queueUrl, done);
    await this.retrySoon(
      m.queueUrl,
      messages.filter((message) => failed.includes(message.MessageId!)),
    );
    this.options.onInvocation?.({ functionName: m.functionName, source: 'sqs', ids, failed, ...(error && { error }) });
  }

  /** Events EventBridge delivered for a function: each invoked as an asynchronous invocation. */
  private async pollDeliveries(functionName: string, queueUrl: string): Promise<void> {
    const fn = this.loaded.get(functionName)!;
    for (const message of await this.receive(queueUrl, 10, 1, functionName)) {
      const event = JSON.parse(message.Body ?? '{}') as { id?: string };
      const ids = [event.id ?? message.MessageId!];
      try {
        await this.invoke(functionName, event);
        await this.deleteAll(queueUrl, [message]);
        this.options.onInvocation?.({ functionName, source: 'eventbridge', ids, failed: [] });
      } catch (thrown) {
        const error = (thrown as Error).message;
        // The first attempt and MaximumRetryAttempts retries; then the function's dead-letter queue, as Lambda does.
        const attempts = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
        const last = attempts > fn.maxRetries;
        if (last && fn.deadLetterArn) {
          await this.deadLetter(fn.deadLetterArn, message.Body ?? '', error);
          await this.deleteAll(queueUrl, [message]);
        } else if (last) {
          await this.deleteAll(queueUrl, [message]);
        } else {
          await this.retrySoon(queueUrl, [message]);
        }
        this.options.onInvocation?.({ functionName, source: 'eventbridge', ids, failed: ids, error, deadLettered: last && !!fn.deadLetterArn });
      }
    }
  }

  /** What Lambda sends to a function's dead-letter queue: the event, with the request id and the error. */
  private async deadLetter(queueArn: string, body: string, error: string): Promise<void> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueArn.split(':').at(-1) }));
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: body,
        MessageAttributes: {
          RequestID: { DataType: 'String', StringValue: randomUUID() },
          ErrorCode: { DataType: 'String', StringValue: '200' },
          ErrorMessage: { DataType: 'String', StringValue: error.slice(0, 1000) },
        },
      }),
    );
  }

  private async deleteAll(queueUrl: string, messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const part = messages.slice(i, i + 10);
      const { Failed = [] } = await this.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: part.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })) }),
      );
      if (Failed.length > 0) throw new Error(`could not delete ${Failed.length} processed message(s) from ${queueUrl}: ${Failed[0]?.Message}`);
    }
  }

  /** Failed messages come back after the retry delay instead of the function's timeout. */
  private async retrySoon(queueUrl: string, messages: readonly Message[]): Promise<void> {
    const delay = this.options.retryDelaySeconds ?? 1;
    for (let i = 0; i < messages.length; i += 10) {
      const part = messages.slice(i, i + 10);
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: part.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: delay })),
        }),
      );
    }
  }
}

function splitHandler(handler: string): [file: string, exported: string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${handler}" is not <file>.<export>`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** The record Lambda builds from a received SQS message. */
function sqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
          ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function lambdaContext(config: FunctionConfiguration, remaining: () => number): Context {
  const name = config.FunctionName ?? 'function';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: config.Version ?? '$LATEST',
    invokedFunctionArn: config.FunctionArn ?? '',
    memoryLimitInMB: String(config.MemorySize ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'function-runner',
    getRemainingTimeInMillis: () => Math.max(0, remaining()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

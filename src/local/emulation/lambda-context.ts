import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface FunctionSettings {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly region: string;
  readonly logGroupName: string;
}

/** A Lambda invocation context whose remaining time counts down from the function's configured timeout. */
export function lambdaContext(settings: FunctionSettings, clock: () => number = Date.now): Context {
  const deadline = clock() + settings.timeoutSeconds * 1000;
  const unsupported = (): never => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:000000000000:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: settings.logGroupName,
    logStreamName: `local/${settings.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

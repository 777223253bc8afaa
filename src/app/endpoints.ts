import { connect } from 'node:net';
import { isCredentialError } from './errors.js';
import { UserError } from '../shared/user-error.js';

/** The services the CLI calls, with the suffix of their AWS_ENDPOINT_URL_<SERVICE> variable. */
export type Service = 'DynamoDB' | 'SQS' | 'EventBridge' | 'Lambda';
const ENV_SUFFIX: Readonly<Record<Service, string>> = { DynamoDB: 'DYNAMODB', SQS: 'SQS', EventBridge: 'EVENTBRIDGE', Lambda: 'LAMBDA' };

/** An AWS region name, as it goes into a host name: anything else could point a request elsewhere. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const isLoopback = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
};

/** The hosts of AWS's SQS endpoints (regional, legacy and China partitions). */
const AWS_SQS_HOST = /^(sqs(-fips)?\.[a-z0-9-]+|[a-z0-9-]+\.queue|queue)\.amazonaws\.com(\.cn)?$/;

export function checkRegion(region: string, source: string): string {
  if (!REGION.test(region)) throw new UserError(`${source}: "${region}" is not an AWS region name (like us-east-1)`);
  return region;
}

/**
 * An endpoint the user named (--endpoint, AWS_ENDPOINT_URL*, --queue-url): requests are signed, and over plain HTTP
 * anyone on the way could read the session token and replay them, so HTTP is allowed to this machine only.
 */
export function checkEndpoint(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${source}: "${value}" is not a URL (like https://host:port or http://127.0.0.1:4566)`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new UserError(`${source}: plain HTTP is only for this machine (localhost, 127.0.0.1, [::1]); use https:// for ${url.host}`);
  }
  throw new UserError(`${source}: "${value}" must be an http:// or https:// URL`);
}

/** The endpoint a service is called at, when it is not AWS's own: --endpoint, else the SDK's environment variables. */
export function endpointOf(service: Service, explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit ?? env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`] ?? env.AWS_ENDPOINT_URL;
}

/** Check the endpoint variables of the standard SDK configuration by the same rule as --endpoint. */
export function checkEnvironmentEndpoints(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ['AWS_ENDPOINT_URL', ...Object.values(ENV_SUFFIX).map((s) => `AWS_ENDPOINT_URL_${s}`)]) {
    const value = env[name];
    if (value) checkEndpoint(value, name);
  }
}

/**
 * A queue URL taken from an outputs file: SQS sends requests (credentials and all) to the host it names, so it must
 * be an AWS SQS endpoint over HTTPS, unless it is on the endpoint the user named with --endpoint.
 */
export function checkQueueUrl(value: string, source: string, endpoint?: string): string {
  const url = checkEndpoint(value, source);
  if (endpoint && url.origin === new URL(endpoint).origin) return value;
  if (url.protocol !== 'https:' || !AWS_SQS_HOST.test(url.hostname)) {
    throw new UserError(
      `${source}: ${url.origin} is not an AWS SQS endpoint (https://sqs.<region>.amazonaws.com); ` + 'to use another server, name it with --endpoint',
    );
  }
  return value;
}

/** Whether a TCP connection to the endpoint's host and port opens within the time limit. */
export function reachable(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  const url = new URL(endpoint);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Raised instead of a credentials error when the endpoint could not have answered anyway. */
class EndpointUnreachableError extends UserError {
  constructor(service: Service, endpoint: string) {
    super(
      `cannot reach ${service} at ${endpoint} (no connection): check the endpoint (--endpoint, AWS_ENDPOINT_URL, ` +
        'AWS_ENDPOINT_URL_<SERVICE>) and that the server is running',
    );
  }
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

/**
 * The SDK looks for credentials before it connects, so a server that is down shows up as "no credentials". For a
 * client with an endpoint of the user's, a credentials failure is checked against the endpoint first: a closed port
 * is reported as one, and a credentials error only when the server is there.
 */
export function tellConnectionFromCredentials(client: MiddlewareClient, service: Service, endpoint: string | undefined): void {
  if (!endpoint) return;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (isCredentialError(error) && !(await reachable(endpoint))) throw new EndpointUnreachableError(service, endpoint);
        throw error;
      }
    },
    { step: 'initialize', name: 'tellConnectionFromCredentials' },
  );
}

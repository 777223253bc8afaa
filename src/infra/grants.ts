/**
 * Grants a function's role needs for itself rather than for a resource of the stack's: traces and its own logs.
 * Grants on the stack's queues, topics and tables are methods of those constructs, key access included.
 */
import type { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group/index.js';
import type { ExecutionRole } from './iam.js';

/**
 * What a function with active tracing needs to send its trace segments and the X-Ray telemetry. X-Ray defines no
 * resource type for these actions, so IAM accepts them on "*" only: the one wildcard resource a role is given.
 * Lambda checks the role for xray:PutTraceSegments when it creates or updates a function with active tracing.
 */
const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export function grantTracing(role: ExecutionRole): void {
  role.allow(TRACING_ACTIONS, ['*'], 'XRayWriteTraces');
}

/** Writing to the function's own log group; the stack creates the group, so no logs:CreateLogGroup. */
export function grantWriteLogs(role: ExecutionRole, logGroup: CloudwatchLogGroup): void {
  role.allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logGroup.arn}:*`]);
}

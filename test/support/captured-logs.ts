import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, vi } from 'vitest';
import type { Observability } from '../../src/handlers/observability.js';
import { DEFAULTS } from '../../src/resources/index.js';

/**
 * Structured log lines and EMF metric lines a handler writes, captured in the test: Powertools in dev mode writes
 * one line per call through the global console. Call in a describe block.
 */
export function capturedLogs() {
  const output: string[] = [];
  beforeEach(() => {
    output.length = 0;
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((line: unknown) => void output.push(String(line)));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const lines = () => output.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    observability: (serviceName: string): Observability => ({
      logger: new Logger({ serviceName, logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: DEFAULTS.metricsNamespace, serviceName }),
    }),
    lines,
    logs: (message: string) => lines().filter((l) => l.message === message),
    metrics: () => lines().filter((l) => '_aws' in l),
  };
}

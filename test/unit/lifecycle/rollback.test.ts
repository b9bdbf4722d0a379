/**
 * Issue 16 item 4: start is all or nothing. A start forced to fail after the Prometheus endpoint is listening and
 * the Sentry client is up (a `spanProcessors` option that throws when the bridge reads it) closes both: the port
 * is free again, the Sentry client is off, no signal or error hook is left, and the handle says telemetry is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Sentry from '@sentry/node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { startIngest, type IngestServer } from '../../../src/ingest/index.js';
import { shutdownBridge, startBridge } from '../../../instrumentation/bridge.js';
import { freePort, portIsFree } from '../../helpers/ports.js';

let ingest: IngestServer;
beforeAll(async () => {
  ingest = await startIngest({ waterfall: false });
});
afterAll(async () => {
  await shutdownBridge();
  await ingest.close();
});

const failing = {
  [Symbol.iterator]() {
    throw new Error('forced start failure');
  },
} as unknown as SpanProcessor[];

describe('a failed start is rolled back', () => {
  it('frees the metrics port, closes the Sentry client and leaves no process hook', async () => {
    const port = await freePort();
    // Not 'beforeExit': Sentry's ProcessSession integration adds an anonymous one that no API removes (harmless
    // once the client is closed: it only ends a session nobody sends).
    const events = ['SIGTERM', 'SIGINT', 'uncaughtExceptionMonitor', 'uncaughtException', 'unhandledRejection'];
    const listeners = () => events.map((event) => process.listenerCount(event));
    const before = listeners();
    const handle = await startBridge({
      env: {
        SENTRY_DSN: ingest.dsn,
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        AGENT_BRIDGE_QUIET: 'true',
      },
      spanProcessors: failing,
    });
    expect(handle.metricsUrl).toBeUndefined();
    expect(await portIsFree(port)).toBe(true);
    expect(Sentry.isEnabled()).toBe(false);
    expect(listeners()).toEqual(before);
  });
});

/**
 * Issue 16 item 4: start is all or nothing. A start forced to fail after the Prometheus endpoint is listening (checked
 * at the moment of failure) and the Sentry client is being loaded (a `spanProcessors` option that throws when the
 * bridge reads it) closes both: the port is free again, the Sentry client is off, no signal or error hook is left,
 * and the handle says telemetry is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
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

/**
 * Whether something accepts connections on the port, asked synchronously from a child process: the kernel completes
 * the handshake for a listening socket while this process's event loop is blocked.
 */
function acceptsConnections(port: number): boolean {
  const probe = `require('node:net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 20_000 }).status === 0;
}

/** Whether the metrics port accepted connections at the moment the start failed (the failure came after it opened). */
let listeningAtFailure: boolean | undefined;
let metricsPort = 0;
const failing = {
  [Symbol.iterator]() {
    listeningAtFailure = acceptsConnections(metricsPort);
    throw new Error('forced start failure');
  },
} as unknown as SpanProcessor[];

describe('a failed start is rolled back', () => {
  it('frees the metrics port, closes the Sentry client and leaves no process hook', async () => {
    const port = await freePort();
    metricsPort = port;
    // Not 'beforeExit': Sentry's ProcessSession integration adds an anonymous one that no API removes (harmless
    // once the client is closed: it only ends a session nobody sends).
    const events = ['SIGTERM', 'SIGINT', 'uncaughtExceptionMonitor', 'uncaughtException', 'unhandledRejection'];
    const listeners = () => events.map((event) => process.listenerCount(event));
    const before = listeners();
    const beforeExitListeners = process.listenerCount('beforeExit');
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
    // the start failed while the metrics endpoint was listening, and it listens no more
    expect(listeningAtFailure).toBe(true);
    expect(acceptsConnections(port)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    // the client was created before the start returned (the rollback waits for the background load: ProcessSession's
    // 'beforeExit' listener is the trace of Sentry.init) and is closed again
    expect(process.listenerCount('beforeExit')).toBeGreaterThan(beforeExitListeners);
    expect(Sentry.isEnabled()).toBe(false);
    expect(Sentry.getClient()).toBeUndefined();
    expect(listeners()).toEqual(before);
  });
});

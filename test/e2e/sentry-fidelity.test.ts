/**
 * What the bridge sends to Sentry, asserted on the wire against a plain recording server (no ingest rules in
 * between): collector settings stay away from Sentry, every error envelope carries its trace's DSC, and the same
 * bug in three traces is three events, each linked to its trace.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { recordedEvents, startRecordingServer, type RecordingServer } from '../helpers/recording-sentry.js';
import { waitUntil } from '../helpers/wait.js';

let sentry: RecordingServer;

beforeAll(async () => {
  assertBuilt();
  sentry = await startRecordingServer();
});
afterEach(async () => {
  await stopAll();
  sentry.requests.length = 0;
});
afterAll(async () => {
  await sentry.close();
});

const COLLECTOR_PATH = '/collector/v1/traces';

async function startAgentB(extra: Record<string, string> = {}) {
  const b = startNode([`${ROOT}test/fixtures/apps/agent-b.mjs`], {
    env: cleanEnv({
      SENTRY_DSN: sentry.dsn,
      SENTRY_ENVIRONMENT: 'e2e',
      SENTRY_RELEASE: 'agent-b@2.0.0',
      OTEL_SERVICE_NAME: 'agent-b',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...extra,
    }),
  });
  const [, port] = await b.waitFor(/READY (\d+)/);
  return { b, url: `http://127.0.0.1:${port}` };
}

describe('what reaches Sentry', () => {
  it('collector headers and compression reach the collector only; Sentry gets its own auth alone', async () => {
    const { b, url } = await startAgentB({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic dXNlcjpwYXNz,x-collector-token=secret',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces-only=1',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sentry.url}${COLLECTOR_PATH}`,
    });
    expect((await fetch(`${url}/ok`)).status).toBe(200);
    expect((await fetch(`${url}/users/12345/orders?page=2`)).status).toBe(404);
    await b.stop();

    const toSentry = sentry.requests.filter((r) => r.path.includes('/integration/otlp/v1/traces'));
    const toCollector = sentry.requests.filter((r) => r.path === COLLECTOR_PATH);
    expect(toSentry.length).toBeGreaterThan(0);
    expect(toCollector.length).toBeGreaterThan(0);
    for (const request of toSentry) {
      expect(request.headers['x-sentry-auth']).toMatch(/sentry_key=/);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['x-collector-token']).toBeUndefined();
      expect(request.headers['x-traces-only']).toBeUndefined();
      expect(request.headers['content-encoding']).toBeUndefined();
      // Relay reads release/environment from span attributes only (protobuf strings are plain UTF-8 on the wire)
      expect(request.body.includes('sentry.release')).toBe(true);
      expect(request.body.includes('sentry.environment')).toBe(true);
    }
    // A plain node:http agent's entry points are named by method and path (ids as `*`), not all just `GET`
    const spans = Buffer.concat(toSentry.map((r) => r.body));
    expect(spans.includes('GET /ok')).toBe(true);
    expect(spans.includes('GET /users/*/orders')).toBe(true);
    // …while the collector still gets every setting meant for it
    for (const request of toCollector) {
      expect(request.headers.authorization).toBe('Basic dXNlcjpwYXNz');
      expect(request.headers['x-collector-token']).toBe('secret');
      expect(request.headers['x-traces-only']).toBe('1');
      expect(request.headers['content-encoding']).toBe('gzip');
    }
  });

  it('the same bug in 3 traces → 3 events, each linked to its trace and carrying that trace’s DSC', async () => {
    const { b, url } = await startAgentB({ SENTRY_TRACES_SAMPLE_RATE: '1' });
    // Trace 1 arrives with a DSC from an upstream head; traces 2 and 3 start here.
    const incomingTrace = randomBytes(16).toString('hex');
    const incomingDsc = `sentry-trace_id=${incomingTrace},sentry-public_key=upstreamkey,sentry-sample_rate=0.5,sentry-sampled=true,sentry-sample_rand=0.25`;
    const first = await fetch(`${url}/fail`, {
      headers: { traceparent: `00-${incomingTrace}-${randomBytes(8).toString('hex')}-01`, baggage: incomingDsc },
    });
    expect(first.status).toBe(500);
    expect((await fetch(`${url}/fail`)).status).toBe(500);
    expect((await fetch(`${url}/fail`)).status).toBe(500);
    await waitUntil(() => recordedEvents(sentry.requests).length >= 3);
    await b.stop();

    const events = recordedEvents(sentry.requests);
    expect(events).toHaveLength(3);
    const traceIds = events.map((e) => e.event.contexts?.trace?.trace_id);
    expect(new Set(traceIds).size).toBe(3);
    expect(traceIds).toContain(incomingTrace);
    for (const { header, event } of events) {
      const dsc = header.trace as Record<string, string> | undefined;
      expect(dsc, 'envelope trace header').toBeDefined();
      expect(dsc!.trace_id).toBe(event.contexts!.trace!.trace_id);
      if (dsc!.trace_id === incomingTrace) {
        // continued trace: the upstream DSC, unchanged
        expect(dsc).toMatchObject({ public_key: 'upstreamkey', sample_rate: '0.5', sampled: 'true', sample_rand: '0.25' });
      } else {
        // this process is the head: its own DSC
        expect(dsc).toMatchObject({ environment: 'e2e', release: 'agent-b@2.0.0', sampled: 'true' });
        expect(dsc!.public_key).toBe(sentry.dsn.slice('http://'.length, sentry.dsn.indexOf('@')));
      }
      expect(event.exception).toBeDefined();
    }
  });

  it('a bug recorded on its span and then escaping as uncaught is still one event, linked to its trace', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/bug-escapes.mjs`], {
      env: cleanEnv({ SENTRY_DSN: sentry.dsn, OTEL_SERVICE_NAME: 'crasher', OTEL_BSP_SCHEDULE_DELAY: '100' }),
    });
    const [, traceId] = await app.waitFor(/TRACE ([0-9a-f]{32})/);
    expect((await app.exited).code).toBe(1);
    const events = recordedEvents(sentry.requests);
    expect(events).toHaveLength(1);
    expect(events[0]!.event.contexts?.trace?.trace_id).toBe(traceId);
    expect((events[0]!.header.trace as Record<string, string>).trace_id).toBe(traceId);
  });
});

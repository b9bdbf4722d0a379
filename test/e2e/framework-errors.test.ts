/**
 * Issue 23 item 3 acceptance: for Express, Fastify, Koa and Hono (the real frameworks, real loopback HTTP, under
 * the built preload, reporting to the local ingest), a route that throws into the framework's error handler and
 * answers 500 becomes exactly one Sentry event linked to the request's span, whose name carries the route; routes
 * whose errors the handler answers with 404 or 400 create no event. Also what the preload loads for an app that
 * uses no framework.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { TraceDetail } from '../../src/ingest/types.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';
import { loadedModules } from '../helpers/loaded-modules.js';
import { freePort } from '../helpers/ports.js';
import { parseExposition, type Sample } from '../helpers/exposition.js';
import { waitUntil } from '../helpers/wait.js';

allowLoadedMachine();

let ingest: IngestServer;

beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest({ waterfall: false });
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest?.close();
});

/** One request with a fresh W3C trace context (sampled unless told), so each request is its own, known trace. */
async function request(url: string, sampled = true): Promise<{ traceId: string; status: number }> {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(url, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}` } });
  await response.arrayBuffer();
  return { traceId, status: response.status };
}

const FRAMEWORKS = [
  { name: 'express', scope: '@opentelemetry/instrumentation-express' },
  { name: 'fastify', scope: '@fastify/otel' },
  { name: 'koa', scope: '@opentelemetry/instrumentation-koa' },
  { name: 'hono', scope: '@hono/otel' },
] as const;

describe.each(FRAMEWORKS)('$name: an error its handler answers', ({ name, scope }) => {
  it('500 → exactly one event linked to the request span named with the route; 404 and 400 → none', async () => {
    const metricsPort = await freePort();
    const app = startNode([`${ROOT}test/fixtures/apps/framework-${name}.mjs`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: `app-${name}`, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort) }),
    });
    const [, port] = await app.waitFor(/READY (\d+)/);
    const base = `http://127.0.0.1:${port}/users/42`;
    const boom = await request(`${base}/boom`);
    const missing = await request(`${base}/missing`);
    const bad = await request(`${base}/bad`);
    expect([boom.status, missing.status, bad.status]).toEqual([500, 404, 400]);
    // The HTTP instrumentation's request-duration series carry the route too; one series per request (the
    // @hono/otel middleware's own copies are dropped).
    let durations: Sample[] = [];
    await waitUntil(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      durations = parseExposition(text).filter((sample) => sample.name === 'http_server_request_duration_count');
      return durations.reduce((sum, sample) => sum + sample.value, 0) >= 3; // recorded as each response closes
    });
    expect(durations.map((sample) => [sample.labels.http_route, sample.labels.http_response_status_code, sample.labels.otel_scope_name, sample.value]).sort()).toEqual([
      ['/users/:id/bad', '400', '@opentelemetry/instrumentation-http', 1],
      ['/users/:id/boom', '500', '@opentelemetry/instrumentation-http', 1],
      ['/users/:id/missing', '404', '@opentelemetry/instrumentation-http', 1],
    ]);
    await app.stop(); // the preload flushes on SIGTERM

    const serverSpanOf = (trace: TraceDetail) => trace.spans.find((s) => s.kind === 'server' && s.scope?.name === '@opentelemetry/instrumentation-http');
    const traces = [];
    for (const [{ traceId }, route] of [
      [boom, '/users/:id/boom'],
      [missing, '/users/:id/missing'],
      [bad, '/users/:id/bad'],
    ] as const) {
      const trace = await ingest.waitFor(() => {
        const t = ingest.trace(traceId);
        return t !== undefined && serverSpanOf(t) !== undefined && t.spans.some((s) => s.scope?.name === scope) ? t : undefined;
      });
      // The request's server span is named by the framework's route, not the path (`GET /users/*/boom`).
      expect(serverSpanOf(trace)!.name).toBe(`GET ${route}`);
      traces.push(trace);
    }
    await ingestSettled(ingest);

    const events = ingest.events();
    expect(events.map((e) => e.type)).toEqual(['UserStoreError']);
    const [event] = events;
    const boomServer = serverSpanOf(traces[0]!)!;
    expect(event!.trace_id).toBe(boom.traceId);
    expect(event!.span_id).toBe(boomServer.spanId);
    expect(event!.value).toBe('user store unreachable for 42');
    expect(event!.frames.some((f) => f.function === 'loadUser')).toBe(true);
    // the exception is on the request span once, and that span failed (5xx); the 4xx request spans did not
    expect(boomServer.events.filter((e) => e.name === 'exception')).toHaveLength(1);
    expect(boomServer.status.code).toBe('error');
    for (const trace of traces.slice(1)) expect(serverSpanOf(trace)!.status.code).not.toBe('error');
    for (const { traceId } of [boom, missing, bad]) expect(ingest.problems(traceId)).toEqual([]);
  });

  it('unsampled requests: the 500 trace is kept for its error and exported, the 404 and 400 ones are not', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/framework-${name}.mjs`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: `app-${name}`, OTEL_BSP_SCHEDULE_DELAY: '100', SENTRY_TRACES_SAMPLE_RATE: '0', AGENT_BRIDGE_METRICS_ENABLED: 'false' }),
    });
    const [, port] = await app.waitFor(/READY (\d+)/);
    const base = `http://127.0.0.1:${port}/users/7`;
    const [boom, missing, bad] = [await request(`${base}/boom`, false), await request(`${base}/missing`, false), await request(`${base}/bad`, false)];
    expect([boom.status, missing.status, bad.status]).toEqual([500, 404, 400]);
    await app.stop();
    const kept = await ingest.waitFor(() => {
      const t = ingest.trace(boom.traceId);
      return t !== undefined && t.spans.some((s) => s.scope?.name === scope) && t.spans.some((s) => s.kind === 'server' && s.scope?.name === '@opentelemetry/instrumentation-http') ? t : undefined;
    });
    expect(kept.spans.every((s) => s.attributes['agent_bridge.kept_for'] === 'error')).toBe(true);
    await ingestSettled(ingest);
    expect(ingest.events().map((e) => e.trace_id)).toEqual([boom.traceId]);
    expect([ingest.trace(missing.traceId), ingest.trace(bad.traceId)]).toEqual([undefined, undefined]);
  });
});

describe('fastify in a CommonJS app, two instances', () => {
  it('both get the plugin; the 500 → one event linked to the request span named with the route', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/framework-fastify.cjs`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'app-fastify-cjs', OTEL_BSP_SCHEDULE_DELAY: '100', AGENT_BRIDGE_METRICS_ENABLED: 'false' }),
    });
    const [, port, firstHasPlugin, appHasPlugin] = await app.waitFor(/READY (\d+) (\w+) (\w+)/);
    expect([firstHasPlugin, appHasPlugin]).toEqual(['true', 'true']);
    const boom = await request(`http://127.0.0.1:${port}/users/42/boom`);
    expect(boom.status).toBe(500);
    await app.stop();
    const trace = await ingest.waitFor(() => {
      const t = ingest.trace(boom.traceId);
      return t?.spans.some((s) => s.kind === 'server') && t.spans.some((s) => s.scope?.name === '@fastify/otel') ? t : undefined;
    });
    expect(trace.spans.find((s) => s.kind === 'server')!.name).toBe('GET /users/:id/boom');
    await ingestSettled(ingest);
    expect(ingest.events().map((e) => [e.type, e.trace_id])).toEqual([['UserStoreError', boom.traceId]]);
  });
});

describe('what the preload loads for an app that uses no web framework', () => {
  const FRAMEWORK_MODULE = /\/node_modules\/(express|fastify|koa|@koa\/router|hono|@fastify\/otel|@opentelemetry\/instrumentation-(express|koa))\//;


  it('frameworks not installed where the app is: none of their instrumentations is loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-no-framework-'));
    try {
      copyFileSync(`${ROOT}test/fixtures/apps/no-openai.mjs`, join(dir, 'app.mjs'));
      const modules = await loadedModules(dir, join(dir, 'app.mjs'));
      expect(modules.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true); // the probe sees the preload
      expect(modules.filter((url) => FRAMEWORK_MODULE.test(url))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fastify installed, no Fastify instance created: @fastify/otel is not loaded (issue 18, start-up)', async () => {
    // ~80 ms with its own copies of @opentelemetry/core and instrumentation: loaded with the app's first instance
    // (instrumentation/fastify.ts).
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`);
    expect(modules.some((url) => url.endsWith('/dist/instrumentation/fastify.js'))).toBe(true); // its stand-in is registered
    expect(modules.filter((url) => url.includes('/node_modules/@fastify/otel/'))).toEqual([]);
  });

  it('frameworks installed but switched off: none of their instrumentations is loaded', async () => {
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,fastify,koa' });
    expect(modules.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true);
    expect(modules.filter((url) => FRAMEWORK_MODULE.test(url))).toEqual([]);
  });
});

describe('a framework instrumentation that cannot start', () => {
  it('@fastify/otel rejecting OTEL_FASTIFY_IGNORE_PATHS: one warning, the app and the rest of the preload run on', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/framework-fastify.mjs`], {
      env: cleanEnv({ AGENT_BRIDGE_METRICS_ENABLED: 'false', OTEL_FASTIFY_IGNORE_PATHS: '' }),
    });
    const [, port] = await app.waitFor(/READY (\d+)/);
    expect((await request(`http://127.0.0.1:${port}/users/42/boom`)).status).toBe(500);
    await app.stop();
    expect(app.stderr()).toMatch(/warn: the fastify instrumentation could not start, fastify is not traced: ignorePaths must be a string/);
    expect(app.stderr()).toMatch(/info: started for service/);
  });
});

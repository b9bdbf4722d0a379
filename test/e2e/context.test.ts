/**
 * Issue 23 acceptance, context and breadcrumbs, across three real processes talking real HTTP (edge → middle →
 * worker), every one started with the built preload and sending to the local Relay-strict ingest:
 *  - a trace started with `user.id` and `tenant.id` in baggage: every span of it, in all three processes, carries
 *    both; the worker's error event has `user.id` and the `tenant.id` tag;
 *  - no metric of any process has a user label or value;
 *  - the error event carries breadcrumbs for the preceding memory, HTTP and LLM calls of its trace, scrubbed (the
 *    LLM call's URL carries a planted key);
 *  - an uncaught process error inside an active span gets the same context and breadcrumbs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { freePort } from '../helpers/ports.js';
import { get } from '../helpers/exposition.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

const PLANTED_SECRET = 'sk-live-0123456789abcdefghijklmnopqrstuv';

let ingest: IngestServer;
beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest();
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest.close();
});

const env = (name: string, metricsPort: number, extra: Record<string, string> = {}) =>
  cleanEnv({
    SENTRY_DSN: ingest.dsn,
    OTEL_SERVICE_NAME: name,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    SENTRY_ENVIRONMENT: 'e2e',
    SENTRY_TRACES_SAMPLE_RATE: '1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    ...extra,
  });

interface Breadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: string;
  timestamp?: number;
  data?: Record<string, unknown>;
}

/** Sentry's event JSON carries breadcrumbs as a list or as `{ values: [...] }`; both are Relay's `Values<Breadcrumb>`. */
function breadcrumbsOf(payload: Record<string, unknown>): Breadcrumb[] {
  const crumbs = payload.breadcrumbs as Breadcrumb[] | { values?: Breadcrumb[] } | undefined;
  return Array.isArray(crumbs) ? crumbs : crumbs?.values ?? [];
}

describe('who and which tenant, across three processes', () => {
  it('every span carries user.id and tenant.id; the error event has user.id, the tenant tag and scrubbed breadcrumbs; no metric has them', async () => {
    const ports = { edge: await freePort(), middle: await freePort(), worker: await freePort() };
    const worker = startNode([`${ROOT}test/fixtures/apps/context-worker.mjs`], { env: env('ctx-worker', ports.worker, { PLANTED_SECRET }) });
    const [, workerPort] = await worker.waitFor(/READY (\d+)/);
    const middle = startNode([`${ROOT}test/fixtures/apps/context-middle.mjs`], {
      env: env('ctx-middle', ports.middle, { WORKER_URL: `http://127.0.0.1:${workerPort}` }),
    });
    const [, middlePort] = await middle.waitFor(/READY (\d+)/);
    const edge = startNode([`${ROOT}test/fixtures/apps/context-edge.mjs`], {
      env: env('ctx-edge', ports.edge, { MIDDLE_URL: `http://127.0.0.1:${middlePort}` }),
    });
    const [, json] = await edge.waitFor(/RESULT (.*)/);
    const { traceId, status } = JSON.parse(json!) as { traceId: string; status: number };
    expect(status).toBe(500);

    // Metrics of the two long-running processes, read while they still serve (the edge has done its one request).
    for (const port of [ports.middle, ports.worker]) {
      const metrics = await get(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('agent_invocation_duration_seconds');
      // no label named after a user, tenant or conversation, and none of their values (cpu_mode="user" is the CPU's)
      expect(metrics.body).not.toMatch(/[{,](?:user|enduser|tenant|session|gen_ai_conversation)[a-z_]*=/);
      expect(metrics.body).not.toMatch(/u-42|acme|conv-7/);
    }
    await edge.exited;
    await middle.stop();
    await worker.stop();
    await ingestSettled(ingest);

    const trace = ingest.trace(traceId)!;
    expect(new Set(trace.spans.map((s) => s.service))).toEqual(new Set(['ctx-edge', 'ctx-middle', 'ctx-worker']));
    expect(trace.spans.length).toBeGreaterThanOrEqual(10);
    for (const span of trace.spans) {
      expect(span.attributes['user.id'], `${span.service} ${span.name}`).toBe('u-42');
      expect(span.attributes['tenant.id'], `${span.service} ${span.name}`).toBe('acme');
      expect(span.attributes['gen_ai.conversation.id'], `${span.service} ${span.name}`).toBe('conv-7');
    }

    const events = ingest.events();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.trace_id).toBe(traceId);
    expect(event!.type).toBe('TypeError');
    expect(event!.payload.user).toEqual({ id: 'u-42' });
    expect(event!.tags).toMatchObject({ 'tenant.id': 'acme', 'gen_ai.conversation.id': 'conv-7', agent: 'writer', service: 'ctx-worker' });
    const otel = (event!.payload.contexts as Record<string, { attributes?: Record<string, unknown> }>).otel;
    expect(otel?.attributes).toMatchObject({ 'gen_ai.agent.name': 'writer', 'tenant.id': 'acme' });

    const crumbs = breadcrumbsOf(event!.payload);
    const memory = crumbs.find((c) => c.category === 'memory.search');
    const llm = crumbs.find((c) => c.category === 'gen_ai.chat');
    const http = crumbs.find((c) => c.type === 'http' && String(c.data?.url ?? '').includes('/v1/chat'));
    expect(memory, JSON.stringify(crumbs)).toMatchObject({ type: 'default', level: 'info', data: { 'agent.memory.store': 'notes', 'agent.memory.result_count': 2 } });
    expect(llm, JSON.stringify(crumbs)).toMatchObject({ type: 'default', message: 'chat gpt-4o', data: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 11 } });
    expect(http, JSON.stringify(crumbs)).toMatchObject({ category: 'http', data: { method: 'GET', status_code: 200 } });
    expect(String(http!.data!.url)).toContain('key=[Filtered]');
    // one breadcrumb per request: the SDK's own HTTP breadcrumbs are off, the trace's stand in for them
    expect(crumbs.filter((c) => c.category === 'http' && String(c.data?.url ?? '').includes('/v1/chat'))).toHaveLength(1);
    // in the order they happened, before the error, with timestamps in seconds
    expect(crumbs.indexOf(memory!)).toBeLessThan(crumbs.indexOf(llm!));
    for (const crumb of [memory!, llm!, http!]) expect(crumb.timestamp!).toBeLessThanOrEqual(event!.timestamp! + 1);
    // the planted key is nowhere in what reached Sentry
    expect(JSON.stringify(event!.payload)).not.toContain(PLANTED_SECRET);
    expect(JSON.stringify(ingest.spans())).not.toContain(PLANTED_SECRET);
    expect(ingest.problems(traceId)).toEqual([]);
  });

  it('an uncaught process error in an active span carries the same user, tenant tag and breadcrumbs', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/context-crash.mjs`], { env: env('ctx-crash', await freePort()) });
    const [, traceId] = await app.waitFor(/TRACE (\w+)/);
    const { code } = await app.exited;
    expect(code).toBe(1); // the process still ends as Node ends it
    await ingestSettled(ingest);
    const event = ingest.events().find((e) => e.value === 'crash with context');
    expect(event, JSON.stringify(ingest.events().map((e) => e.value))).toBeDefined();
    expect(event!.trace_id).toBe(traceId);
    expect(event!.level).toBe('fatal');
    expect(event!.payload.user).toEqual({ id: 'u-crash' });
    expect(event!.tags).toMatchObject({ 'tenant.id': 'initech' });
    expect(breadcrumbsOf(event!.payload).map((c) => c.category)).toContain('memory.get');
  });
});

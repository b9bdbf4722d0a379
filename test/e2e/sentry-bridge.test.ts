/**
 * Issue 5 acceptance, end to end: real processes with the preload → real OTLP exporter and real @sentry/node
 * transport → the local ingest over loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll, type RunningProcess } from '../helpers/process.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';
import { waitUntil } from '../helpers/wait.js';

allowLoadedMachine();

let ingest: IngestServer;
let dataDir: string;

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'aob-sentry-e2e-'));
  ingest = await startIngest({ dataDir });
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function bridged(name: string, extra: Record<string, string> = {}) {
  return cleanEnv({
    SENTRY_DSN: ingest.dsn,
    OTEL_SERVICE_NAME: name,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    SENTRY_RELEASE: 'demo@1.2.3',
    SENTRY_ENVIRONMENT: 'e2e',
    ...extra,
  });
}

async function startB(extra: Record<string, string> = {}): Promise<{ b: RunningProcess; url: string }> {
  const b = startNode([`${ROOT}test/fixtures/apps/agent-b.mjs`], { env: bridged('agent-b', extra) });
  const [, port] = await b.waitFor(/READY (\d+)/);
  return { b, url: `http://127.0.0.1:${port}` };
}

async function runA(url: string, paths: string[], extra: Record<string, string> = {}): Promise<{ traceId: string; statuses: number[] }> {
  const a = startNode([`${ROOT}test/fixtures/apps/agent-a.mjs`], { env: bridged('agent-a', { TARGET_URL: url, PATHS: paths.join(','), ...extra }) });
  const [, json] = await a.waitFor(/RESULT (.*)/);
  await a.exited;
  return JSON.parse(json!) as { traceId: string; statuses: number[] };
}

describe('Sentry bridge end to end', () => {
  it("A → B over HTTP, B's ai.request throws: one trace, correctly parented, exactly one linked error event", async () => {
    const { b, url } = await startB();
    const { traceId, statuses } = await runA(url, ['/fail']);
    expect(statuses).toEqual([500]);
    await b.stop();

    const trace = await ingest.waitFor(() => {
      const t = ingest.trace(traceId);
      return t && t.spans.some((s) => s.service === 'agent-b' && s.name.startsWith('chat')) ? t : undefined;
    });
    const spans = trace.spans;
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['agent-a', 'agent-b']));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    // every span but A's root has its parent in the trace
    const roots = spans.filter((s) => s.parentSpanId === undefined || !byId.has(s.parentSpanId));
    expect(roots).toHaveLength(1);
    expect(roots[0]!.service).toBe('agent-a');
    const failing = spans.find((s) => s.service === 'agent-b' && s.name === 'chat gpt-4o')!;
    expect(failing.status.code).toBe('error');

    await ingestSettled(ingest); // A and B have exited: nothing more can arrive
    const events = ingest.events();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.trace_id).toBe(traceId);
    expect(event!.span_id).toBe(failing.spanId);
    expect(event!.type).toBe('TypeError');
    expect(event!.frames.length).toBeGreaterThan(0);
    expect(event!.frames.some((f) => f.function === 'llmBug')).toBe(true);
    expect(event!.tags).toMatchObject({ agent: 'researcher', model: 'gpt-4o', provider: 'openai', service: 'agent-b' });
    expect(event!.release).toBe('demo@1.2.3');
    expect(event!.environment).toBe('e2e');
    // B's error carries the DSC A headed: A's root span names the transaction (as a Sentry SDK's root would)
    expect(event!.dsc).toMatchObject({ trace_id: traceId, transaction: roots[0]!.name });
    expect(roots[0]!.name).toBe('invoke_agent planner');
    // …and the same release/environment as resource attributes on the spans
    expect(failing.resource).toMatchObject({ 'service.version': 'demo@1.2.3', 'deployment.environment.name': 'e2e', 'service.name': 'agent-b' });
    expect(typeof failing.resource['service.instance.id']).toBe('string');
    // Nothing in what arrived would be read differently by Sentry (client sample rates, AI typing, the error's DSC…).
    expect(ingest.problems(traceId)).toEqual([]);
  });

  it('one exception rethrown through three nested helper spans → one event (innermost span)', async () => {
    const { b, url } = await startB();
    const { traceId } = await runA(url, ['/nested']);
    await b.stop();
    const trace = await ingest.waitFor(() => ingest.trace(traceId));
    await ingestSettled(ingest);
    expect(ingest.events()).toHaveLength(1);
    const innermost = trace.spans.find((s) => s.name === 'chat claude-sonnet')!;
    expect(ingest.events()[0]!.span_id).toBe(innermost.spanId);
    expect(ingest.problems(traceId)).toEqual([]);
  });

  it('a ValidationError and an HTTP 429 create no event and are counted as operational', async () => {
    const metricsPort = String(20000 + Math.floor(Math.random() * 20000));
    const { b, url } = await startB({ OTEL_EXPORTER_PROMETHEUS_PORT: metricsPort });
    const { statuses } = await runA(url, ['/validation', '/ratelimit', '/ok']);
    expect(statuses).toEqual([500, 500, 200]);
    const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const operational = exposition
      .split('\n')
      .filter((line) => line.startsWith('agent_errors_total{') && line.includes('classification="operational"'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    // each error is counted once, on the span where it happened (not again on the invoke_agent span around it)
    expect(operational).toBe(2);
    // no agent span counts a bug (B's HTTP server spans answered 500: those are agent_span_type="other")
    expect(exposition).not.toMatch(/agent_errors_total\{(?![^}]*agent_span_type="other")[^}]*classification="bug"/);
    await b.stop();
    await ingestSettled(ingest);
    expect(ingest.events()).toHaveLength(0);
  });

  it('1,000 roots at SENTRY_TRACES_SAMPLE_RATE=0.1 → ~100 traces exported, yet all 20 bugs → 20 events', async () => {
    const batch = startNode([`${ROOT}test/fixtures/apps/batch.mjs`], {
      env: bridged('batch', { SENTRY_TRACES_SAMPLE_RATE: '0.1', ROOTS: '1000', FAILURES: '20' }),
    });
    await batch.waitFor(/DONE 1000 20/);
    await batch.exited;
    await ingestSettled(ingest);
    expect(ingest.events()).toHaveLength(20);
    const traces = ingest.traces().filter((t) => t.services.includes('batch'));
    // the random sample (~100), plus each failing trace the ratio left out, kept for its error
    const kept = traces.filter((t) => ingest.trace(t.traceId)!.spans.every((s) => s.attributes['agent_bridge.kept_for'] === 'error'));
    const sampled = traces.length - kept.length;
    expect(sampled).toBeGreaterThanOrEqual(60);
    expect(sampled).toBeLessThanOrEqual(140);
    // every failure's trace is in Sentry: 20 events, each linked to an exported trace
    const exported = new Set(traces.map((t) => t.traceId));
    expect(ingest.events().filter((e) => e.trace_id !== undefined && exported.has(e.trace_id))).toHaveLength(20);
  });

  it('at SENTRY_TRACES_SAMPLE_RATE=0 a failing trace is kept whole across both agents; a fine one is not exported', async () => {
    const { b, url } = await startB({ SENTRY_TRACES_SAMPLE_RATE: '0' });
    const failing = await runA(url, ['/fail'], { SENTRY_TRACES_SAMPLE_RATE: '0' });
    const fine = await runA(url, ['/ok'], { SENTRY_TRACES_SAMPLE_RATE: '0' });
    await b.stop();
    await ingestSettled(ingest);
    const trace = ingest.trace(failing.traceId);
    expect(trace).toBeDefined();
    // A: invoke_agent + its HTTP client span; B: the HTTP server span, invoke_agent, the failing chat
    expect(new Set(trace!.spans.map((s) => s.service))).toEqual(new Set(['agent-a', 'agent-b']));
    expect(trace!.spans.length).toBeGreaterThanOrEqual(5);
    const byId = new Map(trace!.spans.map((s) => [s.spanId, s]));
    expect(trace!.spans.filter((s) => s.parentSpanId === undefined || !byId.has(s.parentSpanId))).toHaveLength(1);
    for (const span of trace!.spans) {
      expect(span.attributes['agent_bridge.kept_for']).toBe('error');
      expect(span.attributes['sentry.client_sample_rate']).toBe(1);
    }
    expect(ingest.trace(fine.traceId)).toBeUndefined();
    const [event] = ingest.events();
    expect(event?.trace_id).toBe(failing.traceId);
    expect(ingest.problems(failing.traceId)).toEqual([]);
  });

  it('SENTRY_ENVIRONMENT=production with no rate applies 0.1', async () => {
    const batch = startNode([`${ROOT}test/fixtures/apps/batch.mjs`], {
      env: bridged('prod-batch', { SENTRY_ENVIRONMENT: 'production', ROOTS: '1000', FAILURES: '0' }),
    });
    await batch.exited;
    await ingestSettled(ingest);
    const traces = ingest.traces().filter((t) => t.services.includes('prod-batch'));
    expect(traces.length).toBeGreaterThanOrEqual(60);
    expect(traces.length).toBeLessThanOrEqual(140);
  });

  it('/healthz spans are never exported', async () => {
    const { b, url } = await startB({ SENTRY_TRACES_SAMPLE_RATE: '1' });
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/ok`)).status).toBe(200);
    await b.stop();
    await waitUntil(() => ingest.spans().some((s) => s.service === 'agent-b'));
    const paths = ingest.spans().map((s) => String(s.attributes['url.path'] ?? s.name));
    expect(paths.some((p) => p.includes('/ok'))).toBe(true);
    expect(paths.some((p) => p.includes('healthz'))).toBe(false);
  });

  it.each([
    ['uncaught exception', '0', 'boom from a timer'],
    ['unhandled rejection', '1', 'rejected from a timer'],
  ])('%s: captured, linked to the active span, flushed (with the spans) before exit 1', async (_kind, reject, message) => {
    const app = startNode([`${ROOT}test/fixtures/apps/crash.mjs`], { env: bridged('crash', { REJECT: reject }) });
    const [, traceId, spanId] = await app.waitFor(/TRACE (\w+) (\w+)/);
    const { code } = await app.exited;
    expect(code).toBe(1);
    // everything was delivered before the process ended: no waiting here
    const event = ingest.events().find((e) => e.value === message);
    expect(event).toBeDefined();
    expect(event!.type).toBe('RangeError');
    expect(event!.trace_id).toBe(traceId);
    expect(event!.span_id).toBe(spanId);
    // the envelope's DSC names the same trace (Relay tags the error with that trace's sampling decision)
    expect(event!.dsc?.trace_id).toBe(traceId);
    expect(ingest.spans().some((s) => s.service === 'crash' && s.name === 'before-crash')).toBe(true);
  });

  it("the app's own calls to Sentry's API reach the bridge's client; another SDK version in the app is named once", async () => {
    // Same version: one carrier (globalThis.__SENTRY__[version], @sentry/core carrier.js), one client — the bridge's.
    const app = startNode([`${ROOT}test/fixtures/apps/sentry-api.mjs`], { env: bridged('sentry-api') });
    const [, sameDsn] = await app.waitFor(/CLIENT (true|false)/);
    expect(sameDsn).toBe('true');
    expect((await app.exited).code).toBe(0);
    const event = await ingest.waitFor(() => ingest.events().find((e) => e.message === 'a message from the app'));
    expect(event.tags.from).toBe('app');
    expect(app.stderr()).not.toMatch(/Sentry SDK .* beside the bridge's/);
    // Another version has a carrier, and no client, of its own: its calls would be dropped without a word.
    const other = startNode([`${ROOT}test/fixtures/apps/sentry-api.mjs`], { env: bridged('sentry-api', { OTHER_VERSION: '11.99.0' }) });
    expect((await other.exited).code).toBe(0);
    const warnings = other.stderr().split('\n').filter((line) => line.includes("beside the bridge's"));
    expect(warnings).toEqual([expect.stringMatching(/^\[agent-otel-bridge\] warn: the app uses the Sentry SDK 11\.99\.0 beside the bridge's \d+\.\d+\.\d+: .* Install @sentry\/node@\d+\.\d+\.\d+ in the app to share it$/)]);
  });

  it('secrets never reach the ingest: authorization header attribute, bearer values, sk- keys, ?token= URLs', async () => {
    const secrets = ['Bearer abcSECRETbearer123', 'sk-proj-SECRETKEY1234567890abcdef', 'tokSECRETquery987'];
    const app = startNode([`${ROOT}test/fixtures/apps/secrets.mjs`], {
      env: bridged('secrets', { PLANTED: JSON.stringify(secrets) }),
    });
    await app.waitFor(/DONE/);
    await app.exited;
    await waitUntil(() => ingest.spans().some((s) => s.service === 'secrets') && ingest.events().length > 0);
    const received = readdirSync(dataDir)
      .map((file) => readFileSync(join(dataDir, file)).toString('latin1'))
      .join('\n');
    expect(received.length).toBeGreaterThan(0);
    for (const secret of [...secrets, 'abcSECRETbearer123']) expect(received).not.toContain(secret);
    for (const raw of ingest.raw()) for (const secret of secrets) expect(raw.body.toString('latin1')).not.toContain(secret);
  });
});

/**
 * Issue 6 acceptance across real processes: one trace over an HTTP hop and a message hop, user baggage
 * travelling with it, one merged baggage header, and a Sentry front end's trace continued with its DSC intact.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';

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

const env = (name: string, extra: Record<string, string> = {}) =>
  cleanEnv({
    SENTRY_DSN: ingest.dsn,
    OTEL_SERVICE_NAME: name,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    SENTRY_ENVIRONMENT: 'e2e',
    SENTRY_RELEASE: 'chain@1',
    SENTRY_TRACES_SAMPLE_RATE: '1',
    ...extra,
  });

async function start(script: string, name: string, extra: Record<string, string> = {}) {
  const proc = startNode([`${ROOT}test/fixtures/apps/${script}`], { env: env(name, extra) });
  const [, port] = await proc.waitFor(/READY (\d+)/);
  return { proc, port: port! };
}

describe('propagation across processes', () => {
  it("A →(HTTP)→ B →(message)→ C: C sees A's baggage entry; the ingest shows one trace with correct parents", async () => {
    const c = await start('chain-c.mjs', 'agent-c');
    const b = await start('chain-b.mjs', 'agent-b', { C_MESSAGE_PORT: c.port });
    const a = startNode([`${ROOT}test/fixtures/apps/chain-a.mjs`], { env: env('agent-a', { B_URL: `http://127.0.0.1:${b.port}` }) });
    const [, json] = await a.waitFor(/RESULT (.*)/);
    await a.exited;
    const { traceId, reply } = JSON.parse(json!) as { traceId: string; reply: { traceId: string; baggage: Record<string, string> } };
    expect(reply.traceId).toBe(traceId);
    expect(reply.baggage.tenant).toBe('acme');
    expect(Object.keys(reply.baggage).some((k) => k.startsWith('sentry-'))).toBe(false);

    await b.proc.stop();
    await c.proc.stop();
    const trace = await ingest.waitFor(() => {
      const t = ingest.trace(traceId);
      return t && new Set(t.spans.map((s) => s.service)).size === 3 ? t : undefined;
    });
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const roots = trace.spans.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    expect(roots.map((s) => s.service)).toEqual(['agent-a']);
    const send = trace.spans.find((s) => s.service === 'agent-b' && s.kind === 'producer')!;
    const processSpan = trace.spans.find((s) => s.service === 'agent-c' && s.kind === 'consumer')!;
    expect(processSpan.parentSpanId).toBe(send.spanId);
    // Three processes, one trace: every span says which rate decided it, as Sentry's extrapolation needs.
    expect(ingest.problems(traceId)).toEqual([]);
  });

  it('an outgoing request carries exactly one baggage header with user entries and the full DSC', async () => {
    const echo = await start('server.mjs', 'echo');
    const b = await start('chain-b.mjs', 'agent-b', { ECHO_URL: `http://127.0.0.1:${echo.port}` });
    const a = startNode([`${ROOT}test/fixtures/apps/chain-a.mjs`], {
      env: env('agent-a', { B_URL: `http://127.0.0.1:${b.port}`, B_PATH: '/forward' }),
    });
    const [, json] = await a.waitFor(/RESULT (.*)/);
    const { traceId, reply } = JSON.parse(json!) as { traceId: string; reply: { rawBaggageCount: number; headers: Record<string, string> } };
    expect(reply.rawBaggageCount).toBe(1);
    const members = Object.fromEntries(reply.headers.baggage!.split(',').map((m) => m.trim().split('=') as [string, string]));
    expect(members.tenant).toBe('acme');
    for (const key of ['sentry-trace_id', 'sentry-public_key', 'sentry-sample_rate', 'sentry-sampled', 'sentry-environment', 'sentry-release', 'sentry-sample_rand']) {
      expect(members, key).toHaveProperty(key);
    }
    expect(members['sentry-trace_id']).toBe(traceId);
    expect(members['sentry-public_key']).toBe(ingest.key);
    expect(members['sentry-environment']).toBe('e2e');
    expect(reply.headers['sentry-trace']).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`));
    expect(reply.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it.each([['fetch', '/forward'], ['node:http', '/forward-http']])(
    'OTEL_PROPAGATORS=tracecontext,baggage: a %s request carries no sentry-trace and no Sentry baggage (the Sentry SDK injects nothing of its own)',
    async (_client, path) => {
      const echo = await start('server.mjs', 'echo');
      // AWAIT_SENTRY: the SDK loads in the background, and a request before it is up would prove nothing about its hooks.
      const b = await start('chain-b.mjs', 'agent-b', { ECHO_URL: `http://127.0.0.1:${echo.port}`, OTEL_PROPAGATORS: 'tracecontext,baggage', AWAIT_SENTRY: '1' });
      const response = await fetch(`http://127.0.0.1:${b.port}${path}`, { headers: { baggage: 'feature=beta' } });
      const reply = (await response.json()) as { traceId: string; headers: Record<string, string> };
      expect(reply.headers.traceparent).toMatch(new RegExp(`^00-${reply.traceId}-[0-9a-f]{16}-01$`));
      expect(reply.headers.baggage).toBe('feature=beta');
      expect(reply.headers['sentry-trace']).toBeNull();
    },
  );

  it("a Sentry front end's sentry-trace + baggage is continued, its DSC passed on unchanged", async () => {
    const echo = await start('server.mjs', 'echo');
    const b = await start('chain-b.mjs', 'agent-b', { ECHO_URL: `http://127.0.0.1:${echo.port}`, SENTRY_TRACES_SAMPLE_RATE: '0' });
    const frontTrace = '0af7651916cd43dd8448eb211c80319c';
    const dsc = 'sentry-trace_id=0af7651916cd43dd8448eb211c80319c,sentry-public_key=frontendkey,sentry-sample_rate=0.25,sentry-sampled=true,sentry-environment=web,sentry-release=web%401.0,sentry-sample_rand=0.123';
    const response = await fetch(`http://127.0.0.1:${b.port}/forward`, {
      headers: { 'sentry-trace': `${frontTrace}-b7ad6b7169203331-1`, baggage: `${dsc},feature=beta` },
    });
    const reply = (await response.json()) as { traceId: string; headers: Record<string, string>; rawBaggageCount: number };
    expect(reply.traceId).toBe(frontTrace);
    expect(reply.rawBaggageCount).toBe(1);
    const sentryMembers = reply.headers.baggage!
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m.startsWith('sentry-'))
      .sort();
    expect(sentryMembers).toEqual(dsc.split(',').sort());
    expect(reply.headers.baggage).toContain('feature=beta');
    // sampled by the front end even though this agent's own rate is 0
    expect(reply.headers['sentry-trace']).toMatch(new RegExp(`^${frontTrace}-[0-9a-f]{16}-1$`));
  });
});

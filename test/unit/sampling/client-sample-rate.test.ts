/**
 * Issue 17 items 2, 5 and 14 against the real SDK and the real HTTP instrumentation over loopback: every exported
 * span carries `sentry.client_sample_rate` equal to the rate that decided (ratio, always_on, rule, inherited from a
 * parent), the DSC sent downstream in `baggage` agrees (`sentry-sample_rate`, `sentry-sampled`, `sample_rand`
 * unshifted), and a `urlPath` rule decides an instrumented server span at its start.
 */
import { createRequire } from 'node:module';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { suppressTracing } from '@opentelemetry/core';
import { loadConfig } from '../../../src/config.js';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE, createPropagator, sampleRandFromTraceId } from '../../../src/propagation/index.js';
import { createBridgeSampler } from '../../../src/sampling/index.js';

const instrumentation = new HttpInstrumentation();
// Loaded after the instrumentation is enabled, through require, so the patched module is the one used.
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

/** The sampler under test, swapped per case (the provider and instrumentation are set up once). */
let sampler: Sampler = createBridgeSampler(loadConfig({}).config.sampling);
const switchable: Sampler = {
  shouldSample: (ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]) =>
    sampler.shouldSample(ctx, traceId, name, kind, attributes, links),
  toString: () => sampler.toString(),
};
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ sampler: switchable, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();
const tracer = () => trace.getTracer('client-sample-rate-test');

/** A downstream server that answers with the headers it received. */
let echo: Server;
let echoUrl: string;
/** The app server: handles a request by calling `echo` and returning what echo saw. */
let app: Server;
let appUrl: string;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** A GET; with `headers` it plays a foreign upstream: untraced, so the instrumentation leaves those headers alone. */
function get(url: string, headers?: Record<string, string>): Promise<string> {
  const ctx = headers === undefined ? context.active() : suppressTracing(context.active());
  return new Promise((resolve, reject) => {
    const req = context.with(ctx, () => http.get(url, { headers: headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  echo = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
  app = http.createServer((req, res) => {
    // http.get inside the server span: the client span's injected headers are what the bridge sends downstream
    get(`${echoUrl}${req.url ?? '/'}`).then(
      (body) => res.end(body),
      () => res.end('{}'),
    );
  });
  echoUrl = await listen(echo);
  appUrl = await listen(app);
});

afterEach(() => exporter.reset());

afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  await new Promise((resolve) => echo.close(resolve));
  instrumentation.disable();
  await provider.shutdown();
  contextManager.disable();
  trace.disable();
  context.disable();
  propagation.disable();
});

function useConfig(env: Record<string, string>, rules: object[] = []): void {
  const { config } = loadConfig(env);
  sampler = createBridgeSampler({ ...config.sampling, rules: [...config.sampling.rules, ...(rules as never[])] });
  propagation.setGlobalPropagator(
    createPropagator(config.propagators, { dsc: { publicKey: 'k', environment: config.environment, sampleRate: config.sampling.rootRate } }),
  );
}

function dscOf(headers: IncomingHttpHeaders): Record<string, string> {
  const dsc: Record<string, string> = {};
  for (const member of String(headers.baggage ?? '').split(',')) {
    const [key, value] = member.trim().split('=');
    if (key?.startsWith('sentry-') && value !== undefined) dsc[key.slice('sentry-'.length)] = decodeURIComponent(value);
  }
  return dsc;
}

/** One request through app → echo under a local root span; what echo received and the spans exported. */
async function tracedRequest(rootName: string, path = '/work') {
  const { body, traceId } = await tracer().startActiveSpan(rootName, async (root) => {
    const text = await get(`${appUrl}${path}`);
    root.end();
    return { body: text, traceId: root.spanContext().traceId };
  });
  return { received: JSON.parse(body) as IncomingHttpHeaders, traceId, spans: exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId) };
}

const rates = (spans: { attributes: Attributes }[]) => new Set(spans.map((s) => s.attributes[ATTR_SENTRY_CLIENT_SAMPLE_RATE]));

describe('sentry.client_sample_rate is the rate that decided, and the DSC agrees', () => {
  it('ratio (production default 0.1): every exported span carries 0.1; the DSC says 0.1 with an unshifted sample_rand', async () => {
    useConfig({ SENTRY_ENVIRONMENT: 'production' });
    let exported = 0;
    let dropped = 0;
    // Trace ids are random: about 1 in 10 is sampled; 300 tries make fewer than 2 practically impossible (< 1e-11).
    for (let i = 0; i < 300 && (exported < 2 || dropped < 2); i++) {
      const { received, traceId, spans } = await tracedRequest('agent.run');
      const dsc = dscOf(received);
      expect(dsc.sample_rate).toBe('0.1');
      expect(dsc.sample_rand).toBe(String(sampleRandFromTraceId(traceId)));
      expect(Number(dsc.sample_rand) < 0.1).toBe(dsc.sampled === 'true');
      if (dsc.sampled === 'true') {
        exported++;
        expect(spans.length).toBe(5); // root, its client call, app server, app's client call, echo server
        expect(rates(spans)).toEqual(new Set([0.1]));
      } else {
        dropped++;
        expect(spans).toEqual([]);
      }
    }
    expect(exported).toBeGreaterThanOrEqual(2);
    expect(dropped).toBeGreaterThanOrEqual(2);
  });

  it('always_on in production: 1, not the environment default 0.1', async () => {
    useConfig({ SENTRY_ENVIRONMENT: 'production', OTEL_TRACES_SAMPLER: 'always_on' });
    const { received, traceId, spans } = await tracedRequest('agent.run');
    expect(spans.length).toBe(5);
    expect(rates(spans)).toEqual(new Set([1]));
    const dsc = dscOf(received);
    expect(dsc).toMatchObject({ sample_rate: '1', sampled: 'true', sample_rand: String(sampleRandFromTraceId(traceId)) });
  });

  it('a rule at rate 1 over a default of 0: 1 on every span and in the DSC', async () => {
    useConfig({ SENTRY_TRACES_SAMPLE_RATE: '0' }, [{ spanName: 'important', rate: 1 }]);
    const { received, traceId, spans } = await tracedRequest('important');
    expect(spans.length).toBe(5);
    expect(rates(spans)).toEqual(new Set([1]));
    expect(dscOf(received)).toMatchObject({ sample_rate: '1', sampled: 'true', sample_rand: String(sampleRandFromTraceId(traceId)) });
  });

  it("inherited from a remote Sentry parent: the head's DSC sample_rate, passed on unchanged", async () => {
    useConfig({ SENTRY_TRACES_SAMPLE_RATE: '1' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const headDsc = `sentry-trace_id=${traceId},sentry-public_key=front,sentry-sample_rate=0.25,sentry-sampled=true,sentry-sample_rand=0.125`;
    const body = await get(`${appUrl}/work`, { 'sentry-trace': `${traceId}-b7ad6b7169203331-1`, baggage: headDsc });
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    expect(spans.length).toBe(3); // app server, its client call, echo server
    expect(rates(spans)).toEqual(new Set([0.25]));
    expect(dscOf(JSON.parse(body) as IncomingHttpHeaders)).toEqual({
      trace_id: traceId,
      public_key: 'front',
      sample_rate: '0.25',
      sampled: 'true',
      sample_rand: '0.125',
    });
  });

  it('inherited from a traceparent-only parent (no DSC): 1, and this process heads the DSC with rate 1', async () => {
    useConfig({ SENTRY_TRACES_SAMPLE_RATE: '0.1' });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const body = await get(`${appUrl}/work`, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    expect(spans.length).toBe(3);
    expect(rates(spans)).toEqual(new Set([1]));
    expect(dscOf(JSON.parse(body) as IncomingHttpHeaders)).toMatchObject({ trace_id: traceId, sample_rate: '1', sampled: 'true' });
  });

  it('a deferred decision (sentry-trace without a flag) uses the incoming sample_rand against the local rate', async () => {
    useConfig({ SENTRY_TRACES_SAMPLE_RATE: '0.5' });
    // The trace-id value of this id is far above 0.5 (an OTel ratio decision would drop it); the DSC's rand says keep.
    const traceId = 'f0000000000000000000000000000001';
    expect(sampleRandFromTraceId(traceId)).toBeGreaterThan(0.5);
    const body = await get(`${appUrl}/work`, { 'sentry-trace': `${traceId}-b7ad6b7169203331`, baggage: `sentry-trace_id=${traceId},sentry-sample_rand=0.2` });
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    expect(spans.length).toBe(3);
    expect(rates(spans)).toEqual(new Set([0.5])); // the echo server inherits 0.5 from the DSC the app sent
    expect(dscOf(JSON.parse(body) as IncomingHttpHeaders)).toEqual({ trace_id: traceId, sample_rand: '0.2', sample_rate: '0.5', sampled: 'true' });
  });
});

describe('urlPath rules decide a real instrumented server span at its start (item 14)', () => {
  it('matches url.path with a route pattern; the deprecated httpRoute key means the same pattern', async () => {
    for (const rule of [{ urlPath: '/users/:id', rate: 0 }, { httpRoute: '/users/{id}', rate: 0 }]) {
      useConfig({ SENTRY_TRACES_SAMPLE_RATE: '1' }, [rule]);
      await get(`${appUrl}/users/42`, {});
      await get(`${appUrl}/orders/42`, {});
      const servers = exporter.getFinishedSpans().filter((s) => s.kind === 1 /* SERVER */);
      const exportedPaths = servers.map((s) => s.attributes['url.path']);
      expect(exportedPaths).not.toContain('/users/42');
      expect(exportedPaths).toContain('/orders/42');
      exporter.reset();
    }
  });
});

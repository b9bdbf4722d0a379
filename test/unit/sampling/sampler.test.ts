import { describe, expect, it } from 'vitest';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanKind, TraceFlags, defaultTextMapGetter, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE, createPropagator, isSamplingDeferred } from '../../../src/propagation/index.js';
import { ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, createAlwaysRecordSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { createBridgeSampler, isHealthRoute } from '../../../src/sampling/index.js';
import { RateSampler, ratioSampler } from '../../../src/sampling/rate-sampler.js';
import { RuleSampler } from '../../../src/sampling/rule-sampler.js';
import { InheritedRateSampler } from '../../../src/sampling/inherited-rate.js';
import { loadConfig } from '../../../src/config.js';

const randomTraceId = (i: number) => (BigInt(i) * 0x9e3779b97f4a7c15n + 0x1234567n).toString(16).padStart(32, '0').slice(-32);

function sampling(env: Record<string, string>) {
  return loadConfig(env).config.sampling;
}

function decide(sampler: ReturnType<typeof createBridgeSampler>, traceId: string, name = 'op', attributes = {}, context: Context = ROOT_CONTEXT) {
  return sampler.shouldSample(context, traceId, name, SpanKind.INTERNAL, attributes, []).decision;
}

function remoteParent(sampled: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

describe('bridge sampler', () => {
  it('records every span and samples about the configured ratio of roots', () => {
    const sampler = createBridgeSampler(sampling({ SENTRY_TRACES_SAMPLE_RATE: '0.1' }));
    let sampled = 0;
    for (let i = 0; i < 10_000; i++) {
      const decision = decide(sampler, randomTraceId(i));
      expect(decision).not.toBe(SamplingDecision.NOT_RECORD);
      if (decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
  });

  it('applies the environment default (production → 0.1)', () => {
    expect(sampling({ SENTRY_ENVIRONMENT: 'production' }).rootRate).toBe(0.1);
  });

  it("follows a remote parent's sampled flag", () => {
    const sampler = createBridgeSampler(sampling({ SENTRY_TRACES_SAMPLE_RATE: '0' }));
    expect(decide(sampler, 'a'.repeat(32), 'child', {}, remoteParent(true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    const off = createBridgeSampler(sampling({ SENTRY_TRACES_SAMPLE_RATE: '1' }));
    expect(decide(off, 'a'.repeat(32), 'child', {}, remoteParent(false))).toBe(SamplingDecision.RECORD);
  });

  it('never samples health, readiness and metrics routes, but still records them', () => {
    const sampler = createBridgeSampler(sampling({ SENTRY_TRACES_SAMPLE_RATE: '1' }));
    for (const attributes of [{ 'url.path': '/healthz' }, { 'http.route': '/readyz' }, { 'http.target': '/metrics?x=1' }]) {
      expect(decide(sampler, randomTraceId(1), 'GET', attributes)).toBe(SamplingDecision.RECORD);
    }
    expect(decide(sampler, randomTraceId(1), 'GET /livez')).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(1), 'GET /api/tasks', { 'url.path': '/api/tasks' })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(isHealthRoute('GET /health-report', {})).toBe(false);
    // Routes that are as often a real API's are sampled like any other request.
    for (const path of ['/health', '/ready', '/live', '/ping']) {
      expect(decide(sampler, randomTraceId(1), `GET ${path}`, { 'url.path': path })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
  });

  it('lets config-file rules set the ratio by span type, agent, path pattern or name', () => {
    const sampler = createBridgeSampler({
      ...sampling({ SENTRY_TRACES_SAMPLE_RATE: '1' }),
      rules: [
        { spanType: 'memory.operation', rate: 0 },
        { agent: 'noisy', rate: 0 },
        { urlPath: '/users/:id/history', rate: 0 },
        { urlPath: '/v1/batch/*', rate: 0 },
        { spanName: 'boring', rate: 0 },
      ],
    });
    expect(decide(sampler, randomTraceId(2), 'GET', { 'url.path': '/users/42/history' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'GET', { 'url.path': '/users/42/history/' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'GET', { 'http.target': '/users/7/history?page=2' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'GET', { 'url.path': '/v1/batch' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'GET', { 'url.path': '/v1/batch/a/b' })).toBe(SamplingDecision.RECORD);
    for (const path of ['/users/42', '/users//history', '/users/42/history/x', '/v1/batches', 'users/42/history']) {
      expect(decide(sampler, randomTraceId(2), 'GET', { 'url.path': path })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
    expect(decide(sampler, randomTraceId(2), 'memory.get kv', { 'agent.span.type': 'memory.operation' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'x', { 'gen_ai.agent.name': 'noisy' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'boring')).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(2), 'interesting')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('matches a spanType rule by the GenAI semantic conventions too (agent.span.type is only a hint)', () => {
    const sampler = createBridgeSampler({ ...sampling({ SENTRY_TRACES_SAMPLE_RATE: '1' }), rules: [{ spanType: 'ai.request', rate: 0 }] });
    expect(decide(sampler, randomTraceId(4), 'chat gpt-4o', { 'gen_ai.operation.name': 'chat' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(4), 'embeddings e', { 'gen_ai.operation.name': 'embeddings' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(4), 'chat gpt-4o', { 'agent.span.type': 'ai.request' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, randomTraceId(4), 'execute_tool t', { 'gen_ai.operation.name': 'execute_tool' })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('gives an explicit OTEL_TRACES_SAMPLER precedence over the ratio', () => {
    const sampler = createBridgeSampler(sampling({ OTEL_TRACES_SAMPLER: 'always_off', SENTRY_TRACES_SAMPLE_RATE: '1' }));
    expect(decide(sampler, randomTraceId(3))).toBe(SamplingDecision.RECORD);
    const on = createBridgeSampler(sampling({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', SENTRY_TRACES_SAMPLE_RATE: '0' }));
    expect(decide(on, randomTraceId(3))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('decides exactly as the SDK ratio sampler at every rate, including the short-cut ends 0 and 1', () => {
    for (const rate of [0, 0.1, 0.5, 1]) {
      const ours = ratioSampler(rate);
      const sdk = new TraceIdRatioBasedSampler(rate);
      for (let i = 0; i < 2000; i++) {
        const traceId = randomTraceId(i);
        expect(ours.shouldSample(ROOT_CONTEXT, traceId, 'op', SpanKind.INTERNAL, {}, []).decision).toBe(sdk.shouldSample(ROOT_CONTEXT, traceId).decision);
      }
    }
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'always_on', SENTRY_ENVIRONMENT: 'production' }, 1],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.3' }, 0.3],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.2' }, 0.2],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on', SENTRY_TRACES_SAMPLE_RATE: '0.1' }, 1],
    [{ SENTRY_ENVIRONMENT: 'production' }, 0.1],
  ])('a root under %o records sentry.client_sample_rate = %s, sampled or not', (env, rate) => {
    const sampler = createBridgeSampler(sampling(env as Record<string, string>));
    for (let i = 0; i < 50; i++) {
      const result = sampler.shouldSample(ROOT_CONTEXT, randomTraceId(i), 'op', SpanKind.INTERNAL, {}, []);
      expect(result.attributes?.[ATTR_SENTRY_CLIENT_SAMPLE_RATE]).toBe(rate);
    }
  });

  it("a remote parent's rate comes from its DSC, else 1 / 0 from its flag", () => {
    const sampler = createBridgeSampler(sampling({ SENTRY_TRACES_SAMPLE_RATE: '0.5' }));
    const rateUnder = (ctx: Context) => sampler.shouldSample(ctx, 'a'.repeat(32), 'child', SpanKind.SERVER, {}, []).attributes?.[ATTR_SENTRY_CLIENT_SAMPLE_RATE];
    expect(rateUnder(remoteParent(true))).toBe(1);
    expect(rateUnder(remoteParent(false))).toBe(0);
    const propagator = createPropagator([], { dsc: {} });
    const withDsc = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, baggage: `sentry-trace_id=${'a'.repeat(32)},sentry-sample_rate=0.125` }, defaultTextMapGetter);
    expect(rateUnder(withDsc)).toBe(0.125);
  });
});

describe('InheritedRateSampler', () => {
  /** A context whose active span is a local parent that was sampled at `rate` (as the bridge sampler records it). */
  const localParent = (rate: number): Context => {
    const spanContext = { traceId: randomTraceId(rate * 1000), spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    const parent = Object.assign(trace.wrapSpanContext(spanContext), { attributes: { [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: rate } });
    return trace.setSpan(ROOT_CONTEXT, parent);
  };

  it('records each child with its own parent’s rate, whatever rate the child before it had (results are shared per rate)', () => {
    const sampler = new InheritedRateSampler(true);
    for (const rate of [1, 1, 0.25, 0.25, 1, 0.5, 0.25]) {
      const result = sampler.shouldSample(localParent(rate));
      expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(result.attributes).toEqual({ [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: rate });
      expect(Object.isFrozen(result) && Object.isFrozen(result.attributes)).toBe(true);
    }
    expect(sampler.shouldSample(localParent(0.5))).toBe(sampler.shouldSample(localParent(0.5)));
  });
});

describe('the bridge sampler is the SDK composition it replaces', () => {
  /**
   * What createBridgeSampler returned until 2026-12-03: the SDK's AlwaysRecord and ParentBased samplers around the
   * bridge's own (src/sampling/index.ts says why it is one class now). The same decision, attributes and trace state
   * for every parent, rule and span.
   */
  function composedSampler(config: ReturnType<typeof sampling>): Sampler {
    const inheritSampled = new InheritedRateSampler(true);
    const inheritNotSampled = new InheritedRateSampler(false);
    const parentBased = (root: Sampler): Sampler =>
      new ParentBasedSampler({
        root,
        remoteParentSampled: inheritSampled,
        remoteParentNotSampled: {
          shouldSample: (ctx, ...rest) => (isSamplingDeferred(ctx) ? root : inheritNotSampled).shouldSample(ctx, ...rest),
          toString: () => 'DeferredRemoteParent',
        },
        localParentSampled: inheritSampled,
        localParentNotSampled: inheritNotSampled,
      });
    const explicit = config.explicit;
    const arg = explicit?.arg ?? 1;
    const decision =
      explicit === undefined
        ? parentBased(new RuleSampler(config.rootRate, config.rules))
        : {
            always_on: new RateSampler(1),
            always_off: new RateSampler(0),
            traceidratio: new RateSampler(arg),
            parentbased_always_on: parentBased(new RateSampler(1)),
            parentbased_always_off: parentBased(new RateSampler(0)),
            parentbased_traceidratio: parentBased(new RateSampler(arg)),
          }[explicit.name];
    return createAlwaysRecordSampler({
      shouldSample: (ctx, traceId, name, kind, attributes, links) =>
        isHealthRoute(name, attributes) ? { decision: SamplingDecision.NOT_RECORD } : decision.shouldSample(ctx, traceId, name, kind, attributes, links),
      toString: () => 'HealthRoute',
    });
  }

  const propagator = createPropagator(['tracecontext', 'baggage', 'sentry'], { dsc: {} });
  const parentTrace = 'c'.repeat(32);
  const extracted = (carrier: Record<string, string>) => propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const local = (traceFlags: number, rate?: number, spanContext: Partial<SpanContext> = {}): Context => {
    const parent = trace.wrapSpanContext({ traceId: parentTrace, spanId: 'd'.repeat(16), traceFlags, ...spanContext });
    return trace.setSpan(ROOT_CONTEXT, rate === undefined ? parent : Object.assign(parent, { attributes: { [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: rate } }));
  };
  const parents: Record<string, Context> = {
    'no parent': ROOT_CONTEXT,
    'an invalid parent': trace.setSpanContext(ROOT_CONTEXT, INVALID_SPAN_CONTEXT),
    'a parent with an invalid span id': local(TraceFlags.SAMPLED, 0.5, { spanId: '0'.repeat(16) }),
    'a local sampled parent at 0.25': local(TraceFlags.SAMPLED, 0.25),
    'a local unsampled parent at 0.25': local(TraceFlags.NONE, 0.25),
    'a local parent without a rate': local(TraceFlags.SAMPLED),
    'a remote sampled parent': extracted({ traceparent: `00-${parentTrace}-${'e'.repeat(16)}-01` }),
    'a remote unsampled parent': extracted({ traceparent: `00-${parentTrace}-${'e'.repeat(16)}-00` }),
    'a remote parent with a DSC': extracted({ traceparent: `00-${parentTrace}-${'e'.repeat(16)}-01`, baggage: `sentry-trace_id=${parentTrace},sentry-sample_rate=0.125` }),
    'a deferred remote parent': extracted({ 'sentry-trace': `${parentTrace}-${'e'.repeat(16)}` }),
    'a deferred remote parent with sample_rand': extracted({ 'sentry-trace': `${parentTrace}-${'e'.repeat(16)}`, baggage: `sentry-trace_id=${parentTrace},sentry-sample_rand=0.2` }),
  };
  const spans: Array<[string, Record<string, string>]> = [
    ['op', {}],
    ['chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'noisy' }],
    ['GET /healthz', {}],
    ['GET', { 'url.path': '/users/42/history' }],
    ['boring', {}],
  ];
  const configs: Array<Record<string, string>> = [
    { SENTRY_TRACES_SAMPLE_RATE: '0' },
    { SENTRY_TRACES_SAMPLE_RATE: '0.3' },
    { SENTRY_TRACES_SAMPLE_RATE: '1' },
    ...['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'].map((name) => ({
      OTEL_TRACES_SAMPLER: name,
      OTEL_TRACES_SAMPLER_ARG: '0.3',
    })),
  ];

  it.each(configs)('under %o', (env) => {
    const config = { ...sampling(env), rules: [{ agent: 'noisy', rate: 0 }, { urlPath: '/users/:id/history', rate: 0.5 }, { spanName: 'boring', rate: 0 }] };
    const ours = createBridgeSampler(config);
    const reference = composedSampler(config);
    let compared = 0;
    for (const [parentName, ctx] of Object.entries(parents)) {
      for (const [name, attributes] of spans) {
        for (let i = 0; i < 40; i++) {
          // Children share their parent's trace id (the tracer passes it); roots get new ones.
          const traceId = i % 2 === 0 ? parentTrace : randomTraceId(i);
          const got = ours.shouldSample(ctx, traceId, name, SpanKind.SERVER, attributes, []);
          const want = reference.shouldSample(ctx, traceId, name, SpanKind.SERVER, attributes, []);
          expect({ parentName, name, decision: got.decision, attributes: got.attributes, traceState: got.traceState }).toEqual({
            parentName,
            name,
            decision: want.decision,
            attributes: want.attributes,
            traceState: want.traceState,
          });
          compared++;
        }
      }
    }
    expect(compared).toBe(Object.keys(parents).length * spans.length * 40);
  });
});

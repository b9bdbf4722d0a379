/**
 * Issue 22 item 3: errored traces kept whole at low sampling. The real SDK with the bridge's sampler at rate 0;
 * the export pipeline is the SDK's own SimpleSpanProcessor (it exports sampled spans only, as the batch one does).
 */
import { ROOT_CONTEXT, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridgeSampler } from '../../../src/sampling/index.js';
import { ATTR_KEPT_FOR, ErrorTraceProcessor, type ErrorTraceOptions } from '../../../src/processors/error-traces.js';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE } from '../../../src/propagation/index.js';

let providers: TracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

function setup(options: Partial<ErrorTraceOptions> = {}, rate = 0): { tracer: Tracer; exported: () => ReadableSpan[]; keeper: ErrorTraceProcessor } {
  const exporter = new InMemorySpanExporter();
  const pipeline = new SimpleSpanProcessor({ exporter });
  const keeper = new ErrorTraceProcessor({ exportTo: [pipeline], maxBytes: 1 << 20, maxAgeMs: 60_000, ...options });
  const provider = new TracerProvider({
    sampler: createBridgeSampler({ rootRate: rate, rootRateSource: 'environment', explicit: undefined, rules: [] }),
    spanProcessors: [keeper, pipeline],
  });
  providers.push(provider);
  return { tracer: provider.getTracer('error-traces'), exported: () => exporter.getFinishedSpans(), keeper };
}

/** root → memory (ok) → chat (fails as `fail` says) → root ends after the failure. */
function agentStep(tracer: Tracer, fail: { type: string; status?: number } | undefined): string {
  const root = tracer.startSpan('invoke_agent planner');
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  tracer.startSpan('search notes', {}, ctx).end();
  const chat = tracer.startSpan('chat gpt-4o', {}, ctx);
  if (fail !== undefined) {
    const error = Object.assign(new Error('boom'), { name: fail.type });
    chat.recordException(error);
    if (fail.status !== undefined) chat.setAttribute('http.response.status_code', fail.status);
    chat.setStatus({ code: SpanStatusCode.ERROR });
  }
  chat.end();
  tracer.startSpan('after the failure', {}, ctx).end();
  root.end();
  return root.spanContext().traceId;
}

describe('errored traces kept at sampling 0', () => {
  it('a trace with a bug is exported whole — spans before and after the failure — marked and counted once', () => {
    const { tracer, exported } = setup();
    const failing = agentStep(tracer, { type: 'TypeError' });
    const fine = agentStep(tracer, undefined);
    const spans = exported();
    expect(spans.map((s) => s.name).sort()).toEqual(['after the failure', 'chat gpt-4o', 'invoke_agent planner', 'search notes']);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([failing]));
    expect(spans.map((s) => s.spanContext().traceId)).not.toContain(fine);
    for (const span of spans) {
      expect(span.attributes[ATTR_KEPT_FOR]).toBe('error');
      expect(span.attributes[ATTR_SENTRY_CLIENT_SAMPLE_RATE]).toBe(1);
    }
    // parentage survives: every span but the root has its parent among the kept ones
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(spans.filter((s) => s.parentSpanContext !== undefined && !ids.has(s.parentSpanContext.spanId))).toHaveLength(0);
  });

  it('an operational error (a ValidationError, a 429) keeps nothing', () => {
    const { tracer, exported } = setup();
    agentStep(tracer, { type: 'ValidationError' });
    agentStep(tracer, { type: 'RateLimitError', status: 429 });
    expect(exported()).toHaveLength(0);
  });

  it('sampled traces are exported once, by the pipeline itself (nothing doubled)', () => {
    const { tracer, exported } = setup({}, 1);
    agentStep(tracer, { type: 'TypeError' });
    expect(exported()).toHaveLength(4);
    expect(exported().every((s) => s.attributes[ATTR_KEPT_FOR] === undefined)).toBe(true);
  });

  it('under a flood of unsampled traces the held bytes never exceed the bound; the newest traces are still kept', () => {
    const maxBytes = 256 * 1024;
    const { tracer, exported, keeper } = setup({ maxBytes });
    let peak = 0;
    // long-running traces (their roots still open), each flooding spans
    const roots = Array.from({ length: 10 }, (_, i) => tracer.startSpan(`invoke_agent long ${i}`));
    for (let i = 0; i < 5_000; i++) {
      const span = tracer.startSpan(`step ${i}`, { attributes: { prompt: 'x'.repeat(1_000) } }, trace.setSpan(ROOT_CONTEXT, roots[i % roots.length]!));
      span.end();
      peak = Math.max(peak, keeper.heldBytes());
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);
    expect(peak).toBeGreaterThan(maxBytes / 2);
    agentStep(tracer, { type: 'TypeError' });
    expect(exported()).toHaveLength(4);
  });

  it('a trace started here that ends without a bug leaves nothing held', () => {
    const { tracer, keeper, exported } = setup();
    agentStep(tracer, undefined);
    expect(keeper.heldBytes()).toBe(0);
    expect(exported()).toHaveLength(0);
  });

  it('spans older than the age bound leave the buffer unkept', () => {
    let now = 0;
    const { tracer, exported } = setup({ maxAgeMs: 1_000, now: () => now });
    const root = tracer.startSpan('invoke_agent slow');
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    tracer.startSpan('early step', {}, ctx).end();
    now = 5_000;
    tracer.startSpan('late step', {}, ctx).end();
    const failing = tracer.startSpan('chat', {}, ctx);
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    root.end();
    expect(exported().map((s) => s.name).sort()).toEqual(['chat', 'invoke_agent slow', 'late step']);
  });
});

/**
 * The spans the bridge makes at start so V8 does not pretenure the tracing SDK's per-span objects
 * (instrumentation/allocation-feedback.ts). Real V8, real SDK, real agent helpers, each run in a fresh process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ROOT_CONTEXT, context, createNoopMeter, metrics, trace, type Context } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTLING_SPANS, settleSpanAllocationFeedback } from '../../../instrumentation/allocation-feedback.js';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../../fixtures/gc/span-pretenuring.mjs', import.meta.url));

/** One probe process: a grown heap (it imported @sentry/node), 1,000 agent steps, then where a fresh span's objects live. */
async function probe(variant: 'none' | 'settle'): Promise<{ statusYoung: boolean; endTimeYoung: boolean }> {
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', PROBE, variant], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { statusYoung: boolean; endTimeYoung: boolean };
}

afterEach(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

describe('settling V8’s allocation feedback for span objects', () => {
  it('keeps the SDK’s per-span objects in the young generation where V8 would otherwise pretenure them', async () => {
    // Without it, in this Node, V8 allocates every later span's status and end time in the old generation: the
    // condition the settle exists for (if a Node upgrade stops this, the settle may have become unnecessary).
    expect(await probe('none')).toMatchObject({ statusYoung: false, endTimeYoung: false });
    expect(await probe('settle')).toMatchObject({ statusYoung: true, endTimeYoung: true });
  }, 120_000);

  it('its spans reach no processor, exporter or meter of the application', () => {
    const ended: ReadableSpan[] = [];
    const seen: SpanProcessor = {
      onStart: (_span: Span, _ctx: Context) => {},
      onEnd: (span) => void ended.push(span),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    let measurements = 0;
    const meter = createNoopMeter();
    metrics.setGlobalMeterProvider({
      getMeter: () => ({ ...meter, createCounter: () => ({ add: () => void measurements++ }), createUpDownCounter: () => ({ add: () => void measurements++ }) }),
    });
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [seen] }));
    settleSpanAllocationFeedback(resourceFromAttributes({ 'service.name': 'app' }));
    // Nothing on the global meter provider either (the settling provider has a no-op one of its own for the SDK's
    // otel.sdk.span.* metrics, whatever the SDK's default becomes)…
    expect(measurements).toBe(0);
    expect(ended).toEqual([]);
    // …while the application's own spans go on as before.
    trace.getTracer('app').startSpan('the app’s own', {}, ROOT_CONTEXT).end();
    expect(ended.map((span) => span.name)).toEqual(['the app’s own']);
    expect(SETTLING_SPANS).toBeGreaterThanOrEqual(100); // V8 decides a site's fate from 100 counted objects on
  });

  it('never throws into the host', () => {
    const broken = { attributes: {}, merge: () => broken, getRawAttributes: () => { throw new Error('broken resource'); } };
    expect(() => settleSpanAllocationFeedback(broken as never)).not.toThrow();
  });
});

/**
 * Keeps the tracing SDK's per-span objects in V8's young generation for the life of the process.
 *
 * V8 decides per allocation site (an object or array literal in the code) whether to allocate it in the old generation
 * from then on ("pretenuring"), from what a young-generation collection finds: if at least 85 % of the objects
 * counted from a site since the last collection are still alive, and the young generation holds at least 16 MB on
 * 64-bit Node, the site is tenured; below 85 % it is marked "don't tenure". Either decision is kept for the life of the
 * process (v8 src/heap/pretenuring-handler.cc `MakePretenureDecision`, as vendored in nodejs/node deps/v8). In a
 * process whose young generation has already grown that far when its first spans are made — any application of some
 * size, or one that loaded the Sentry SDK — V8 tenured the sites of sdk-trace's `SpanImpl` fields (`status`,
 * `endTime`, `_duration`, in some processes `events`) and of the SDK's time arrays within the first few hundred spans,
 * and every later span's objects became old-generation garbage (`npm run bench`, sustained, the bridge at 1.0: RSS
 * under load 241 MB with the sites tenured, 191–193 once settled; GC pauses 1.3–1.5 against 0.5–0.8 µs per step;
 * bare OpenTelemetry in a process that imported `@sentry/node` got the same, bench/README.md "Findings of 2026-12-03,
 * 12:35–14:00").
 *
 * So at start the bridge makes a few hundred spans that die at once, on a tracer provider of its own (the bridge's
 * class, so the same allocation sites, its fast `startSpan`'s included; no processors, no exporter, no meter): the
 * next collection finds those sites' objects dead and marks them "don't tenure" before the application's first span.
 * 5–9 ms at start on cold code (measured alone, three cold processes); nothing of it is exported, counted or kept. A
 * V8 that counts differently just makes this a few hundred short-lived objects.
 */
import { ROOT_CONTEXT, createNoopMeter, type MeterProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { BridgeTracerProvider } from '../src/tracing/bridge-tracer-provider.js';

/** Well above V8's minimum of 100 objects counted per site, so the first collection decides. */
export const SETTLING_SPANS = 500;

/** The SDK's own span metrics (otel.sdk.span.*) go nowhere, whatever sdk-trace's default meter provider becomes. */
const NO_METRICS: MeterProvider = { getMeter: () => createNoopMeter() };

/** Start and end `spans` throwaway spans through the SDK's span code (`resource`: the bridge's, so none is detected). */
export function settleSpanAllocationFeedback(resource: Resource, spans = SETTLING_SPANS): void {
  try {
    const tracer = new BridgeTracerProvider({ resource, meterProvider: NO_METRICS }).getTracer('agent-otel-bridge/allocation-feedback');
    for (let i = 0; i < spans; i++) {
      const span = tracer.startSpan('settle', { attributes: { i } }, ROOT_CONTEXT);
      span.setStatus({ code: 0 });
      span.end();
    }
  } catch {
    // an optimisation only: a failure here changes nothing for the application
  }
}

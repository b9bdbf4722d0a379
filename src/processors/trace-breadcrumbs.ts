/**
 * Feeds the trace breadcrumb memory (src/context/trace-breadcrumbs.ts): every ended HTTP client, LLM, memory and
 * tool span below the root of a recorded trace, sampled or not — an error in an unsampled trace gets its
 * breadcrumbs too.
 * Runs before the sentry-errors processor, so a failing span finds the calls that ended before it.
 * When a trace started here ends (its root, a span without any parent), its breadcrumbs are let go — after the
 * processors that follow have seen the root, so a failing root still gets them: when the next span ends. Kept until
 * the trace-count bound instead, every breadcrumb outlived the young generation and a sustained load's peak RSS rose
 * by ~70 MB (`npm run bench`, bridge at sampling 1.0). A trace that arrived from another process may come back in
 * another request, so its breadcrumbs stay until the bounds let them go.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { breadcrumbFromSpan } from '../context/span-breadcrumb.js';
import type { TraceBreadcrumbs } from '../context/trace-breadcrumbs.js';
import { SpanStage } from './span-path.js';

export class TraceBreadcrumbsProcessor extends SpanStage {
  /**
   * The trace whose local root ended last, if it holds breadcrumbs: let go at the start of the next span's end.
   * Not in a microtask: with AsyncLocalStorage in use, Node makes an AsyncResource for every `queueMicrotask`, and
   * one per root was 0.6 µs per agent step in the sustained bench's step (timed in place, alternating blocks). Only
   * the last ended trace waits, whatever the traffic.
   */
  private endedTrace: string | undefined;

  constructor(private readonly memory: TraceBreadcrumbs) {
    super();
  }

  override onEnd(span: ReadableSpan): void {
    try {
      if (this.endedTrace !== undefined) {
        this.memory.forget(this.endedTrace);
        this.endedTrace = undefined;
      }
      const traceId = span.spanContext().traceId;
      if (span.parentSpanContext === undefined) {
        // The root's own breadcrumb would never be shown (an error on a span leaves that span out, and the trace
        // is forgotten right after). Only a trace that holds breadcrumbs is remembered for release.
        if (this.memory.has(traceId)) this.endedTrace = traceId;
        return;
      }
      const crumb = breadcrumbFromSpan(span);
      if (crumb !== undefined) this.memory.record(traceId, crumb);
    } catch {
      // a span we cannot read is no breadcrumb; never break the span path
    }
  }
}

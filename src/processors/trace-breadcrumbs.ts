/**
 * Feeds the trace breadcrumb memory (src/context/trace-breadcrumbs.ts): every ended HTTP client, LLM, memory and
 * tool span of a recorded trace, sampled or not — an error in an unsampled trace gets its breadcrumbs too.
 * Runs before the sentry-errors processor, so a failing span finds the calls that ended before it.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { breadcrumbFromSpan } from '../context/span-breadcrumb.js';
import type { TraceBreadcrumbs } from '../context/trace-breadcrumbs.js';

export class TraceBreadcrumbsProcessor implements SpanProcessor {
  constructor(private readonly memory: TraceBreadcrumbs) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      const crumb = breadcrumbFromSpan(span);
      if (crumb !== undefined) this.memory.record(span.spanContext().traceId, crumb);
    } catch {
      // a span we cannot read is no breadcrumb; never break the span path
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Feeds `LocalRootNames` (src/propagation/local-roots.ts): the local root spans this process starts (no parent or a
 * remote one), so the DSC it heads
 * carries the root's name as `transaction`, as a Sentry SDK's does. Two checks per span.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LocalRootNames } from '../propagation/local-roots.js';

export class LocalRootNamesProcessor implements SpanProcessor {
  constructor(private readonly names: LocalRootNames) {}

  onStart(span: Span, _parentContext: Context): void {
    if (isLocalRoot(span)) this.names.started(span.spanContext().traceId, span);
  }

  onEnd(span: ReadableSpan): void {
    if (isLocalRoot(span)) this.names.ended(span.spanContext().traceId, span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sentry's root span is the local one (@sentry/core `getRootSpan` follows local parents): none, or a remote one. */
function isLocalRoot(span: ReadableSpan): boolean {
  const parent = span.parentSpanContext;
  return parent === undefined || parent.isRemote === true;
}

/**
 * Links each span started below a local root of this process to that root (src/propagation/local-roots.ts), so
 * the DSC it sends carries the root's name as `transaction`, as a Sentry SDK's does. One property write per
 * non-root span, nothing kept per trace.
 */
import type { Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { linkLocalRoot } from '../propagation/local-roots.js';

export class LocalRootsProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    try {
      linkLocalRoot(span, parentContext);
    } catch {
      // a span we cannot link sends no transaction; never break the span path
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

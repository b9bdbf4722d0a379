/**
 * Links each span started below a local root of this process to that root (src/propagation/local-roots.ts), so
 * the DSC it sends carries the root's name as `transaction`, as a Sentry SDK's does. One property write per
 * non-root span, nothing kept per trace.
 */
import type { Context } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { linkLocalRoot } from '../propagation/local-roots.js';
import { SpanStage } from './span-path.js';

export class LocalRootsProcessor extends SpanStage {
  override onStart(span: Span, parentContext: Context): void {
    try {
      linkLocalRoot(span, parentContext);
    } catch {
      // a span we cannot link sends no transaction; never break the span path
    }
  }
}

/**
 * Copies the allowlisted context (src/context/keys.ts: `user.id`, `tenant.id`, `session.id`,
 * `gen_ai.conversation.id`, …) onto every span of the trace at start — the approach of OpenTelemetry's
 * `@opentelemetry/baggage-span-processor` (opentelemetry-js-contrib packages/baggage-span-processor: baggage
 * members → span attributes in `onStart`), with an allowlist instead of a predicate and a bound on every value.
 *
 * Where a value comes from, first found wins:
 *   1. the span's own attribute (set at `startSpan`),
 *   2. the local parent span's attribute (so `span.setAttribute('user.id', …)` on a request's root reaches
 *      the spans started under it in this process),
 *   3. the baggage member of the same name (so the value crosses process boundaries with the trace).
 *
 * Cost: one baggage lookup and at most two attribute reads per allowlisted key (≤ MAX_CONTEXT_KEYS), no scan of
 * the values. A value longer than MAX_CONTEXT_VALUE_LENGTH is not an id: it is not copied and is counted
 * (`agent_bridge_context_dropped_total{reason="value_too_long"}`). The scrub processor still reads every copied
 * value at span end, like any other attribute.
 */
import { propagation, trace, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { MAX_CONTEXT_VALUE_LENGTH, contextIdValue, effectiveContextKeys, type ContextPolicy } from '../context/keys.js';
import { recordContextDrop } from '../self-metrics.js';
import { SpanStage } from './span-path.js';

export class ContextAttributesProcessor extends SpanStage {
  private readonly keys: string[];

  constructor(policy: ContextPolicy) {
    super();
    this.keys = effectiveContextKeys(policy);
  }

  override onStart(span: Span, parentContext: Context): void {
    if (this.keys.length === 0) return;
    try {
      const baggage = propagation.getBaggage(parentContext);
      const parent = trace.getSpan(parentContext);
      // Only a local, SDK-made parent has readable attributes; a remote parent is a bare SpanContext.
      const parentAttributes = (parent as Partial<ReadableSpan> | undefined)?.attributes;
      const own = span.attributes;
      for (const key of this.keys) {
        if (own[key] !== undefined) continue;
        const value = contextIdValue(parentAttributes?.[key]) ?? baggage?.getEntry(key)?.value;
        if (value === undefined || value === '') continue;
        if (value.length > MAX_CONTEXT_VALUE_LENGTH) {
          recordContextDrop('value_too_long');
          continue;
        }
        span.setAttribute(key, value);
      }
    } catch {
      // a baggage or parent we cannot read leaves the span without context; never break span start
    }
  }
}

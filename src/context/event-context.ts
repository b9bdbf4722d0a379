/**
 * What a Sentry error event learns from the trace it belongs to (docs/sentry.md, Context on error events):
 *   - `user.id` from `user.id` / `enduser.id` (Sentry's "users affected" counts distinct `user.id`s);
 *     `user.email` / `username` / `name` / `ip_address` only with the personal-data switch on;
 *   - one tag per other allowlisted key present (`tenant.id`, `session.id`, `gen_ai.conversation.id`, …):
 *     searchable and shown on the tag distribution;
 *   - `contexts.otel.attributes`: the failing span's attributes (already scrubbed at span end; the event is
 *     scrubbed again in `beforeSend`), without personal keys unless switched on, bounded in count and length.
 *     `otel` is the context Sentry's OpenTelemetry support fills (getsentry/relay relay-event-schema
 *     src/protocol/contexts/otel.rs `OtelContext { attributes, resource }`);
 *   - the recent calls of the trace as breadcrumbs (./trace-breadcrumbs.ts).
 * Values come from the span's attributes (copied there at start, src/processors/context-attributes.ts) and, for a
 * span that started before the context existed or for a process error, from the baggage of the active context.
 */
import { isSpanContextValid, propagation, trace, type AttributeValue, type Attributes, type Baggage, type Context } from '@opentelemetry/api';
import type { TraceBreadcrumbs } from './trace-breadcrumbs.js';
import type { Breadcrumb, Scope, User } from '@sentry/core';
import { MAX_CONTEXT_VALUE_LENGTH, PERSONAL_KEYS, contextIdValue, PERSONAL_USER_FIELDS, USER_ID_KEYS, effectiveContextKeys, type ContextPolicy } from './keys.js';

/** Span attributes kept in `contexts.otel.attributes`, and characters kept of each string value. */
export const MAX_CONTEXT_ATTRIBUTES = 64;
export const MAX_CONTEXT_ATTRIBUTE_LENGTH = 1024;
/** Sentry keeps at most this many breadcrumbs on an event (the SDK's default `maxBreadcrumbs`). */
const MAX_EVENT_BREADCRUMBS = 100;

export interface EventContext {
  user: User | undefined;
  tags: Record<string, string>;
  otelAttributes: Record<string, AttributeValue> | undefined;
}

/** Where an event's context is read from: the failing (or active) span's attributes and the context's baggage. */
export interface EventContextSource {
  attributes?: Attributes | undefined;
  baggage?: Baggage | undefined;
}

export class EventContextBuilder {
  private readonly keys: string[];

  constructor(private readonly policy: ContextPolicy) {
    this.keys = effectiveContextKeys(policy);
  }

  build(source: EventContextSource): EventContext {
    const values = new Map<string, string>();
    for (const key of this.keys) {
      const value = contextIdValue(source.attributes?.[key]) ?? source.baggage?.getEntry(key)?.value;
      if (value !== undefined && value !== '' && value.length <= MAX_CONTEXT_VALUE_LENGTH) values.set(key, value);
    }
    const user: User = {};
    const userIdKey = USER_ID_KEYS.find((key) => values.has(key));
    if (userIdKey !== undefined) user.id = values.get(userIdKey)!;
    if (this.policy.personalData) {
      for (const [key, field] of PERSONAL_USER_FIELDS) {
        const value = values.get(key);
        if (value !== undefined) user[field] = value;
      }
    }
    const tags: Record<string, string> = {};
    for (const [key, value] of values) if (!USER_ID_KEYS.includes(key) && !PERSONAL_KEYS.has(key)) tags[key] = value;
    return { user: Object.keys(user).length > 0 ? user : undefined, tags, otelAttributes: this.spanAttributes(source.attributes) };
  }

  private spanAttributes(attributes: Attributes | undefined): Record<string, AttributeValue> | undefined {
    if (attributes === undefined) return undefined;
    const out: Record<string, AttributeValue> = {};
    let count = 0;
    for (const key in attributes) {
      if (count >= MAX_CONTEXT_ATTRIBUTES) break;
      if (!this.policy.personalData && PERSONAL_KEYS.has(key)) continue;
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      out[key] = typeof value === 'string' && value.length > MAX_CONTEXT_ATTRIBUTE_LENGTH ? `${value.slice(0, MAX_CONTEXT_ATTRIBUTE_LENGTH)}…` : value;
      count++;
    }
    return count === 0 ? undefined : out;
  }
}

/**
 * The context and breadcrumbs read now, put on the event's scope later: an error is captured where it happened
 * (the failing span's end, the context a crash escaped from), the event is built once the Sentry SDK is up.
 */
export function eventDecoration(context: EventContext, breadcrumbs: readonly Breadcrumb[]): (scope: Scope) => void {
  return (scope) => applyEventContext(scope, context, breadcrumbs);
}

/**
 * The decoration for an error that escaped while `ctx` was active (an uncaught exception, an unhandled rejection):
 * the active span's attributes and the context's baggage, the active trace's recent calls. Read now, applied later.
 */
export function decorationForContext(builder: EventContextBuilder, ctx: Context, breadcrumbs: TraceBreadcrumbs | undefined): (scope: Scope) => void {
  const span = trace.getSpan(ctx);
  // A local SDK span exposes its attributes; a remote or non-recording one has none to read.
  const attributes = (span as { attributes?: Attributes } | undefined)?.attributes;
  const spanContext = span?.spanContext();
  const recent = spanContext === undefined || !isSpanContextValid(spanContext) ? [] : breadcrumbs?.recent(spanContext.traceId, spanContext.spanId) ?? [];
  return eventDecoration(builder.build({ attributes, baggage: propagation.getBaggage(ctx) }), recent);
}

/** Put the context and the trace's breadcrumbs on the scope the event is captured in. */
export function applyEventContext(scope: Scope, context: EventContext, breadcrumbs: readonly Breadcrumb[]): void {
  if (context.user !== undefined) scope.setUser(context.user);
  if (Object.keys(context.tags).length > 0) scope.setTags(context.tags);
  if (context.otelAttributes !== undefined) scope.setContext('otel', { attributes: context.otelAttributes });
  for (const breadcrumb of breadcrumbs) scope.addBreadcrumb(breadcrumb, MAX_EVENT_BREADCRUMBS);
}

/**
 * The DSC's `transaction`: the name of the trace's root span, for a trace this process heads.
 *
 * A Sentry SDK heading a trace puts its root span's name into the DSC unless the name came from a URL
 * (@sentry/core tracing/dynamicSamplingContext.js `getDynamicSamplingContextFromSpan`: `source !== 'url'`); Relay's
 * dynamic sampling rules match on it (getsentry/relay relay-sampling/src/dsc.rs `transaction`; sentry-docs
 * develop-docs/sdk/telemetry/traces/dynamic-sampling-context.mdx). OpenTelemetry keeps no link from a span to its
 * trace's root, so the local roots this process starts are remembered here by trace id (bounded: the older half
 * is let go at once, src/bounded-map.ts).
 *
 * URL-sourced names are left out as Sentry does: an HTTP span without `http.route` is named from the request
 * target (src/naming/http-server-span-name.ts), and the route arrives only when the response ends — after every
 * downstream call has already sent its DSC.
 */
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { Attributes } from '@opentelemetry/api';
import { BoundedMap } from '../bounded-map.js';

/** What the registry reads from a root span: its current name and attributes (the SDK's span objects). */
export interface RootSpanView {
  readonly name: string;
  readonly attributes: Attributes;
}

/** Relay cuts transaction names at 200 characters (relay-event-schema `Event.transaction`, max_chars 200). */
const MAX_TRANSACTION_LENGTH = 200;

export class LocalRootNames {
  /** traceId → the running root span, or once it ended its final transaction name (`null`: none to send). */
  private readonly roots: BoundedMap<string, RootSpanView | string | null>;

  constructor(capacity = 4096) {
    this.roots = new BoundedMap(capacity);
  }

  /** A local root started (no parent, or a remote one): the latest one names the trace in this process. */
  started(traceId: string, span: RootSpanView): void {
    this.roots.set(traceId, span);
  }

  /** The root ended: keep its final name only, not the span. */
  ended(traceId: string, span: RootSpanView): void {
    if (this.roots.get(traceId) === span) this.roots.set(traceId, transactionName(span));
  }

  /** The DSC `transaction` for a trace this process heads, or `undefined` (unknown root, URL-sourced name). */
  readonly transactionOf = (traceId: string): string | undefined => {
    const root = this.roots.get(traceId);
    if (root === undefined || root === null) return undefined;
    return typeof root === 'string' ? root : (transactionName(root) ?? undefined);
  };
}

function transactionName(span: RootSpanView): string | null {
  const { name, attributes } = span;
  if (typeof name !== 'string' || name === '') return null;
  const urlSourced = attributes[ATTR_HTTP_REQUEST_METHOD] !== undefined && attributes[ATTR_HTTP_ROUTE] === undefined;
  return urlSourced ? null : name.slice(0, MAX_TRANSACTION_LENGTH);
}

/**
 * The DSC's `transaction`: the name of the local root span of the span a DSC is sent from, in a trace this process
 * heads.
 *
 * A Sentry SDK heading a trace puts its root span's name into the DSC unless the name came from a URL
 * (@sentry/core tracing/dynamicSamplingContext.js `getDynamicSamplingContextFromSpan`: `source !== 'url'`); Relay's
 * dynamic sampling rules match on it (getsentry/relay relay-sampling/src/dsc.rs `transaction`; sentry-docs
 * develop-docs/sdk/telemetry/traces/dynamic-sampling-context.mdx).
 *
 * OpenTelemetry keeps no link from a span to its root. As Sentry's SDK does (@sentry/core utils/spanUtils.js
 * `addChildSpanToSpan` puts `_sentryRootSpan` on every child, `getRootSpan` reads it), each span started below a
 * local root gets a reference to that root when it starts (`linkLocalRoot`, from the local-root processor's
 * onStart), and the name is read from the root itself: while it runs (an HTTP server span is renamed once its
 * route is known) and after it ended, for as long as a span or context of the trace is around to send a DSC.
 * Nothing is kept per trace. (Until 2026-12 a map from trace id to the root's name kept each trace for ~4,096
 * traces: every entry outlived V8's young generation and was only collected by full GCs — `npm run bench`.)
 *
 * URL-sourced names are left out as Sentry does: an HTTP span without `http.route` is named from the request
 * target (src/naming/http-server-span-name.ts), and the route arrives only when the response ends — after every
 * downstream call has already sent its DSC.
 */
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { trace, type Attributes, type Context, type SpanContext } from '@opentelemetry/api';

/** What is read from a root span: the SDK's span objects (a recording span started by a tracer of ours). */
export interface RootSpanView {
  readonly name: string;
  readonly attributes: Attributes;
  readonly parentSpanContext?: SpanContext | undefined;
}

/** Relay cuts transaction names at 200 characters (relay-event-schema `Event.transaction`, max_chars 200). */
const MAX_TRANSACTION_LENGTH = 200;

/** A symbol, not a string key: invisible to `Object.keys`, JSON and every exporter that walks a span's fields. */
const LOCAL_ROOT = Symbol('agent-otel-bridge.local-root');

type Linkable = object & { [LOCAL_ROOT]?: RootSpanView };

/**
 * Sentry's root span is the local one (@sentry/core `getRootSpan` follows local parents): a span without a parent,
 * or with a remote one, is its own root.
 */
export function isLocalRoot(span: { readonly parentSpanContext?: SpanContext | undefined }): boolean {
  const parent = span.parentSpanContext;
  return parent === undefined || parent.isRemote === true;
}

/**
 * Call when `span` starts in `parentContext` (a span processor's onStart): a span below a local root remembers that
 * root. A root itself stores nothing (it is found as its own root), and neither does a span whose parent is not a
 * span of ours (a non-recording one): its DSC then has no `transaction`.
 */
export function linkLocalRoot(span: object & { readonly parentSpanContext?: SpanContext | undefined }, parentContext: Context): void {
  if (isLocalRoot(span)) return;
  const root = localRootOf(trace.getSpan(parentContext));
  if (root !== undefined) (span as Linkable)[LOCAL_ROOT] = root;
}

/** The local root of a span (itself when it is one), or `undefined` when it is not a recording span of ours. */
export function localRootOf(span: unknown): RootSpanView | undefined {
  if (typeof span !== 'object' || span === null) return undefined;
  const linked = (span as Linkable)[LOCAL_ROOT];
  if (linked !== undefined) return linked;
  return isRootView(span) && isLocalRoot(span) ? span : undefined;
}

/** The DSC `transaction` for a DSC sent from `ctx` (the local root of its active span), or `undefined`. */
export function localRootTransaction(ctx: Context): string | undefined {
  const root = localRootOf(trace.getSpan(ctx));
  return root === undefined ? undefined : (transactionName(root) ?? undefined);
}

/** The SDK's span objects have their name, attributes and (possibly undefined) parent span context as fields. */
function isRootView(span: object): span is RootSpanView {
  const view = span as Partial<RootSpanView>;
  return typeof view.name === 'string' && typeof view.attributes === 'object' && view.attributes !== null && 'parentSpanContext' in span;
}

function transactionName(span: RootSpanView): string | null {
  const { name, attributes } = span;
  if (typeof name !== 'string' || name === '') return null;
  const urlSourced = attributes[ATTR_HTTP_REQUEST_METHOD] !== undefined && attributes[ATTR_HTTP_ROUTE] === undefined;
  return urlSourced ? null : name.slice(0, MAX_TRANSACTION_LENGTH);
}

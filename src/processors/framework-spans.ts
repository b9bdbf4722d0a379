/**
 * Web-framework spans hand what they learned to the request's HTTP server span.
 *
 * Express, Koa, Fastify (`@fastify/otel`) and Hono (`@hono/otel`) record the exception a route threw on their own
 * layer/handler span, which ends *before* the response is written — so that span cannot tell a 500 from a 404
 * the framework's error handler made of it, and Koa's layer spans record the exception without an ERROR status.
 * The HTTP server span can: the HTTP instrumentation sets ERROR on it exactly for 5xx responses (OTel semconv,
 * "HTTP server span status"). So when a framework span ends with an exception event while its request's server
 * span is still open, the exception is copied onto the server span (once per exception), and the sentry-errors
 * processor reports it from there — one Sentry issue for a handled 5xx, linked to the request's span, and none
 * for a 4xx. This is what Sentry's own `setupExpressErrorHandler` / `setupFastifyErrorHandler` /
 * `setupKoaErrorHandler` / `honoIntegration` decide by the response status (`shouldHandleError`: status ≥ 500),
 * done here through OpenTelemetry only.
 *
 * The route: Express, Koa and Fastify put it into the request's RPC metadata, from which the HTTP instrumentation
 * names the server span `{METHOD} {route}` when it ends; `@hono/otel` only sets `http.route` on its own span, so
 * that route is copied into the RPC metadata when none is there.
 *
 * The server span is found through the RPC metadata the HTTP instrumentation puts into the request's context
 * (@opentelemetry/core `setRPCMetadata`), so only the framework span's start context is read; the per-span memory is
 * a WeakMap (it lives exactly as long as the open framework spans).
 */
import { type Context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType, type RPCMetadata } from '@opentelemetry/core';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { EXCEPTION_EVENT, lastException } from '../errors/exception-event.js';
import { SpanStage } from './span-path.js';

/** Instrumentation scopes of the framework instrumentations the preload registers (and the Hono middleware). */
export const FRAMEWORK_SCOPES: ReadonlySet<string> = new Set([
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-koa',
  '@fastify/otel',
  '@hono/otel',
]);

type HttpRequestMetadata = Extract<RPCMetadata, { type: RPCType.HTTP }>;

export class FrameworkSpansProcessor extends SpanStage {
  private readonly requests = new WeakMap<Span, HttpRequestMetadata>();

  private readonly handedOver = new WeakSet<ReadableSpan>();

  override onStart(span: Span, parentContext: Context): void {
    try {
      if (!FRAMEWORK_SCOPES.has(span.instrumentationScope.name)) return;
      const metadata = getRPCMetadata(parentContext);
      if (metadata?.type === RPCType.HTTP) this.requests.set(span, metadata);
    } catch {
      // without the request span the framework span reports its own error, as any span does
    }
  }

  override onEnd(span: ReadableSpan): void {
    try {
      const metadata = this.requests.get(span as Span);
      if (metadata === undefined) return;
      this.requests.delete(span as Span);
      const route = span.attributes[ATTR_HTTP_ROUTE];
      if (metadata.route === undefined && typeof route === 'string' && route !== '') metadata.route = route;
      const exception = lastException(span);
      if (exception === undefined || !metadata.span.isRecording()) return;
      // The SDK's spans are ReadableSpans; another API span shows no events, so it gets the exception added.
      const request = metadata.span as Partial<ReadableSpan>;
      const already = Array.isArray(request.events) ? lastException(request as ReadableSpan) : undefined;
      if (!sameException(already, exception)) metadata.span.addEvent(EXCEPTION_EVENT, exception);
      this.handedOver.add(span);
    } catch {
      // a span we cannot read keeps its own exception
    }
  }

  /** Whether `span`'s exception now lives on its request's server span (which reports it, or not, by its status). */
  isHandedOver(span: ReadableSpan): boolean {
    return this.handedOver.has(span);
  }
}

/** The same exception rethrown through nested layers (Koa records it on every middleware it passes). */
function sameException(a: ReturnType<typeof lastException>, b: NonNullable<ReturnType<typeof lastException>>): boolean {
  if (a === undefined) return false;
  return [ATTR_EXCEPTION_TYPE, ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE].every((key) => a[key] === b[key]);
}

/**
 * FrameworkSpansProcessor on the real OpenTelemetry SDK: a framework span (by instrumentation scope) under an open
 * HTTP request (RPC metadata in its start context, as the HTTP instrumentation sets it) hands its exception to the
 * request span once and its route when the request has none; anything else keeps its own exception. The e2e
 * (test/e2e/framework-errors.test.ts) runs the real frameworks.
 */
import { context, trace, SpanKind, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FrameworkSpansProcessor } from '../../../src/processors/framework-spans.js';

const contextManager = new AsyncLocalStorageContextManager();
const exporter = new InMemorySpanExporter();
const frameworkSpans = new FrameworkSpansProcessor();
const provider = new TracerProvider({ spanProcessors: [frameworkSpans, new SimpleSpanProcessor({ exporter })] });
const http = provider.getTracer('@opentelemetry/instrumentation-http');
const koa = provider.getTracer('@opentelemetry/instrumentation-koa');
const other = provider.getTracer('my-app');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

/** A request span as the HTTP instrumentation opens it: in the context, with its RPC metadata. */
function openRequest(): { ctx: Context; metadata: RPCMetadata & { type: RPCType.HTTP }; end: () => ReadableSpan } {
  const span = http.startSpan('GET', { kind: SpanKind.SERVER });
  const metadata = { type: RPCType.HTTP as const, span };
  const ctx = setRPCMetadata(trace.setSpan(context.active(), span), metadata);
  return {
    ctx,
    metadata,
    end: () => {
      span.end();
      return exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId)!;
    },
  };
}

function layer(tracer = koa, ctx: Context, error?: Error, route?: string): ReadableSpan {
  const span = tracer.startSpan('router - /users/:id', route === undefined ? {} : { attributes: { [ATTR_HTTP_ROUTE]: route } }, ctx);
  if (error !== undefined) span.recordException(error);
  span.end();
  return exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId)!;
}

const exceptions = (span: ReadableSpan) => span.events.filter((e) => e.name === 'exception');

describe('FrameworkSpansProcessor', () => {
  it('nested framework spans recording one exception: it lands on the request span once; both are handed over', () => {
    const request = openRequest();
    const error = new TypeError('boom');
    const inner = layer(koa, request.ctx, error);
    const outer = layer(koa, request.ctx, error);
    const server = request.end();
    expect(exceptions(server)).toHaveLength(1);
    expect(exceptions(server)[0]!.attributes).toEqual(exceptions(inner)[0]!.attributes);
    expect([frameworkSpans.isHandedOver(inner), frameworkSpans.isHandedOver(outer)]).toEqual([true, true]);
  });

  it('the route of a framework span fills the request route only when none is set', () => {
    const request = openRequest();
    layer(koa, request.ctx, undefined, '/users/:id');
    expect(request.metadata.route).toBe('/users/:id');
    layer(koa, request.ctx, undefined, '/other');
    expect(request.metadata.route).toBe('/users/:id');
    request.end();
  });

  it('no request in the start context, the request already ended, or not a framework scope: the span keeps its exception', () => {
    const lone = layer(koa, context.active(), new Error('no request'));
    expect(frameworkSpans.isHandedOver(lone)).toBe(false);

    const late = openRequest();
    const server = late.end();
    const afterEnd = layer(koa, late.ctx, new Error('after the response'));
    expect(frameworkSpans.isHandedOver(afterEnd)).toBe(false);
    expect(exceptions(server)).toHaveLength(0);

    const request = openRequest();
    const app = layer(other, request.ctx, new Error('app span'));
    expect(frameworkSpans.isHandedOver(app)).toBe(false);
    expect(exceptions(request.end())).toHaveLength(0);
  });
});

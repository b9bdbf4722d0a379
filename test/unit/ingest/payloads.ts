/**
 * Request bodies for the ingest tests, built by the real OpenTelemetry SDK and serializers (the ones the OTLP
 * exporters use) and in the Sentry envelope format, so decoding is checked against independent encoders.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

export const REMOTE_PARENT_SPAN_ID = 'abcdefabcdef0123';

/**
 * Two services, one trace: `frontend` GET /checkout → `orders` charge (ERROR, with an exception event). With
 * `remoteParent`, GET /checkout continues a trace from another process (its parent context is remote).
 */
export async function sampleSpans(options: { remoteParent?: boolean } = {}): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const make = (service: string): TracerProvider =>
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'test' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
  const frontend = make('frontend');
  const orders = make('orders');
  const parent = options.remoteParent === true
    ? trace.setSpanContext(context.active(), { traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', spanId: REMOTE_PARENT_SPAN_ID, traceFlags: 1, isRemote: true })
    : context.active();
  const root = frontend.getTracer('test').startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.route': '/checkout', 'http.response.status_code': 200 } }, parent);
  const ctx = trace.setSpan(context.active(), root);
  const child = orders.getTracer('test', '1.2.3').startSpan('charge', {
    kind: SpanKind.CLIENT,
    attributes: { 'gen_ai.usage.input_tokens': 12, ratio: 0.5, tags: ['a', 'b'], ok: false },
  }, ctx);
  child.recordException(new TypeError('card declined'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  child.end();
  root.end();
  await frontend.forceFlush();
  await orders.forceFlush();
  return exporter.getFinishedSpans();
}

export function otlpProto(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

export function otlpJson(spans: ReadableSpan[]): Buffer {
  return Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
}

export type EnvelopeItemSpec = [header: Record<string, unknown>, payload: unknown];

/** Serialises an envelope the way @sentry/core does (JSON lines; binary items with `length`). */
export function envelope(header: Record<string, unknown>, items: EnvelopeItemSpec[]): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header))];
  for (const [itemHeader, payload] of items) {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
    const h = Buffer.isBuffer(payload) ? { ...itemHeader, length: body.length } : itemHeader;
    parts.push(Buffer.from(`\n${JSON.stringify(h)}\n`), body);
  }
  return Buffer.concat(parts);
}

export const TRACE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function errorEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: '0123456789abcdef0123456789abcdef',
    timestamp: 1_767_225_600.5,
    platform: 'node',
    level: 'error',
    release: 'svc@1.0.0',
    environment: 'test',
    server_name: 'host-1',
    tags: { 'gen_ai.agent.name': 'planner' },
    contexts: { trace: { trace_id: TRACE_ID, span_id: '1111111111111111' } },
    exception: {
      values: [
        {
          type: 'TypeError',
          value: 'boom',
          mechanism: { type: 'generic', handled: true },
          stacktrace: { frames: [{ filename: '/app/a.js', function: 'outer', lineno: 1, colno: 2 }, { filename: '/app/b.js', function: 'inner', lineno: 3, colno: 4, in_app: true }] },
        },
      ],
    },
    sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
    ...overrides,
  };
}

export function transaction(): Record<string, unknown> {
  return {
    type: 'transaction',
    event_id: 'fedcba9876543210fedcba9876543210',
    transaction: 'GET /orders',
    start_timestamp: 1_767_225_600.0,
    timestamp: 1_767_225_600.25,
    contexts: {
      trace: { trace_id: TRACE_ID, span_id: '2222222222222222', op: 'http.server', status: 'ok', data: { 'http.method': 'GET' } },
      otel: { resource: { 'service.name': 'orders-sentry' } },
    },
    spans: [
      { span_id: '3333333333333333', parent_span_id: '2222222222222222', trace_id: TRACE_ID, description: 'SELECT orders', op: 'db', start_timestamp: 1_767_225_600.05, timestamp: 1_767_225_600.15, status: 'internal_error', data: { 'db.system': 'postgresql' } },
    ],
  };
}

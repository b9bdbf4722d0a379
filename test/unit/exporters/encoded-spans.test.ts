/**
 * The export slot encodes each sampled span as it ends (exporters/otlp-proto-encoder.ts `createSpanEncoder`): the
 * batch processor holds bytes, not spans, and the request the real OTLP exporter sends over loopback is byte for
 * byte what encoding the same spans at export time gives. Real SDK, real BatchSpanProcessor, real exporter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceFlags, type Context } from '@opentelemetry/api';
import { AlwaysOffSampler, TracerProvider, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { CountingBatchSpanProcessor, createSlotTap } from '../../../src/processors/counting-batch.js';
import { createOtlpProtoTraceExporter } from '../../../exporters/otlp-proto-encoder-exporter.js';
import { EncodedSpan, createSpanEncoder, encodeTraceRequest } from '../../../exporters/otlp-proto-encoder.js';
import { sentrySpanAttributes } from '../../../exporters/sentry-span-attributes.js';
import { decodeExportTraceServiceRequest } from '../../../src/ingest/otlp-proto.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback OTLP sink keeping every request body. */
async function sink() {
  const bodies: Buffer[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/traces`, bodies };
}

/** Keeps every ended span as the SDK hands it to processors (placed before the slot). */
class Tap implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(_span: Span, _ctx: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

/** What the exporter is handed, checked before it passes on. */
function watched(inner: SpanExporter, seen: unknown[][]): SpanExporter {
  return {
    export: (items, done) => {
      seen.push(items);
      inner.export(items, done);
    },
    shutdown: () => inner.shutdown(),
  };
}

describe('spans encoded as they end', () => {
  it('the batch processor holds bytes; the request sent is what encoding the spans at export gives', async () => {
    const { url, bodies } = await sink();
    const attributes = sentrySpanAttributes({ release: 'agent@1.2.3', environment: 'production' });
    const handed: unknown[][] = [];
    const outcomes = { exported: 0, failed: 0, dropped: 0 };
    const tap = new Tap();
    const slot = new CountingBatchSpanProcessor({
      name: 'test',
      exporter: watched(createOtlpProtoTraceExporter({ url }), handed),
      record: (outcome, _name, count) => (outcomes[outcome as keyof typeof outcomes] += count),
      maxExportBatchSize: 64,
      scheduledDelayMillis: 60_000,
      encode: createSpanEncoder(attributes),
    });
    const provider = new TracerProvider({ spanProcessors: [tap, slot] });
    const tracer = provider.getTracer('encoded', '1.0.0');
    for (let i = 0; i < 150; i++) {
      const parent = tracer.startSpan(`invoke_agent ${i}`, { attributes: { 'gen_ai.agent.name': 'planner', i, 'é': 'ü'.repeat(i % 7) } });
      parent.addEvent('step', { n: i });
      parent.end();
    }
    await provider.forceFlush();
    expect(outcomes).toEqual({ exported: 150, failed: 0, dropped: 0 });
    // What the exporter got: encoded spans only, each holding no reference to its span.
    const items = handed.flat();
    expect(items).toHaveLength(150);
    for (const item of items) {
      expect(item).toBeInstanceOf(EncodedSpan);
      expect(Object.values(item as object).some((value) => tap.spans.includes(value as ReadableSpan))).toBe(false);
    }
    // Batch by batch, the bytes on the wire are those of the same spans encoded at export time.
    let offset = 0;
    expect(bodies).toHaveLength(handed.length);
    bodies.forEach((body, i) => {
      const spans = tap.spans.slice(offset, (offset += handed[i]!.length));
      expect(body.equals(Buffer.from(encodeTraceRequest(spans, attributes)))).toBe(true);
    });
    const decoded = decodeExportTraceServiceRequest(bodies[0]!);
    expect(JSON.stringify(decoded)).toContain('agent@1.2.3');
    await provider.shutdown();
  });

  it('a span that cannot be encoded is counted failed; the app ending it sees nothing', async () => {
    const outcomes = { exported: 0, failed: 0, dropped: 0 };
    const exported: unknown[] = [];
    const slot = new CountingBatchSpanProcessor({
      name: 'test',
      exporter: { export: (items, done) => (exported.push(...items), done({ code: 0 })), shutdown: () => Promise.resolve() },
      record: (outcome, _name, count) => (outcomes[outcome as keyof typeof outcomes] += count),
      encode: (span) => {
        if (span.name === 'bad') throw new Error('cannot encode');
        return createSpanEncoder()(span);
      },
    });
    const provider = new TracerProvider({ spanProcessors: [slot] });
    const tracer = provider.getTracer('encoded');
    expect(() => tracer.startSpan('bad').end()).not.toThrow();
    tracer.startSpan('good').end();
    await provider.forceFlush();
    expect(outcomes).toEqual({ exported: 1, failed: 1, dropped: 0 });
    expect(exported).toHaveLength(1);
    await provider.shutdown();
  });

  it('a span the full queue would drop is dropped before it is encoded, counted as the BSP counts it', async () => {
    let encoded = 0;
    const outcomes = { exported: 0, failed: 0, dropped: 0 };
    let release: (() => void) | undefined;
    const slot = new CountingBatchSpanProcessor({
      name: 'test',
      // An export that does not finish until released: the BSP exports one batch at a time, the rest waits.
      exporter: { export: (_items, done) => (release = () => done({ code: 0 })), shutdown: () => Promise.resolve() },
      record: (outcome, _name, count) => (outcomes[outcome as keyof typeof outcomes] += count),
      maxQueueSize: 4,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 60_000,
      encode: (span) => {
        encoded++;
        return createSpanEncoder()(span);
      },
    });
    const provider = new TracerProvider({ spanProcessors: [slot] });
    const tracer = provider.getTracer('encoded');
    for (let i = 0; i < 20; i++) tracer.startSpan(`span ${i}`).end();
    // 4 handed to the exporter (in flight), 4 queued, 12 dropped by the queue bound — and only the 8 kept encoded.
    expect(outcomes.dropped).toBe(12);
    expect(encoded).toBe(8);
    release!();
    await new Promise((resolve) => setImmediate(resolve));
    release!();
    await provider.forceFlush();
    expect(outcomes).toEqual({ exported: 8, failed: 0, dropped: 12 });
    await provider.shutdown();
  });

  it('a queue-size callback that throws reads as an empty queue: the span path never sees the throw', () => {
    let read: (() => number) | undefined;
    const meter = createSlotTap({ onDropped: () => {}, onQueueSize: (reader) => (read = reader) }).getMeter('bsp');
    meter.createObservableUpDownCounter('otel.sdk.processor.span.queue.size').addCallback(() => {
      throw new Error('broken callback');
    });
    expect(read!()).toBe(0);
    meter.createObservableUpDownCounter('otel.sdk.processor.span.queue.size').addCallback((result) => result.observe(7));
    expect(read!()).toBe(7);
  });

  it('an unsampled span is not encoded at all', async () => {
    let encoded = 0;
    const slot = new CountingBatchSpanProcessor({
      name: 'test',
      exporter: { export: (_items, done) => done({ code: 0 }), shutdown: () => Promise.resolve() },
      encode: (span) => {
        encoded++;
        return createSpanEncoder()(span);
      },
    });
    const provider = new TracerProvider({ spanProcessors: [slot], sampler: new AlwaysOffSampler() });
    const span = provider.getTracer('encoded').startSpan('unsampled');
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    span.end();
    // Recorded-but-unsampled spans (the bridge's AlwaysRecord sampler) reach the slot: a hand-made one stands in.
    slot.onEnd({ ...(span as unknown as ReadableSpan), spanContext: () => ({ ...span.spanContext(), traceFlags: TraceFlags.NONE }) });
    await provider.forceFlush();
    expect(encoded).toBe(0);
    await provider.shutdown();
  });
});

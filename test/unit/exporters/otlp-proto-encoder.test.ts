/**
 * Differential test of our OTLP protobuf encoder against the stock one (`ProtobufTraceSerializer` of
 * @opentelemetry/otlp-transformer 0.301) over generated spans: every attribute type (strings with non-ASCII and
 * lone surrogates, booleans, ints beyond 2^53 and negative, doubles incl. NaN/±Infinity, bytes, homogeneous and
 * mixed arrays, nested maps, null), events, links, status, remote and local parents, trace state, several resources
 * and scopes, dropped counts. Both outputs are decoded with the published OTLP schema and must be equal; the bytes
 * must be identical too, which also covers Span.flags / Link.flags (the generated schema predates those fields).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import { createSpanEncoder, encodeTraceRequest, type EncodedSpan } from '../../../exporters/otlp-proto-encoder.js';
import { decodeExportTraceServiceRequest } from '../../../src/ingest/otlp-proto.js';

const MIN_SPANS = 10_000;

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const text = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }), // non-ASCII, combining marks, astral planes
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'é', '日本語', '💥', '\ud800', 'a\udc00b', 'x'.repeat(200)), // empty, lone surrogates, > 127 bytes
);
const integer = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 53 + 2, 2 ** 62, -(2 ** 63), 2 ** 63, 2 ** 64),
);
const primitive = fc.oneof(text, fc.boolean(), integer, fc.double(), fc.uint8Array({ maxLength: 20 }));
const attributeValue = fc.oneof(
  { weight: 6, arbitrary: primitive },
  fc.array(text, { maxLength: 4 }),
  fc.array(integer, { maxLength: 4 }),
  fc.array(fc.oneof(primitive, fc.constant(null), fc.constant(undefined)), { maxLength: 4 }), // mixed
  fc.dictionary(text, primitive, { maxKeys: 3 }), // nested map (kvlist)
  fc.constant(null),
  fc.constant(undefined),
);
const attributes = fc.dictionary(text, attributeValue, { maxKeys: 6 });
// Seconds up to 2100 (the encoder's fast path), sometimes past 2^32 s (year 2106: its general path).
const hrTime = fc.tuple(
  fc.oneof({ arbitrary: fc.integer({ min: 0, max: 4_102_444_800 }), weight: 9 }, { arbitrary: fc.integer({ min: 4_294_967_000, max: 2 ** 34 }), weight: 1 }),
  fc.integer({ min: 0, max: 999_999_999 }),
) as fc.Arbitrary<HrTime>;
const count = fc.oneof(fc.constant(0), fc.nat(5000));
const traceState = fc.option(fc.constantFrom('vendor=value', 'a=1,b=2', 'sentry=x-y'), { nil: undefined }).map((s) => (s ? new TraceState(s) : undefined));
const spanContext = fc.record({
  traceId: hex(16),
  spanId: hex(8),
  traceFlags: fc.integer({ min: 0, max: 255 }),
  isRemote: fc.option(fc.boolean(), { nil: undefined }),
  traceState,
}) as fc.Arbitrary<SpanContext>;
const event = fc.record({ name: text, time: hrTime, attributes: fc.option(attributes, { nil: undefined }), droppedAttributesCount: fc.option(count, { nil: undefined }) });
const link = fc.record({ context: spanContext, attributes: fc.option(attributes, { nil: undefined }), droppedAttributesCount: fc.option(count, { nil: undefined }) }) as fc.Arbitrary<Link>;
const resource = fc.record({ attributes, schemaUrl: fc.option(fc.constantFrom('https://opentelemetry.io/schemas/1.40.0', ''), { nil: undefined }) })
  .map(({ attributes: a, schemaUrl }) => resourceFromAttributes(a as Record<string, string>, schemaUrl === undefined ? undefined : { schemaUrl }));
const scope = fc.record({
  name: text,
  version: fc.option(fc.constantFrom('1.0.0', '', '0.301.0'), { nil: undefined }),
  schemaUrl: fc.option(fc.constantFrom('https://opentelemetry.io/schemas/1.40.0', ''), { nil: undefined }),
  attributes: fc.option(attributes, { nil: undefined }),
  droppedAttributesCount: fc.option(count, { nil: undefined }),
});
const spanFields = fc.record({
  context: spanContext,
  parent: fc.option(spanContext, { nil: undefined }),
  name: text,
  kind: fc.integer({ min: 0, max: 4 }),
  startTime: hrTime,
  endTime: hrTime,
  attributes,
  events: fc.array(event, { maxLength: 3 }),
  links: fc.array(link, { maxLength: 2 }),
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.option(text, { nil: undefined }) }),
  droppedAttributesCount: count,
  droppedEventsCount: count,
  droppedLinksCount: count,
  resourceIndex: fc.nat(2),
  scopeIndex: fc.nat(3),
});
/** A batch as a BatchSpanProcessor hands it over: spans of a few resources and scopes, in any order. */
const batch = fc.record({
  resources: fc.array(resource, { minLength: 3, maxLength: 3 }),
  scopes: fc.array(scope, { minLength: 4, maxLength: 4 }),
  spans: fc.array(spanFields, { minLength: 25, maxLength: 40 }), // 400 runs × ≥ 25 spans ≥ MIN_SPANS
}).map(({ resources, scopes, spans }) =>
  spans.map((s): ReadableSpan => ({
    name: s.name,
    kind: s.kind,
    spanContext: () => s.context,
    parentSpanContext: s.parent,
    startTime: s.startTime,
    endTime: s.endTime,
    status: s.status,
    attributes: s.attributes as ReadableSpan['attributes'],
    links: s.links,
    events: s.events as ReadableSpan['events'],
    duration: [0, 0],
    ended: true,
    resource: resources[s.resourceIndex] as Resource,
    instrumentationScope: scopes[s.scopeIndex]!,
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  })),
);

/** One encoder for the whole file, as one export slot has one for the life of the process. */
const encodeAsEnded = createSpanEncoder();

describe('OTLP protobuf encoder', () => {
  it(`encodes ≥ ${MIN_SPANS} generated spans exactly as the stock encoder does`, () => {
    let spans = 0;
    let decoded = 0;
    let batches = 0;
    fc.assert(
      fc.property(batch, (batchSpans) => {
        const stock = ProtobufTraceSerializer.serializeRequest(batchSpans)!;
        const ours = encodeTraceRequest(batchSpans);
        // The same spans encoded one by one as they ended (the export slot's path), by one encoder across all runs:
        // its slabs fill and roll over, and every earlier span's bytes must stay what they were.
        const eager = encodeTraceRequest(batchSpans.map(encodeAsEnded));
        expect(Buffer.from(eager).equals(Buffer.from(ours))).toBe(true);
        const same = Buffer.from(ours).equals(Buffer.from(stock));
        // Decoding is most of the test's time: every 4th batch, and every batch whose bytes differ (the
        // decoded diff then says which field); identical bytes decode identically.
        if (!same || batches++ % 4 === 0) {
          expect(decodeExportTraceServiceRequest(ours)).toEqual(decodeExportTraceServiceRequest(stock));
          decoded += batchSpans.length;
        }
        expect(same).toBe(true);
        spans += batchSpans.length;
      }),
      { numRuns: 400 },
    );
    expect(spans).toBeGreaterThanOrEqual(MIN_SPANS);
    expect(decoded).toBeGreaterThan(MIN_SPANS / 8);
  }, 180_000); // ~25 s on an idle 2-core machine; generous for a shared one

  it('encodes a resource again once its asynchronous attributes have settled (the cache holds settled ones only)', () => {
    const pending = { attributes: { 'service.name': 'early' }, asyncAttributesPending: true } as unknown as Resource;
    const span = (resource: Resource): ReadableSpan => ({
      ...({} as ReadableSpan),
      name: 'x',
      kind: 0,
      spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
      startTime: [1, 0],
      endTime: [2, 0],
      status: { code: 0 },
      attributes: {},
      links: [],
      events: [],
      resource,
      instrumentationScope: { name: 's' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
    const first = encodeTraceRequest([span(pending)]);
    (pending as { attributes: object }).attributes = { 'service.name': 'settled' };
    const second = encodeTraceRequest([span(pending)]);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
    expect(Buffer.from(second).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest([span(pending)])!))).toBe(true);
  });

  it('encodes spans whose keys and values repeat (the cached KeyValue bytes) exactly as the stock encoder does', () => {
    // More keys than the pair cache holds (128) and more values per key than it keeps (16): hits, misses, a cache
    // starting over and keys past their value bound all occur; non-ASCII keys and values and every value type per key.
    const [keys, values] = fc.sample(fc.tuple(fc.uniqueArray(text, { minLength: 300, maxLength: 300 }), fc.uniqueArray(text, { minLength: 20, maxLength: 20 })), { numRuns: 1, seed: 7 })[0]!;
    const pooled = fc.dictionary(fc.constantFrom(...keys), fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, attributeValue), { maxKeys: 8 });
    const pooledBatch = fc.tuple(batch, fc.array(pooled, { minLength: 40, maxLength: 40 })).map(([spans, attrs]) =>
      spans.map((span, i) => ({ ...span, attributes: attrs[i % attrs.length] as ReadableSpan['attributes'] })),
    );
    fc.assert(
      fc.property(pooledBatch, (spans) => {
        for (let pass = 0; pass < 2; pass++) {
          expect(Buffer.from(encodeTraceRequest(spans)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("with an exporter's span attributes, encodes exactly what the stock encoder writes for spans carrying them where absent", () => {
    // Keys the generated spans sometimes have too (their own value wins) and some they never have; the stock
    // encoder gets each span with the missing ones appended, in order — what the old per-span processor produced.
    const extraKey = fc.oneof(fc.constantFrom('sentry.release', 'sentry.environment', 'a', 'é', '__proto__'), text.filter((k) => !/^(0|[1-9]\d*)$/.test(k)));
    const extras = fc.dictionary(extraKey, text, { minKeys: 1, maxKeys: 3 });
    const withOwn = fc.tuple(batch, extras, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 })).map(([spans, extra, own]) => ({
      extra,
      spans: spans.map((span, i) => (own[i] ? { ...span, attributes: { ...span.attributes, [Object.keys(extra)[0]!]: 'own' } } : span)),
    }));
    fc.assert(
      fc.property(withOwn, ({ spans, extra }) => {
        // fromEntries defines own properties: a generated `__proto__` key stays a key (assigned, it would not)
        const merged = spans.map((span) => {
          const missing = Object.entries(extra).filter(([key]) => !Object.hasOwn(span.attributes, key));
          return { ...span, attributes: Object.fromEntries([...Object.entries(span.attributes), ...missing]) as ReadableSpan['attributes'] };
        });
        const ours = encodeTraceRequest(spans, extra);
        const stock = ProtobufTraceSerializer.serializeRequest(merged)!;
        // Encoded as they ended by a slot's encoder with those attributes: the same bytes, the request adding none.
        expect(Buffer.from(encodeTraceRequest(spans.map(createSpanEncoder(extra)))).equals(Buffer.from(ours))).toBe(true);
        if (!Buffer.from(ours).equals(Buffer.from(stock))) expect(decodeExportTraceServiceRequest(ours)).toEqual(decodeExportTraceServiceRequest(stock));
        expect(Buffer.from(ours).equals(Buffer.from(stock))).toBe(true);
        // …and the next request without them writes none (the attributes are the one request's)
        expect(Buffer.from(encodeTraceRequest(spans)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('writes large batches (lengths that need 3- and 4-byte varints) as the stock encoder does', () => {
    const [sample] = fc.sample(batch, { numRuns: 1, seed: 18 });
    const big = Array.from({ length: 40 }, () => sample!).flat();
    const attributesOf = { big: 'x'.repeat(300_000) };
    const huge = [{ ...big[0]!, attributes: attributesOf, spanContext: big[0]!.spanContext }, ...big];
    for (const spans of [big, huge]) {
      const stock = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
      expect(Buffer.from(encodeTraceRequest(spans)).equals(stock)).toBe(true);
      // A span larger than a slab (64 KB) grows it; the spans around it keep their bytes.
      expect(Buffer.from(encodeTraceRequest(spans.map(encodeAsEnded))).equals(stock)).toBe(true);
    }
  });

  it('a request of spans encoded as they ended and spans encoded now, mixed, is grouped as the stock encoder groups it', () => {
    fc.assert(
      fc.property(batch, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (spans, early) => {
        const mixed: Array<ReadableSpan | EncodedSpan> = spans.map((span, i) => (early[i] ? encodeAsEnded(span) : span));
        expect(Buffer.from(encodeTraceRequest(mixed)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('a span that cannot be encoded throws from the encoder and leaves no partial bytes behind', () => {
    const [sample] = fc.sample(batch, { numRuns: 1, seed: 3 });
    const good = sample!.slice(0, 3);
    const broken = { ...good[0]!, attributes: { get bad(): string { throw new Error('unreadable'); } } as unknown as ReadableSpan['attributes'] };
    const encode = createSpanEncoder();
    const before = encode(good[0]!);
    expect(() => encode(broken)).toThrow('unreadable');
    const after = good.slice(1).map(encode);
    expect(after[0]!.start).toBe(before.end); // the failed span's partial bytes were given back
    expect(Buffer.from(encodeTraceRequest([before, ...after])).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(good)!))).toBe(true);
  });
});

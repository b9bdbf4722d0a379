import { describe, expect, it } from 'vitest';
import { decodeOtlpTraces, otlpFormat } from '../../../src/ingest/otlp.js';
import { REMOTE_PARENT_SPAN_ID, otlpJson, otlpProto, sampleSpans } from './payloads.js';

describe('decodeOtlpTraces', () => {
  it('decodes protobuf from the real serializer with the published definitions: hex ids, string nanos, flattened values', async () => {
    const spans = await sampleSpans();
    const result = decodeOtlpTraces(otlpProto(spans), 'protobuf', 1);
    expect(result.dropped).toEqual([]);
    const [root, charge] = [result.spans.find((s) => s.name === 'GET /checkout')!, result.spans.find((s) => s.name === 'charge')!];
    expect(root.traceId).toBe(spans[0]!.spanContext().traceId);
    expect(charge.parentSpanId).toBe(root.spanId);
    expect(root.attributes).toEqual({ 'http.route': '/checkout', 'http.response.status_code': 200 });
    expect(BigInt(charge.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(charge.startTimeUnixNano));
  });

  it('gives the same spans for OTLP/JSON as for protobuf', async () => {
    const spans = await sampleSpans();
    const strip = (list: ReturnType<typeof decodeOtlpTraces>['spans']) => list.map(({ receivedAt: _r, ...span }) => span);
    expect(strip(decodeOtlpTraces(otlpJson(spans), 'json', 1).spans)).toEqual(strip(decodeOtlpTraces(otlpProto(spans), 'protobuf', 1).spans));
  });

  it('follows the OTLP/JSON spec: hex ids, int64 as strings, enum ints; kvlist, bytes, big ints', () => {
    const body = Buffer.from(JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174', name: 'x', kind: 3, startTimeUnixNano: '1544712660000000000', endTimeUnixNano: 1544712661000000000,
        attributes: [
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } },
          { key: 'bytes', value: { bytesValue: 'AQID' } },
          { key: 'empty', value: {} },
        ],
        status: { code: 2, message: 'bad' },
      }] }] }],
    }));
    const [span] = decodeOtlpTraces(body, 'json', 1).spans;
    expect(span).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', kind: 'client', service: 'unknown_service', durationMs: 1000, status: { code: 'error', message: 'bad' } });
    expect(span!.attributes).toEqual({ big: '9007199254740993', kv: { a: true }, bytes: 'AQID', empty: null });
  });

  it('takes exactly the two Content-Types Relay takes (relay-server endpoints/integrations/otlp.rs), no sniffing', () => {
    expect(otlpFormat('application/json')).toBe('json');
    expect(otlpFormat('APPLICATION/X-PROTOBUF')).toBe('protobuf');
    for (const other of [undefined, '', 'application/json; charset=utf-8', 'application/protobuf', 'text/html']) expect(otlpFormat(other)).toBeUndefined();
  });

  it('treats an empty protobuf request as valid and empty', () => {
    expect(decodeOtlpTraces(Buffer.alloc(0), 'protobuf', 1)).toMatchObject({ spans: [], dropped: [] });
  });

  it('reads Span.flags: whether the parent is remote, as the 0.301 exporter encodes it (protobuf and JSON)', async () => {
    const spans = await sampleSpans({ remoteParent: true });
    for (const [format, body] of [['protobuf', otlpProto(spans)], ['json', otlpJson(spans)]] as const) {
      const decoded = decodeOtlpTraces(body, format, 1).spans;
      expect(decoded.find((s) => s.name === 'GET /checkout')).toMatchObject({ parentIsRemote: true, parentSpanId: REMOTE_PARENT_SPAN_ID });
      expect(decoded.find((s) => s.name === 'charge')).toMatchObject({ parentIsRemote: false });
    }
  });
});

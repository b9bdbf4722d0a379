import { describe, expect, it } from 'vitest';
import { decodeOtlpTraces, otlpFormat } from '../../../src/ingest/otlp.js';
import { otlpJson, otlpProto, sampleSpans } from './payloads.js';

describe('decodeOtlpTraces', () => {
  it('decodes protobuf from the real serializer with the published definitions: hex ids, string nanos, flattened values', async () => {
    const spans = await sampleSpans();
    const result = decodeOtlpTraces(otlpProto(spans), 'application/x-protobuf', 1);
    expect(result.format).toBe('protobuf');
    expect(result.rejected).toBe(0);
    const [root, charge] = [result.spans.find((s) => s.name === 'GET /checkout')!, result.spans.find((s) => s.name === 'charge')!];
    expect(root.traceId).toBe(spans[0]!.spanContext().traceId);
    expect(charge.parentSpanId).toBe(root.spanId);
    expect(root.attributes).toEqual({ 'http.route': '/checkout', 'http.response.status_code': 200 });
    expect(BigInt(charge.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(charge.startTimeUnixNano));
  });

  it('gives the same spans for OTLP/JSON as for protobuf', async () => {
    const spans = await sampleSpans();
    const strip = (list: ReturnType<typeof decodeOtlpTraces>['spans']) => list.map(({ receivedAt: _r, ...span }) => span);
    expect(strip(decodeOtlpTraces(otlpJson(spans), 'application/json', 1).spans)).toEqual(strip(decodeOtlpTraces(otlpProto(spans), 'application/x-protobuf', 1).spans));
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
    const [span] = decodeOtlpTraces(body, 'application/json; charset=utf-8', 1).spans;
    expect(span).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', kind: 'client', service: 'unknown_service', durationMs: 1000, status: { code: 'error', message: 'bad' } });
    expect(span!.attributes).toEqual({ big: '9007199254740993', kv: { a: true }, bytes: 'AQID', empty: null });
  });

  it('sniffs the format when no content type is given, and refuses others', () => {
    expect(otlpFormat(undefined, Buffer.from(' {"resourceSpans":[]}'))).toBe('json');
    expect(otlpFormat(undefined, Buffer.from([0x0a, 0x00]))).toBe('protobuf');
    expect(() => otlpFormat('text/html', Buffer.from(''))).toThrow(/unsupported content-type/);
  });

  it('treats an empty protobuf request as valid and empty', () => {
    expect(decodeOtlpTraces(Buffer.alloc(0), 'application/x-protobuf', 1)).toMatchObject({ spans: [], rejected: 0 });
  });
});

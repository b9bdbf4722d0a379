import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../src/ingest/envelope.js';
import { normaliseEnvelope } from '../../../src/ingest/sentry.js';
import { HttpError } from '../../../src/ingest/http.js';
import { TRACE_ID, envelope, errorEvent, transaction } from './payloads.js';

describe('parseEnvelope', () => {
  it('reads JSON items, length-delimited binary items (with newlines inside), blank lines and no final newline', () => {
    const binary = Buffer.from('a\nb\n\nc');
    const body = Buffer.concat([
      envelope({ event_id: 'e1' }, [[{ type: 'attachment', filename: 'x' }, binary], [{ type: 'event' }, { message: 'hi' }]]),
      Buffer.from('\n\n{"type":"client_report","length":2}\n{}'),
    ]);
    const parsed = parseEnvelope(body);
    expect(parsed.header).toEqual({ event_id: 'e1' });
    expect(parsed.items).toEqual([
      { header: { type: 'attachment', filename: 'x', length: 6 }, payload: { size: 6 }, size: 6 },
      { header: { type: 'event' }, payload: { message: 'hi' }, size: 16 },
      { header: { type: 'client_report', length: 2 }, payload: {}, size: 2 },
    ]);
  });

  it('keeps an item whose payload is empty or not JSON, marked invalid (Relay drops it after accepting)', () => {
    const [empty, broken] = parseEnvelope(Buffer.from('{}\n{"type":"event"}\n\n{"type":"transaction"}\n{oops')).items;
    expect(empty).toMatchObject({ payload: null, invalid: expect.stringMatching(/is empty/) });
    expect(broken).toMatchObject({ payload: null, invalid: expect.stringMatching(/not valid JSON/) });
    expect(normaliseEnvelope(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n\n{"type":"transaction"}\n{oops')), 1).dropped).toMatchObject([
      { category: 'error', reason: 'invalid_json' },
      { category: 'transaction', reason: 'invalid_json' },
    ]);
  });

  it('accepts a header-only envelope', () => {
    expect(parseEnvelope(Buffer.from('{}\n')).items).toEqual([]);
  });

  it.each([
    ['', /empty envelope/],
    ['[]', /not a JSON object/],
    ['{}\n{"no":"type"}\n{}', /has no "type"/],
    ['{}\n{"type":"event","length":-1}\n{}', /invalid "length"/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseEnvelope(Buffer.from(text))).toThrow(HttpError);
    expect(() => parseEnvelope(Buffer.from(text))).toThrow(reason);
  });
});

describe('normaliseEnvelope', () => {
  it('turns v2 span containers (what @sentry/node 11 streams) into spans', () => {
    const body = envelope({}, [[{ type: 'span', item_count: 2, content_type: 'application/vnd.sentry.items.span.v2+json' }, {
      version: 2,
      items: [
        { trace_id: TRACE_ID, span_id: 'aaaaaaaaaaaaaaaa', name: 'POST /x', start_timestamp: 1767225600, end_timestamp: 1767225600.5, is_segment: true, status: 'ok', attributes: { 'sentry.op': { type: 'string', value: 'http.server' }, 'service.name': { type: 'string', value: 'api' }, n: { type: 'integer', value: 3 } } },
        { trace_id: TRACE_ID, span_id: 'bbbbbbbbbbbbbbbb', parent_span_id: 'aaaaaaaaaaaaaaaa', name: 'db', start_timestamp: 1767225600.1, end_timestamp: 1767225600.2, status: 'error', attributes: {} },
        { trace_id: 'bad', span_id: 'cccccccccccccccc', name: 'dropped' },
      ],
    }]]);
    const { spans } = normaliseEnvelope(parseEnvelope(body), 1);
    expect(spans).toHaveLength(2);
    expect(spans[0]).toMatchObject({ name: 'POST /x', kind: 'server', service: 'api', durationMs: 500, status: { code: 'ok' }, attributes: { n: 3, 'sentry.op': 'http.server' }, startTimeUnixNano: '1767225600000000000' });
    expect(spans[1]).toMatchObject({ parentSpanId: 'aaaaaaaaaaaaaaaa', status: { code: 'error' }, service: 'sentry' });
  });

  it('turns a transaction into its root span and child spans, and events into IngestEvents', () => {
    const { spans, events } = normaliseEnvelope(parseEnvelope(envelope({}, [[{ type: 'transaction' }, transaction()], [{ type: 'event' }, errorEvent({ tags: [['a', 'b'], ['n', 1]] })]])), 5);
    expect(spans.map((s) => [s.name, s.parentSpanId ?? null, s.service])).toEqual([['GET /orders', null, 'orders-sentry'], ['SELECT orders', '2222222222222222', 'orders-sentry']]);
    expect(events[0]).toMatchObject({ receivedAt: 5, tags: { a: 'b', n: '1' }, type: 'TypeError', frames: [{ function: 'outer' }, { function: 'inner' }] });
  });

  it('does not let a __proto__ key pollute anything', () => {
    const { events } = normaliseEnvelope(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n{"tags":{"__proto__":{"polluted":"yes"}},"extra":{"__proto__":{"x":1}}}')), 1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(events[0]!.tags)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(events[0]!.payload)).extra).toEqual({ ['__proto__']: { x: 1 } });
  });
});

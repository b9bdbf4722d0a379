/**
 * The ingest answers as Relay does, rule by rule, over real loopback HTTP. Each row names the Relay source it
 * mirrors (getsentry/relay); docs/ingest.md has the same table.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { IngestServer } from '../../../src/ingest/index.js';
import { useIngest } from './harness.js';
import { TRACE_ID, envelope, errorEvent, otlpProto, sampleSpans, transaction } from './payloads.js';

const KEY = 'relaykey0123456789abcdef01234567';
const start = useIngest(KEY);

const basic = (user: string): string => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

async function postEnvelope(i: IngestServer, query: string, headers: Record<string, string>, body: Buffer = envelope({}, [[{ type: 'event' }, errorEvent()]])): Promise<Response> {
  return fetch(`${i.url}/api/1/envelope/${query}`, { method: 'POST', body, headers });
}

describe('auth (relay-server extractors/request_meta.rs, relay-base-schema ProjectKey::parse)', () => {
  it.each([
    ['X-Sentry-Auth', '', { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${KEY}` }, 200],
    ['Authorization: Sentry', '', { authorization: `Sentry sentry_key=${KEY}` }, 200],
    ['Basic with the key as user', '', { authorization: basic(KEY) }, 200],
    ['?sentry_key= (the @sentry/node transport)', `?sentry_version=7&sentry_key=${KEY}&sentry_client=x%2F1`, {}, 200],
    ['no auth', '', {}, 401],
    ['X-Sentry-Auth and the query', `?sentry_key=${KEY}`, { 'x-sentry-auth': `Sentry sentry_key=${KEY}` }, 401],
    ['X-Sentry-Auth and Authorization: Sentry', '', { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, authorization: `Sentry sentry_key=${KEY}` }, 401],
    ['X-Sentry-Auth and Basic (a collector credential leaking into the Sentry exporter)', '', { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, authorization: basic('collector') }, 401],
    ['a 16-character key', '?sentry_key=0123456789abcdef', {}, 400],
    ['a 40-character key', `?sentry_key=${KEY}01234567`, {}, 400],
    ['sentry_version=8', `?sentry_version=8&sentry_key=${KEY}`, {}, 400],
    ['a wrong 32-character key', `?sentry_key=${'f'.repeat(32)}`, {}, 401],
  ])('%s → %i', async (_name, query, headers, status) => {
    const i = await start();
    const res = await postEnvelope(i, query, headers);
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(((await res.json()) as { error: unknown }).error).toEqual(expect.any(String));
      expect(i.events()).toEqual([]);
    }
  });
});

describe('sizes (relay-server utils/sizes.rs check_envelope_size_limits, endpoints/store.rs; relay-config Limits)', () => {
  const padded = (bytes: number): Record<string, unknown> => errorEvent({ extra: { pad: 'x'.repeat(bytes) } });

  it('413s an event item over 1 MiB and stores nothing; one just under is accepted', async () => {
    const i = await start();
    expect((await postEnvelope(i, `?sentry_key=${KEY}`, {}, envelope({}, [[{ type: 'event' }, padded(1024 * 1024)]]))).status).toBe(413);
    expect(i.events()).toEqual([]);
    expect((await postEnvelope(i, `?sentry_key=${KEY}`, {}, envelope({}, [[{ type: 'event' }, padded(1024 * 1024 - 2000)]]))).status).toBe(200);
    expect(i.events()).toHaveLength(1);
  });

  it('413s an envelope with two event-class items (Relay allows one)', async () => {
    const i = await start();
    const res = await postEnvelope(i, `?sentry_key=${KEY}`, {}, envelope({}, [[{ type: 'event' }, errorEvent()], [{ type: 'transaction' }, transaction()]]));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: unknown }).error).toMatch(/one/);
    expect(i.spans()).toEqual([]);
  });

  it('413s a store request over 1 MiB (the store route body limit is max_event_size)', async () => {
    const i = await start();
    const res = await fetch(`${i.url}/api/1/store/?sentry_key=${KEY}`, { method: 'POST', body: JSON.stringify(padded(1024 * 1024)), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
  });
});

describe('rate limits (relay-server utils/rate_limits.rs; @sentry/core utils/ratelimit.ts parses them)', () => {
  it.each([
    [7, '7', '7::organization:injected_fault'],
    [undefined, '60', '60::organization:injected_fault'],
  ])('a 429 with retryAfter %s carries Retry-After %s and X-Sentry-Rate-Limits, on both routes', async (retryAfter, header, limits) => {
    const i = await start();
    await i.setFault({ mode: 'status', status: 429, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    const env = await postEnvelope(i, `?sentry_key=${KEY}`, {});
    const otlp = await fetch(`${i.url}/api/1/integration/otlp/v1/traces/`, {
      method: 'POST',
      body: otlpProto(await sampleSpans()),
      headers: { 'content-type': 'application/x-protobuf', 'x-sentry-auth': `Sentry sentry_key=${KEY}` },
    });
    for (const res of [env, otlp]) {
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe(header);
      expect(res.headers.get('x-sentry-rate-limits')).toBe(limits);
    }
  });

  it('a 503 carries no rate-limit header', async () => {
    const i = await start();
    await i.setFault({ mode: 'status', status: 503 });
    const res = await postEnvelope(i, `?sentry_key=${KEY}`, {});
    expect(res.status).toBe(503);
    expect(res.headers.get('x-sentry-rate-limits')).toBeNull();
  });
});

describe('older SDKs: sentry-python 1.9', () => {
  // what sentry-python 1.9's HttpTransport sends for an error: the store endpoint, gzip, RFC 3339 timestamps
  const pythonHeaders = {
    'x-sentry-auth': `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.python/1.9.0`,
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'user-agent': 'sentry.python/1.9.0',
  };

  it('stores an error posted to /api/{id}/store/ with its RFC 3339 timestamp', async () => {
    const i = await start();
    const event = {
      event_id: 'aaaabbbbccccddddeeeeffff00001111',
      timestamp: '2026-01-01T00:00:00.250000Z',
      level: 'error',
      platform: 'python',
      contexts: { trace: { trace_id: TRACE_ID, span_id: '1111111111111111' } },
      exception: { values: [{ type: 'ZeroDivisionError', value: 'division by zero', stacktrace: { frames: [{ filename: 'app.py', function: 'main', lineno: 3 }] } }] },
      sdk: { name: 'sentry.python', version: '1.9.0' },
    };
    const res = await fetch(`${i.url}/api/1/store/`, { method: 'POST', body: gzipSync(JSON.stringify(event)), headers: pythonHeaders });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: event.event_id });
    expect(i.events()).toMatchObject([{ event_id: event.event_id, type: 'ZeroDivisionError', trace_id: TRACE_ID, timestamp: 1_767_225_600.25 }]);
  });

  it('stores a transaction with RFC 3339 timestamps with the right start and duration (store and envelope)', async () => {
    const i = await start();
    const tx = {
      ...transaction(),
      start_timestamp: '2026-01-01T00:00:00Z',
      timestamp: '2026-01-01T00:00:00.250000Z',
      spans: [{ span_id: '3333333333333333', parent_span_id: '2222222222222222', trace_id: TRACE_ID, op: 'db', description: 'SELECT 1', start_timestamp: '2026-01-01T00:00:00.050000+00:00', timestamp: '2026-01-01T00:00:00.150500+00:00' }],
    };
    const res = await fetch(`${i.url}/api/1/store/`, { method: 'POST', body: gzipSync(JSON.stringify(tx)), headers: pythonHeaders });
    expect(res.status).toBe(200);
    const spans = i.trace(TRACE_ID)!.spans;
    expect(spans.map((s) => [s.name, s.startMs, s.durationMs])).toEqual([
      ['GET /orders', 1_767_225_600_000, 250],
      ['SELECT 1', 1_767_225_600_050, 100.5],
    ]);
    expect(spans[0]!.startTimeUnixNano).toBe('1767225600000000000');

    i.clear();
    expect((await postEnvelope(i, `?sentry_key=${KEY}`, {}, envelope({}, [[{ type: 'transaction' }, tx]]))).status).toBe(200);
    expect(i.trace(TRACE_ID)!.durationMs).toBe(250);
  });

  it('400s a store body that is not an event, as Relay does', async () => {
    const i = await start();
    for (const body of ['', '{not json', '[1]']) {
      expect((await fetch(`${i.url}/api/1/store/?sentry_key=${KEY}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    }
  });
});

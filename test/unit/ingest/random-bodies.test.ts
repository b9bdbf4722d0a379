import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { startIngest, type IngestServer } from '../../../src/ingest/index.js';
import { envelope, errorEvent, otlpJson, otlpProto, sampleSpans, transaction } from './payloads.js';
// @ts-expect-error plain JS demo module (the one seeded PRNG of the repository)
import { createRandom } from '../../../demo/lib/random.js';

const TOTAL = 10_000;
const CONCURRENCY = 8;
/** Every answer must be one of these: a 5xx or a dropped connection means the ingest broke. */
const ALLOWED = new Set([200, 202, 400, 401, 403, 404, 405, 413, 415]);
const KEY = 'fuzzkey0123456789abcdef012345678';

let ingest: IngestServer;
let printed = 0;
beforeAll(async () => {
  // small limits so oversized and eviction paths are exercised too
  // the waterfall printer runs too, on whatever garbage made it into the store
  ingest = await startIngest({ key: KEY, maxBodyBytes: 64 * 1024, maxSpans: 500, maxEvents: 100, waterfall: true, quietMs: 50, print: () => (printed += 1) });
});
afterAll(async () => {
  await ingest?.close();
});

describe('random bodies', () => {
  it(`survives ${TOTAL} random / mutated bodies, ${CONCURRENCY} at a time, and keeps serving`, async () => {
    const random: () => number = createRandom(20260101);
    const int = (n: number): number => Math.floor(random() * n);
    const spans = await sampleSpans();
    const seeds = [
      otlpProto(spans),
      otlpJson(spans),
      envelope({ event_id: 'x' }, [[{ type: 'event' }, errorEvent()], [{ type: 'transaction' }, transaction()]]),
      envelope({}, [[{ type: 'span' }, { version: 2, items: [{ trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), name: 'n', start_timestamp: 1, end_timestamp: 2, status: 'ok', attributes: { k: { type: 'string', value: 'v' } } }] }]]),
    ];
    const jsonValues = fc.sample(fc.jsonValue({ maxDepth: 6 }), { numRuns: 500, seed: 7 });

    const makeBody = (): Buffer => {
      switch (int(6)) {
        case 0: // random bytes
          return Buffer.from(Array.from({ length: int(2048) }, () => int(256)));
        case 1: {
          // a valid payload with some bytes flipped
          const body = Buffer.from(seeds[int(seeds.length)]!);
          for (let n = int(8) + 1; n > 0; n -= 1) body[int(body.length)] = int(256);
          return body;
        }
        case 2: // a valid payload cut short
          return seeds[int(seeds.length)]!.subarray(0, int(seeds[0]!.length));
        case 3: // arbitrary JSON
          return Buffer.from(JSON.stringify(jsonValues[int(jsonValues.length)]) ?? 'null');
        case 4: // envelope-shaped lines of arbitrary JSON
          return Buffer.from([{}, { type: ['event', 'transaction', 'span', 'session', 'attachment'][int(5)], length: int(3) === 0 ? int(100) : undefined }, jsonValues[int(jsonValues.length)]].map((v) => JSON.stringify(v)).join('\n'));
        default: // oversized
          return Buffer.alloc(64 * 1024 + 1 + int(1024), int(256));
      }
    };
    const encode = (body: Buffer): [Buffer, Record<string, string>] => {
      switch (int(8)) {
        case 0: return [gzipSync(body), { 'content-encoding': 'gzip' }];
        case 1: return [deflateSync(body), { 'content-encoding': 'deflate' }];
        case 2: return [brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }), { 'content-encoding': 'br' }];
        case 3: return [body, { 'content-encoding': ['gzip', 'br', 'deflate', 'zstd', 'gzip, gzip'][int(5)]! }];
        default: return [body, {}];
      }
    };
    const routes = [
      () => ({ path: `/api/1/envelope/?sentry_key=${KEY}`, headers: {} }),
      () => ({ path: `/api/1/store/?sentry_key=${KEY}`, headers: {} }),
      () => ({ path: '/api/1/integration/otlp/v1/traces/', headers: { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, 'content-type': 'application/x-protobuf' } }),
      () => ({ path: '/api/1/integration/otlp/v1/traces/', headers: { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, 'content-type': 'application/json' } }),
      () => ({ path: '/api/1/integration/otlp/v1/traces/', headers: { 'x-sentry-auth': `Sentry sentry_key=${KEY}` } }),
      () => ({ path: ['/api/1/envelope/', '/api/x/envelope/', '/api/faults', '/%%', '/api/traces/%zz', '/api/events?trace_id=%zz', '/api/traces', '/healthz'][int(8)]!, headers: {} }),
    ];

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      while (sent < TOTAL) {
        sent += 1;
        const route = routes[int(routes.length)]!();
        const [body, encoding] = encode(makeBody());
        try {
          const get = int(10) === 0;
          const res = await fetch(`${ingest.url}${route.path}`, { method: get ? 'GET' : 'POST', ...(get ? {} : { body }), headers: { ...route.headers, ...encoding }, signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (!ALLOWED.has(res.status)) failures.push(`${res.status} for ${route.path}`);
        } catch (err) {
          failures.push(`request failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    console.log(`ingest survived ${TOTAL} random bodies in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);
    expect(printed).toBeGreaterThan(0);

    // still healthy and serving, and still storing valid data
    expect((await fetch(`${ingest.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${ingest.url}/api/traces`, { headers: ingest.apiHeaders })).status).toBe(200);
    expect((await fetch(`${ingest.url}/api/events`, { headers: ingest.apiHeaders })).status).toBe(200);
    ingest.clear();
    const ok = await fetch(`${ingest.url}/api/1/envelope/?sentry_key=${KEY}`, { method: 'POST', body: envelope({}, [[{ type: 'event' }, errorEvent()]]) });
    expect(ok.status).toBe(200);
    expect(ingest.events()).toHaveLength(1);
  }, 180_000);
});

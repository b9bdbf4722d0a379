import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { startIngest, type IngestOptions, type IngestServer } from '../../../src/ingest/index.js';
import { TRACE_ID, envelope, errorEvent, otlpJson, otlpProto, sampleSpans, transaction } from './payloads.js';

const KEY = 'testkey0123456789abcdef012345678';
const OTHER_KEY = 'wrongkey0123456789abcdef01234567';
let ingest: IngestServer | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: IngestOptions = {}): Promise<IngestServer> {
  ingest = await startIngest({ key: KEY, ...options });
  return ingest;
}

const otlpPath = (i: IngestServer): string => `/api/${i.projectId}/integration/otlp/v1/traces/`;
const envelopePath = (i: IngestServer): string => `/api/${i.projectId}/envelope/?sentry_version=7&sentry_key=${i.key}&sentry_client=test/1`;
const authHeader = (key: string): Record<string, string> => ({ 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${key}` });

async function post(i: IngestServer, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${i.url}${path}`, { method: 'POST', body, headers });
}

/** The query API and /api/faults, with the key in a header as they require. */
async function api(i: IngestServer, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...i.apiHeaders, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) };
  return fetch(`${i.url}${path}`, { ...init, headers });
}

async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

describe('ingest server: routes', () => {
  it('answers /healthz, 404 on unknown routes, 405 on wrong methods', async () => {
    const i = await start();
    expect(i.dsn).toBe(`http://${KEY}@127.0.0.1:${i.port}/1`);
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${i.url}/nope`)).status).toBe(401); // every route but /healthz needs the key
    const missing = await api(i, '/nope');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error).toContain('/nope');
    expect((await fetch(`${i.url}${envelopePath(i)}`)).status).toBe(405);
    expect((await api(i, `/api/traces`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await api(i, `/api/traces/%zz`)).status).toBe(404);
    expect((await fetch(`${i.url}/api/%zz/envelope/?sentry_key=${i.key}`, { method: 'POST', body: '{}' })).status).toBe(403);
  });

  it('stores a Sentry envelope: error event with trace context and frames, transaction spans in the traces', async () => {
    const i = await start();
    const body = envelope({ event_id: '0123456789abcdef0123456789abcdef', sent_at: new Date().toISOString() }, [
      [{ type: 'event' }, errorEvent()],
      [{ type: 'session' }, { sid: 'abc', status: 'ok' }],
      [{ type: 'client_report' }, { timestamp: 1, discarded_events: [] }],
      [{ type: 'attachment', filename: 'a.bin' }, Buffer.from([0, 1, 2, 10, 13, 255])],
    ]);
    const res = await post(i, envelopePath(i), body, { 'content-type': 'application/x-sentry-envelope' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: '0123456789abcdef0123456789abcdef' });
    // Relay takes one event-class item per envelope: the transaction comes in its own
    expect((await post(i, envelopePath(i), envelope({}, [[{ type: 'transaction' }, transaction()]]))).status).toBe(200);

    const events = await json(await api(i, `/api/events`));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      trace_id: TRACE_ID,
      span_id: '1111111111111111',
      type: 'TypeError',
      value: 'boom',
      release: 'svc@1.0.0',
      environment: 'test',
      tags: { 'gen_ai.agent.name': 'planner' },
      frames: [{ filename: '/app/a.js', function: 'outer', lineno: 1, colno: 2 }, { filename: '/app/b.js', function: 'inner', in_app: true }],
    });

    const env = i.envelopes()[0]!;
    expect(env.items.map((item) => item.header.type)).toEqual(['event', 'session', 'client_report', 'attachment']);
    expect(env.items[3]!.payload).toEqual({ size: 6 });

    const detail = await json(await api(i, `/api/traces/${TRACE_ID}`));
    expect(detail.spans.map((s: any) => [s.name, s.depth, s.parent?.name ?? null])).toEqual([
      ['GET /orders', 0, null],
      ['SELECT orders', 1, 'GET /orders'],
    ]);
    expect(detail.spans[0]).toMatchObject({ service: 'orders-sentry', kind: 'server', source: 'sentry', status: { code: 'ok' }, durationMs: 250 });
    expect(detail.spans[1]).toMatchObject({ status: { code: 'error', message: 'internal_error' }, attributes: { 'db.system': 'postgresql', 'sentry.op': 'db' } });
    expect(detail.events).toHaveLength(1);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['zstd', zstdCompressSync],
    ['GZIP', gzipSync],
  ] as const)('accepts %s-compressed envelopes', async (encoding, compress) => {
    const i = await start();
    const res = await post(i, envelopePath(i), compress(envelope({}, [[{ type: 'event' }, errorEvent()]])), { 'content-encoding': encoding });
    expect(res.status).toBe(200);
    expect(i.events()).toHaveLength(1);
  });

  it('stores OTLP protobuf sent the way getOtlpTracesEndpoint(dsn) configures it: spans with attributes, resource, parents', async () => {
    const i = await start();
    const spans = await sampleSpans();
    const res = await post(i, otlpPath(i), otlpProto(spans), { 'content-type': 'application/x-protobuf', ...authHeader(i.key) });
    expect(res.status).toBe(202); // Relay's answer: accepted, no body
    expect((await res.arrayBuffer()).byteLength).toBe(0);

    const traceId = spans[0]!.spanContext().traceId;
    const [summary] = await json(await api(i, `/api/traces`));
    expect(summary).toMatchObject({ traceId, services: ['frontend', 'orders'], spanCount: 2, errorCount: 1, rootName: 'GET /checkout', rootService: 'frontend' });
    expect(typeof summary.start).toBe('string');
    const detail = i.trace(traceId)!;
    const charge = detail.spans.find((s) => s.name === 'charge')!;
    expect(charge).toMatchObject({
      service: 'orders',
      kind: 'client',
      depth: 1,
      parent: { name: 'GET /checkout', service: 'frontend' },
      attributes: { 'gen_ai.usage.input_tokens': 12, ratio: 0.5, tags: ['a', 'b'], ok: false },
      resource: { 'service.name': 'orders', 'deployment.environment.name': 'test' },
      scope: { name: 'test', version: '1.2.3' },
      status: { code: 'error', message: 'card declined' },
    });
    expect(charge.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(charge.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'TypeError', 'exception.message': 'card declined' } });
    expect(charge.startTimeUnixNano).toMatch(/^\d{19}$/);
  });

  it('stores gzip OTLP/JSON with the same result as protobuf', async () => {
    const i = await start();
    const spans = await sampleSpans();
    const res = await post(i, otlpPath(i), gzipSync(otlpJson(spans)), { 'content-type': 'application/json', 'content-encoding': 'gzip', ...authHeader(i.key) });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const detail = i.trace(spans[0]!.spanContext().traceId)!;
    expect(detail.spans.map((s) => [s.service, s.name, s.depth])).toEqual([['frontend', 'GET /checkout', 0], ['orders', 'charge', 1]]);
    expect(detail.spans[1]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 12, tags: ['a', 'b'] });
  });

  it('accepts spans with unusable ids (202) and records them as dropped, as Relay does', async () => {
    const i = await start();
    const request = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{ spans: [
          { traceId: TRACE_ID, spanId: '1111111111111111', name: 'ok', kind: 2, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225600100000000' },
          { traceId: 'nothex', spanId: '22', name: 'bad' },
        ] }],
      }],
    };
    const res = await post(i, otlpPath(i), JSON.stringify(request), { 'content-type': 'application/json', ...authHeader(i.key) });
    expect(res.status).toBe(202);
    expect(i.outcomes()).toMatchObject([{ route: 'otlp', category: 'span', reason: 'invalid_span', quantity: 1 }]);
    expect(await json(await api(i, '/api/outcomes'))).toHaveLength(1);
    expect(i.spans()).toHaveLength(1);
    expect(i.spans()[0]).toMatchObject({ kind: 'server', durationMs: 100, service: 'svc' });
  });
});

describe('ingest server: rejection', () => {
  it('401s a wrong or missing key and stores nothing', async () => {
    const i = await start();
    const spans = await sampleSpans();
    const attempts = [
      post(i, otlpPath(i), otlpProto(spans), { 'content-type': 'application/x-protobuf', ...authHeader(OTHER_KEY) }),
      post(i, otlpPath(i), otlpProto(spans), { 'content-type': 'application/x-protobuf' }),
      post(i, `/api/1/envelope/?sentry_key=${OTHER_KEY}`, envelope({}, [[{ type: 'event' }, errorEvent()]])),
      post(i, `/api/1/envelope/`, envelope({}, [[{ type: 'event' }, errorEvent()]]), { authorization: `Sentry sentry_key=${OTHER_KEY}` }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect((await json(res)).error).toMatch(/sentry_key|authorization/);
    }
    expect(i.stats()).toMatchObject({ spans: 0, events: 0, envelopes: 0, otlpRequests: 0, requests: 4 });
    expect(i.raw()).toEqual([]);
    // the Authorization: Sentry form is accepted with the right key
    const ok = await post(i, `/api/1/envelope/`, envelope({}, [[{ type: 'event' }, errorEvent()]]), { authorization: `Sentry sentry_key=${i.key}` });
    expect(ok.status).toBe(200);
  });

  it('403s another project', async () => {
    const i = await start();
    const res = await post(i, `/api/2/envelope/?sentry_key=${i.key}`, envelope({}, [[{ type: 'event' }, errorEvent()]]));
    expect(res.status).toBe(403);
    expect(i.events()).toEqual([]);
  });

  it('413s a 25 MB body (declared or streamed) without keeping it, and stays healthy', async () => {
    const i = await start();
    const big = Buffer.alloc(25 * 1000 * 1000, 0x61);
    const declared = await post(i, otlpPath(i), big, { 'content-type': 'application/x-protobuf', ...authHeader(i.key) });
    expect(declared.status).toBe(413);
    expect((await json(declared)).error).toMatch(/exceeds the limit/);

    const chunks = (async function* () {
      for (let n = 0; n < 25; n += 1) yield Buffer.alloc(1000 * 1000, 0x62);
    })();
    const streamed = await fetch(`${i.url}${envelopePath(i)}`, { method: 'POST', body: chunks as any, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);

    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024));
    const inflated = await post(i, envelopePath(i), bomb, { 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
    expect((await json(inflated)).error).toMatch(/decompressed/);

    expect(i.raw()).toEqual([]);
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);
  });

  // Relay rejects only what it cannot frame at the HTTP level (relay-server `envelope/mod.rs`, `middlewares/decompression.rs`)
  it.each([
    ['garbage envelope', 'envelope', Buffer.from('this is not an envelope\n{"type":"event"}\n{}'), {}, /envelope header is not valid JSON/],
    ['an envelope item header that is not JSON', 'envelope', Buffer.from('{}\n{type: event}\n{}'), {}, /item 1 header is not valid JSON/],
    ['an envelope item running past the end', 'envelope', Buffer.from('{}\n{"type":"attachment","length":500}\nshort'), {}, /runs past the end/],
    ['an empty envelope', 'envelope', Buffer.alloc(0), {}, /empty envelope/],
    ['a corrupt gzip body', 'envelope', Buffer.from('not gzip'), { 'content-encoding': 'gzip' }, /invalid gzip body/],
    ['raw deflate (HTTP deflate is zlib)', 'envelope', deflateRawSync(Buffer.from('{}')), { 'content-encoding': 'deflate' }, /invalid deflate body/],
  ])('400s %s with a JSON reason', async (_name, route, body, headers, reason) => {
    const i = await start();
    const path = route === 'otlp' ? otlpPath(i) : envelopePath(i);
    const res = await post(i, path, body, { ...(route === 'otlp' ? authHeader(i.key) : {}), ...(headers as Record<string, string>) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await json(res)).error).toMatch(reason);
    expect(i.stats()).toMatchObject({ spans: 0, events: 0 });
  });

  // what Relay accepts and drops later with an outcome (relay-server `processing/spans/integrations/otel.rs`)
  it.each([
    ['garbage protobuf', 'otlp', Buffer.from('\xff\xff\xff\xff not a protobuf message at all', 'latin1'), { 'content-type': 'application/x-protobuf' }, 'invalid_protobuf'],
    ['garbage JSON', 'otlp', Buffer.from('{"resourceSpans": [ oops'), { 'content-type': 'application/json' }, 'invalid_json'],
    ['JSON of the wrong shape', 'otlp', Buffer.from('{"resourceSpans": 5}'), { 'content-type': 'application/json' }, 'invalid_json'],
    ['a JSON array', 'otlp', Buffer.from('[1,2,3]'), { 'content-type': 'application/json' }, 'invalid_json'],
    ['an envelope item with bad JSON', 'envelope', Buffer.from('{}\n{"type":"event"}\n{not json'), {}, 'invalid_json'],
    ['an event that is not an object', 'envelope', Buffer.from('{}\n{"type":"event"}\n[1,2]'), {}, 'invalid_json'],
  ])('accepts %s with 2xx and records the drop', async (_name, route, body, headers, reason) => {
    const i = await start();
    const path = route === 'otlp' ? otlpPath(i) : envelopePath(i);
    const res = await post(i, path, body, { ...(route === 'otlp' ? authHeader(i.key) : {}), ...(headers as Record<string, string>) });
    expect(res.status).toBe(route === 'otlp' ? 202 : 200);
    expect(i.outcomes()).toMatchObject([{ route, reason }]);
    expect(i.stats()).toMatchObject({ spans: 0, events: 0, outcomes: 1 });
  });

  it('415s a Content-Type Relay does not take exactly, and an unsupported encoding', async () => {
    const i = await start();
    for (const type of ['text/plain', 'application/json; charset=utf-8', 'application/protobuf', 'application/octet-stream']) {
      expect((await post(i, otlpPath(i), 'x', { 'content-type': type, ...authHeader(i.key) })).status).toBe(415);
    }
    expect((await post(i, otlpPath(i), otlpProto(await sampleSpans()), { 'content-type': 'Application/X-Protobuf', ...authHeader(i.key) })).status).toBe(202);
    for (const encoding of ['compress', 'x-gzip', 'gzip, br']) expect((await post(i, envelopePath(i), 'x', { 'content-encoding': encoding })).status).toBe(415);
    for (const ignored of ['', 'UTF-8', 'identity']) {
      expect((await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]), { 'content-encoding': ignored })).status).toBe(200);
    }
  });

  it('refuses payloads too deeply nested to serve back, and keeps serving', async () => {
    const i = await start();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const res = await post(i, envelopePath(i), `{}\n{"type":"event"}\n{"extra":{"x":${deep}}}`);
    expect([200, 400]).toContain(res.status);
    expect((await api(i, `/api/events`)).status).toBe(200);
  });
});

describe('ingest server: store and query API', () => {
  it('DELETE /api/data forgets everything in memory', async () => {
    const i = await start();
    await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]));
    await post(i, envelopePath(i), envelope({}, [[{ type: 'transaction' }, transaction()]]));
    expect(i.traces()).toHaveLength(1);
    const res = await api(i, `/api/data`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await json(await api(i, `/api/traces`))).toEqual([]);
    expect(await json(await api(i, `/api/events`))).toEqual([]);
    expect((await api(i, `/api/traces/${TRACE_ID}`)).status).toBe(404);
  });

  it('keeps memory bounded by evicting the least recently active traces', async () => {
    const i = await start({ maxSpans: 3, maxEvents: 2 });
    for (let n = 0; n < 5; n += 1) {
      const traceId = `${String(n).padStart(2, '0')}${'ab'.repeat(15)}`;
      const tx = { ...transaction(), contexts: { trace: { trace_id: traceId, span_id: '2222222222222222' } }, spans: [] };
      await post(i, envelopePath(i), envelope({}, [[{ type: 'transaction' }, tx]]));
      await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent({ event_id: `e${n}` })]]));
    }
    expect(i.stats()).toMatchObject({ spans: 3, traces: 3, events: 2, evicted: { spans: 2, events: 3 } });
    expect(i.traces().map((t) => t.traceId.slice(0, 2)).sort()).toEqual(['02', '03', '04']);
    expect(i.events().map((e) => e.event_id)).toEqual(['e3', 'e4']);
  });

  it('appends everything received to the data dir: JSONL records and raw bodies scannable for secrets', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-data-'));
    dirs.push(dataDir);
    const i = await start({ dataDir });
    const secret = 'sk-live-SECRET-in-a-span-attribute';
    const spans = await sampleSpans();
    (spans[0]!.attributes as Record<string, unknown>).leaked = secret;
    expect((await post(i, otlpPath(i), gzipSync(otlpProto(spans)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', ...authHeader(i.key) })).status).toBe(202);
    expect((await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]))).status).toBe(200);
    expect((await post(i, otlpPath(i), 'garbage', { 'content-type': 'application/json', ...authHeader(i.key) })).status).toBe(202);
    await i.close();

    const lines = (file: string): any[] => readFileSync(join(dataDir, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines('spans.jsonl')).toHaveLength(2);
    expect(lines('events.jsonl')[0]).toMatchObject({ type: 'TypeError', trace_id: TRACE_ID });
    expect(lines('envelopes.jsonl')[0].items[0].header.type).toBe('event');
    const otlp = lines('otlp.jsonl')[0];
    expect(otlp.format).toBe('protobuf');
    expect(otlp.request.resourceSpans[0].scopeSpans[0].spans[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    const index = lines('raw.jsonl');
    expect(index.map((r) => [r.route, r.status])).toEqual([['otlp', 202], ['envelope', 200], ['otlp', 202]]);
    expect(lines('outcomes.jsonl')[0]).toMatchObject({ route: 'otlp', reason: 'invalid_json' });
    const raw = readFileSync(join(dataDir, 'raw.bin'));
    const first = raw.subarray(index[0].offset, index[0].offset + index[0].length);
    expect(first.includes(Buffer.from(secret))).toBe(true); // decompressed, so plain-text secrets are findable
    expect(raw.subarray(index[2].offset, index[2].offset + index[2].length).toString()).toBe('garbage');
    expect(raw.length).toBe(index.reduce((sum, r) => sum + r.length, 0));
  });

  it('prints a waterfall once a trace has been quiet', async () => {
    const printed: string[] = [];
    const i = await start({ waterfall: true, quietMs: 100, print: (line) => printed.push(line) });
    await post(i, envelopePath(i), envelope({}, [[{ type: 'transaction' }, transaction()]]));
    await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]));
    await i.waitFor(() => printed.some((line) => line.includes(`trace ${TRACE_ID}`)));
    const text = printed.join('\n');
    expect(text).toContain('GET /orders');
    expect(text).toMatch(/SELECT orders.*✖/);
    expect(text).toContain('✖ TypeError: boom');
  });

  it('close() frees the port', async () => {
    const i = await start();
    const port = i.port;
    await i.close();
    ingest = undefined;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});

describe('ingest server: faults', () => {
  it('status fault via the API: 429 with Retry-After for N requests, query API unaffected', async () => {
    const i = await start();
    const set = await api(i, `/api/faults`, { method: 'POST', body: JSON.stringify({ mode: 'status', status: 429, retryAfter: 7, count: 2 }) });
    expect(set.status).toBe(200);
    expect((await json(await api(i, `/api/faults`))).fault).toMatchObject({ fault: { mode: 'status', status: 429 }, remaining: 2 });
    const body = envelope({}, [[{ type: 'event' }, errorEvent()]]);
    const first = await post(i, envelopePath(i), body);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.headers.get('x-sentry-rate-limits')).toBe('7::organization:injected_fault');
    expect((await api(i, `/api/traces`)).status).toBe(200);
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);
    expect((await post(i, envelopePath(i), body)).status).toBe(429);
    expect((await post(i, envelopePath(i), body)).status).toBe(200);
    expect(i.events()).toHaveLength(1);
    expect(i.requests().map((r) => [r.status, r.fault ?? null])).toEqual([[429, 'status'], [429, 'status'], [200, null]]);
    expect(i.fault()).toBeUndefined();
  });

  it('rejects an invalid fault with 400', async () => {
    const i = await start();
    const res = await api(i, `/api/faults`, { method: 'POST', body: JSON.stringify({ mode: 'status', status: 200 }) });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(/between 400 and 599/);
    expect(i.fault()).toBeUndefined();
  });

  it('slow fault delays the answer but still stores', async () => {
    const i = await start();
    await i.setFault({ mode: 'slow', delayMs: 150, count: 1 });
    const res = await post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]));
    expect(res.status).toBe(200);
    expect(i.requests()[0]).toMatchObject({ fault: 'slow', status: 200 });
  });

  it('black-hole fault accepts and never answers; close() still returns', async () => {
    const i = await start();
    await i.setFault({ mode: 'black-hole' });
    const res = post(i, envelopePath(i), envelope({}, [[{ type: 'event' }, errorEvent()]]));
    await i.waitFor(() => i.requests().length === 1);
    const outcome = await Promise.race([res.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('pending'), 300))]);
    expect(outcome).toBe('pending');
    expect(i.requests()[0]).toMatchObject({ fault: 'black-hole' });
    expect(i.requests()[0]!.status).toBeUndefined();
    await i.close();
    await expect(res).rejects.toThrow();
  });

  it('down fault refuses connections, then listens again on the same port', async () => {
    const i = await start();
    const port = i.port;
    await i.setFault({ mode: 'down' });
    await expect(fetch(`${i.url}/healthz`)).rejects.toThrow();
    await i.clearFault();
    expect(i.port).toBe(port);
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);

    // set through the API with a duration, it lifts by itself
    const res = await api(i, `/api/faults`, { method: 'POST', body: JSON.stringify({ mode: 'down', durationMs: 300 }) });
    expect(res.status).toBe(200);
    await expect(fetch(`${i.url}/healthz`)).rejects.toThrow();
    await i.waitFor(() => i.fault() === undefined);
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
      status = await fetch(`${i.url}/healthz`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });
});

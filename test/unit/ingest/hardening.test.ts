/**
 * The ingest as a guest on a developer machine: the key guards every route but /healthz (the admin API in a header;
 * the trace view's page and assets and the ingest routes in the URL, as a browser or an SDK sends it), no CORS
 * simple request can change its state, auth comes before any fault, and held connections and stored data are bounded (drops counted).
 */
import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { useIngest } from './harness.js';
import { envelope, errorEvent, transaction } from './payloads.js';

const KEY = 'hardkey0123456789abcdef012345678';
const start = useIngest(KEY);

const ROUTES: Array<[method: string, path: string]> = [
  ['GET', '/api/traces'],
  ['GET', '/api/traces/a1b2c3d4e5f60718293a4b5c6d7e8f90'],
  ['GET', '/api/events'],
  ['GET', '/api/envelopes'],
  ['GET', '/api/requests'],
  ['GET', '/api/outcomes'],
  ['GET', '/api/problems'],
  ['GET', '/api/stats'],
  ['GET', '/api/faults'],
  ['POST', '/api/faults'],
  ['DELETE', '/api/faults'],
  ['DELETE', '/api/data'],
  ['GET', '/nope'],
];

describe('the key guards every route except /healthz', () => {
  it.each(ROUTES)('%s %s without the key → 401, with it → not 401', async (method, path) => {
    const i = await start();
    const body = method === 'POST' ? JSON.stringify({ mode: 'status', status: 503, count: 1 }) : undefined;
    const without = await fetch(`${i.url}${path}`, { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    expect(without.status).toBe(401);
    // the key in the query string is how the SDK transport authenticates ingest routes, not the API
    const inQuery = await fetch(`${i.url}${path}?sentry_key=${KEY}`, { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    expect(inQuery.status).toBe(401);
    expect(i.fault()).toBeUndefined();
    const withKey = await fetch(`${i.url}${path}`, { method, ...(body ? { body } : {}), headers: { ...i.apiHeaders, ...(body ? { 'content-type': 'application/json' } : {}) } });
    expect(withKey.status).not.toBe(401);
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);
  });

  // Routes a browser or an SDK reaches by URL take the key there too (the page, its assets, the ingest routes).
  it.each([
    ['GET', '/'],
    ['GET', '/index.html'],
    ['GET', '/ui/app.js'],
    ['GET', '/ui/app.css'],
    ['HEAD', '/ui/app.js'],
    ['POST', '/api/1/envelope/'],
    ['POST', '/api/1/store/'],
    ['POST', '/api/1/integration/otlp/v1/traces'],
  ])('%s %s without the key → 401, with it in the URL → not 401', async (method, path) => {
    const i = await start();
    const body = method === 'POST' ? '{}' : undefined;
    for (const query of ['', `?sentry_key=${'0'.repeat(32)}`]) {
      const without = await fetch(`${i.url}${path}${query}`, { method, ...(body ? { body } : {}) });
      expect(without.status, query).toBe(401);
      if (method === 'GET') expect(await without.text()).not.toMatch(/function|\.brand|<script/);
    }
    const withKey = await fetch(`${i.url}${path}?sentry_key=${KEY}&sentry_version=7`, { method, ...(body ? { body } : {}) });
    expect(withKey.status).not.toBe(401);
  });

  it('the page names its assets with the key it was opened with, and they load with it', async () => {
    const i = await start();
    const html = await (await fetch(`${i.url}/?sentry_key=${KEY}`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((match) => match[1]!.replaceAll('&#38;', '&'));
    expect(assets).toEqual([`/ui/app.css?sentry_key=${KEY}`, `/ui/app.js?sentry_key=${KEY}`]);
    for (const asset of assets) expect((await fetch(`${i.url}${asset}`)).status).toBe(200);
  });

  it('DELETE /api/data without the key forgets nothing', async () => {
    const i = await start();
    await fetch(`${i.url}/api/1/envelope/?sentry_key=${KEY}`, { method: 'POST', body: envelope({}, [[{ type: 'event' }, errorEvent()]]) });
    expect((await fetch(`${i.url}/api/data`, { method: 'DELETE' })).status).toBe(401);
    expect(i.events()).toHaveLength(1);
  });
});

describe('no CORS simple request can change state', () => {
  it('a text/plain POST to /api/faults is rejected and sets no fault, even with the key in a header', async () => {
    const i = await start();
    const simple = await fetch(`${i.url}/api/faults`, { method: 'POST', body: '{"mode":"down"}', headers: { 'content-type': 'text/plain' } });
    expect(simple.status).toBe(401);
    const plainWithKey = await fetch(`${i.url}/api/faults`, { method: 'POST', body: '{"mode":"down"}', headers: { ...i.apiHeaders, 'content-type': 'text/plain' } });
    expect(plainWithKey.status).toBe(415);
    expect(i.fault()).toBeUndefined();
    expect((await fetch(`${i.url}/healthz`)).status).toBe(200);
  });

  it('a form-encoded POST carrying the key in the query is rejected', async () => {
    const i = await start();
    const res = await fetch(`${i.url}/api/faults?sentry_key=${KEY}`, { method: 'POST', body: 'mode=down', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(401);
    expect(i.fault()).toBeUndefined();
  });

  it('answers no CORS preflight for the API', async () => {
    const i = await start();
    const res = await fetch(`${i.url}/api/faults`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('auth comes before faults', () => {
  it.each([
    ['no key', ''],
    ['a wrong key', `?sentry_key=${'0'.repeat(32)}`],
  ])('a request with %s gets 401 and does not use up a counted fault', async (_name, query) => {
    const i = await start();
    await i.setFault({ mode: 'status', status: 503, count: 1 });
    const res = await fetch(`${i.url}/api/1/envelope/${query}`, { method: 'POST', body: envelope({}, [[{ type: 'event' }, errorEvent()]]) });
    expect(res.status).toBe(401);
    expect(i.fault()).toMatchObject({ remaining: 1 });
    expect(i.requests()[0]).not.toHaveProperty('fault');
  });

  it('a black-hole does not hold unauthenticated connections', async () => {
    const i = await start();
    await i.setFault({ mode: 'black-hole' });
    const res = await fetch(`${i.url}/api/1/envelope/`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(401);
  });
});

describe('bounds', () => {
  it('a black-hole holds at most maxHeldConnections; more are reset and counted', async () => {
    const i = await start({ maxHeldConnections: 3 });
    await i.setFault({ mode: 'black-hole' });
    const outcomes: Array<Promise<string>> = [];
    const pending = new Set<ReturnType<typeof request>>();
    for (let n = 0; n < 6; n += 1) {
      outcomes.push(new Promise((resolve) => {
        const req = request(`${i.url}/api/1/envelope/?sentry_key=${KEY}`, { method: 'POST' }, (res) => resolve(`status ${res.statusCode}`));
        req.on('error', (err) => resolve(`reset ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        req.end(envelope({}, [[{ type: 'event' }, errorEvent()]]));
        pending.add(req);
      }));
    }
    await i.waitFor(() => i.requests().length === 6);
    await i.waitFor(() => i.stats().heldDropped === 3);
    const settled = await Promise.race([Promise.all(outcomes.slice(3)), new Promise<string[]>((r) => setTimeout(() => r([]), 5000))]);
    expect(settled).toHaveLength(3);
    for (const outcome of settled) expect(outcome).toMatch(/^reset/);
    await i.close();
    for (const req of pending) req.destroy();
  });

  it('stored spans and events are bounded in bytes: oldest traces evicted first, counted', async () => {
    const i = await start({ maxBytes: 6_000 });
    const sizes: number[] = [];
    for (let n = 0; n < 6; n += 1) {
      const traceId = `${String(n).padStart(2, '0')}${'ab'.repeat(15)}`;
      const child = { span_id: '3333333333333333', parent_span_id: '2222222222222222', trace_id: traceId, op: 'db', start_timestamp: 1, timestamp: 2 };
      const tx = { ...transaction(), contexts: { trace: { trace_id: traceId, span_id: '2222222222222222' } }, spans: [child], extra: { pad: 'x'.repeat(1500) } };
      const body = envelope({}, [[{ type: 'transaction' }, tx]]);
      sizes.push(body.length);
      expect((await fetch(`${i.url}/api/1/envelope/?sentry_key=${KEY}`, { method: 'POST', body })).status).toBe(200);
    }
    const stats = i.stats();
    expect(stats.bytes).toBeLessThanOrEqual(6_000);
    expect(stats.evicted.traces).toBeGreaterThanOrEqual(2);
    expect(stats.evicted.bytes).toBeGreaterThan(0);
    expect(stats.receivedSpans).toBe(12);
    const kept = i.traces().map((t) => t.traceId.slice(0, 2)).sort();
    expect(kept.at(-1)).toBe('05'); // the newest stays
    expect(kept).not.toContain('00'); // the oldest went first
    expect(stats.bytes + stats.evicted.bytes).toBeGreaterThanOrEqual(sizes.reduce((a, b) => a + b, 0) - 12);
  });
});

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPrometheusExporter, type PrometheusEndpoint } from '../../../exporters/prometheus.js';
import { get } from '../../helpers/exposition.js';

const open: PrometheusEndpoint[] = [];
const blockers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (open.length > 0) await open.pop()!.close();
  while (blockers.length > 0) await new Promise<void>((r) => blockers.pop()!.close(() => r()));
});

async function start(options: Parameters<typeof startPrometheusExporter>[0]): Promise<PrometheusEndpoint> {
  const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false, ...options });
  open.push(endpoint);
  return endpoint;
}

describe('Prometheus endpoint', () => {
  it('serves /metrics and /healthz; 404 elsewhere; 405 for other methods', async () => {
    const endpoint = await start({});
    endpoint.meterProvider.getMeter('host').createCounter('host.requests').add(3);
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metrics = await get(endpoint.url!);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('host_requests_total{otel_scope_name="host"} 3');
    const base = endpoint.url!.replace('/metrics', '');
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect((await get(`${base}/metrics?x=1`)).status).toBe(200);
    expect((await get(`${base}/other`)).status).toBe(404);
    expect((await fetch(endpoint.url!, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz reports the readiness function: 200 when ready, 503 with the reasons, never behind the token', async () => {
    let status = { ready: true, reasons: [] as string[] };
    const endpoint = await start({ token: 's3cret-token', readiness: () => status });
    const base = endpoint.url!.replace('/metrics', '');
    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, reasons: [] });
    status = { ready: false, reasons: ['sentry: no successful export for 75 s'] };
    const unready = await get(`${base}/readyz`);
    expect(unready.status).toBe(503);
    expect(JSON.parse(unready.body).reasons).toEqual(['sentry: no successful export for 75 s']);
    const plain = await start({});
    expect((await get(`${plain.url!.replace('/metrics', '')}/readyz`)).status).toBe(200);
  });

  it('with a token: 401 without it or with a wrong one, 200 with it; /healthz stays open', async () => {
    const endpoint = await start({ token: 's3cret-token' });
    const base = endpoint.url!.replace('/metrics', '');
    const missing = await get(endpoint.url!);
    expect(missing.status).toBe(401);
    expect(missing.body).not.toContain('target_info');
    expect((await get(endpoint.url!, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(endpoint.url!, { authorization: 's3cret-token' })).status).toBe(401);
    expect((await get(endpoint.url!, { authorization: 'Basic czNjcmV0LXRva2Vu' })).status).toBe(401);
    const ok = await get(endpoint.url!, { authorization: 'Bearer s3cret-token' });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('target_info');
    expect((await get(endpoint.url!, { authorization: 'bearer s3cret-token' })).status).toBe(200);
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });

  it('port in use: exactly one clear stderr line, no throw, metrics still collected', async () => {
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });

    const endpoint = await start({ port });
    vi.restoreAllMocks();

    expect(endpoint.url).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[agent-otel-bridge\] warn: Prometheus endpoint not started on 127\.0\.0\.1:\d+: the port is already in use .*\n$/);
    endpoint.meterProvider.getMeter('host').createCounter('still.counted').add(2);
    const { resourceMetrics } = await endpoint.reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).toContain('still.counted');
    await expect(endpoint.close()).resolves.toBeUndefined();
  });
});

/**
 * The HTTP entry points' latency budget (grafana/alerts/agent-bridge.rules.yml) reads `http_server_request_duration`,
 * which the OpenTelemetry HTTP instrumentation — not span-metrics — records on the bridge's meter provider. This
 * checks the contract the dashboards, rules and backfill fixture assume against a real bridged server: the name
 * (no unit suffix), the labels, the scope and the bucket boundaries; and that the bridge's own endpoints are not
 * counted as entry points.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { labelsOf, METRIC, METRICS } from '../../grafana/src/metrics.js';
import { HTTP_SCOPE, HTTP_SECONDS } from '../grafana/fixture-metrics.js';
import { parseExposition, select } from '../helpers/exposition.js';
import { freePort } from '../helpers/ports.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

beforeAll(() => assertBuilt());
afterEach(async () => {
  await stopAll();
});

describe('http_server_request_duration on the bridge /metrics', () => {
  it('has the name, labels, scope and buckets of the metric contract; /metrics and /healthz are not counted', async () => {
    const metricsPort = await freePort();
    const app = startNode([`${ROOT}test/fixtures/apps/server.mjs`], { env: cleanEnv({ OTEL_SERVICE_NAME: 'http-entry', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort) }) });
    const [, port] = await app.waitFor(/READY (\d+)/);
    for (const path of ['/a', '/b?x=1', '/a']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
    await (await fetch(`${metricsUrl}/metrics`)).text();

    const samples = parseExposition(await (await fetch(`${metricsUrl}/metrics`)).text());
    const name = METRIC.httpServerDuration;
    const counts = select(samples, `${name}_count`);
    expect(counts.reduce((sum, s) => sum + s.value, 0)).toBe(3);

    const contract = METRICS.find((m) => m.name === name)!;
    expect(contract.origin).toBe('instrumentation');
    for (const series of [`${name}_bucket`, `${name}_sum`, `${name}_count`]) {
      // Scrape labels (job, instance) come from Prometheus, not the exposition.
      const allowed = labelsOf(contract, series);
      for (const s of select(samples, series)) expect(Object.keys(s.labels).filter((l) => !allowed.includes(l)), series).toEqual([]);
    }
    for (const s of counts) {
      expect(s.labels.otel_scope_name).toBe(HTTP_SCOPE.otel_scope_name);
      expect(s.labels).toMatchObject({ http_request_method: 'GET', http_response_status_code: '200' });
      expect(s.labels.http_route).toBeUndefined(); // plain node:http: no route
    }
    const boundaries = [...new Set(select(samples, `${name}_bucket`).map((s) => s.labels.le))].filter((le) => le !== '+Inf').map(Number);
    expect(boundaries).toEqual([...HTTP_SECONDS]);
  });
});

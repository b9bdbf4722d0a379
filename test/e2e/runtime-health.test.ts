/**
 * Issue 23 acceptance, runtime health, on a real bridged process sending to the local ingest:
 *  - `/metrics` exposes event-loop delay, heap, CPU and RSS next to the span metrics;
 *  - `/readyz` on the metrics server turns unready while the export endpoint black-holes (the stall threshold is
 *    configured short) and ready again after it recovers. Waits are on conditions, bounded generously.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { freePort } from '../helpers/ports.js';
import { get } from '../helpers/exposition.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

let ingest: IngestServer;
beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest();
});
afterEach(async () => {
  await stopAll();
  await ingest.clearFault();
  ingest.clear();
});
afterAll(async () => {
  await ingest.close();
});

async function startSteady(): Promise<string> {
  const port = await freePort();
  const app = startNode([`${ROOT}test/fixtures/apps/steady.mjs`], {
    env: cleanEnv({
      SENTRY_DSN: ingest.dsn,
      OTEL_SERVICE_NAME: 'steady',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_EXPORT_TIMEOUT: '1000',
      AGENT_BRIDGE_READY_EXPORT_STALL_MS: '1500',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    }),
  });
  await app.waitFor(/READY/);
  return `http://127.0.0.1:${port}`;
}

/** Poll `probe` every 200 ms until it returns true; fails after `timeoutMs` with the last observation. */
async function until(what: string, probe: () => Promise<{ ok: boolean; seen: string }>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    const result = await probe().catch((err: unknown) => ({ ok: false, seen: String(err) }));
    if (result.ok) return;
    seen = result.seen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${seen.slice(0, 500)}`);
}

describe('runtime health', () => {
  it('/metrics exposes event-loop delay, heap, CPU and RSS', async () => {
    const base = await startSteady();
    // The exporter keeps the instruments' names (no unit suffix): semconv names with `.` → `_`.
    const wanted = [
      /^nodejs_eventloop_delay_p99\{[^}]*\} \d/m,
      /^nodejs_eventloop_utilization\{[^}]*\} \d/m,
      /^v8js_memory_heap_used\{[^}]*v8js_heap_space_name="old_space"[^}]*\} [1-9]/m,
      /^process_cpu_time_total\{[^}]*cpu_mode="user"[^}]*\} \d/m,
      /^process_memory_usage\{[^}]*\} [1-9]\d*/m,
    ];
    await until('runtime metrics on /metrics', async () => {
      const { body } = await get(`${base}/metrics`);
      const missing = wanted.filter((pattern) => !pattern.test(body));
      return { ok: missing.length === 0, seen: `missing ${missing.join(', ')}\n${body.split('\n').filter((l) => /^(nodejs|v8js|process)_/.test(l)).join('\n')}` };
    });
  });

  it('/readyz turns unready while the export endpoint black-holes, and ready again after it recovers', async () => {
    const base = await startSteady();
    const readyz = async (want: number) => {
      const { status, body } = await get(`${base}/readyz`);
      return { ok: status === want, seen: `${status} ${body}` };
    };
    await until('ready while exports succeed', () => readyz(200));
    await ingest.setFault({ mode: 'black-hole' });
    await until('unready under the black hole', () => readyz(503));
    const { body } = await get(`${base}/readyz`);
    expect(JSON.parse(body)).toMatchObject({ ready: false, reasons: [expect.stringMatching(/^sentry: no successful export for \d+ s$/)] });
    await ingest.clearFault();
    await until('ready again after recovery', () => readyz(200));
    // /healthz never changed its answer: the bridge's trouble is no reason to restart the app
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });
});

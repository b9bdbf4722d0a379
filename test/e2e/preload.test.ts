/**
 * Issue 2 acceptance: the preload in real processes (ESM and CommonJS), invalid configuration, SIGTERM flushing,
 * and the `check` command — all against the local ingest over loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { CLI, ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';
import { loadedModules } from '../helpers/loaded-modules.js';
import { parseExposition, select } from '../helpers/exposition.js';

let ingest: IngestServer;

beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest({ waterfall: false });
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest.close();
});

async function startServer(name: string, extra: Record<string, string | undefined> = {}) {
  const server = startNode([`${ROOT}test/fixtures/apps/server.mjs`], {
    env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: name, OTEL_BSP_SCHEDULE_DELAY: '100', ...extra }),
  });
  const [, port] = await server.waitFor(/READY (\d+)/);
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('preload (node --import agent-otel-bridge/register)', () => {
  it.each([
    ['ESM', 'client.mjs'],
    ['CommonJS', 'client.cjs'],
  ])('%s app: fetch and node:http calls continue its trace in the second process', async (_kind, script) => {
    const { server, url } = await startServer('second');
    const client = startNode([`${ROOT}test/fixtures/apps/${script}`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'first', TARGET_URL: url, OTEL_BSP_SCHEDULE_DELAY: '100' }),
    });
    const [, json] = await client.waitFor(/RESULT (.*)/);
    const result = JSON.parse(json!) as { traceId: string; viaFetch: { traceId: string }; viaHttp: { traceId: string } };
    await client.exited;
    // What the server saw in-process…
    expect(result.viaFetch.traceId).toBe(result.traceId);
    expect(result.viaHttp.traceId).toBe(result.traceId);
    // …and what its exporter delivered: the second process's SERVER spans carry the first's trace id.
    await waitUntil(async () => {
      const trace = ingest.trace(result.traceId);
      return (trace?.spans.filter((s) => s.service === 'second' && s.kind === 'server').length ?? 0) >= 2;
    });
    const spans = ingest.trace(result.traceId)!.spans;
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['first', 'second']));
    for (const span of spans.filter((s) => s.service === 'second')) {
      expect(spans.some((parent) => parent.spanId === span.parentSpanId && parent.service === 'first')).toBe(true);
    }
    await server.stop();
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['SENTRY_TRACES_SAMPLE_RATE', { SENTRY_TRACES_SAMPLE_RATE: 'abc' }, /SENTRY_TRACES_SAMPLE_RATE="abc" is invalid: expected a number between 0 and 1/],
    ['SENTRY_TRACES_SAMPLE_RATE', { SENTRY_TRACES_SAMPLE_RATE: '1.5' }, /SENTRY_TRACES_SAMPLE_RATE="1.5" is invalid/],
    ['SENTRY_DSN', { SENTRY_DSN: 'https://nokey.example' }, /SENTRY_DSN=.* is invalid: expected a Sentry DSN/],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', { OTEL_EXPORTER_PROMETHEUS_PORT: '70000' }, /OTEL_EXPORTER_PROMETHEUS_PORT="70000" is invalid: expected a port number/],
    ['OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'maybe' }, /OTEL_SDK_DISABLED="maybe" is invalid: expected true or false/],
    ['AGENT_BRIDGE_CONFIG', { AGENT_BRIDGE_CONFIG: brokenConfigFile() }, /AGENT_BRIDGE_CONFIG=.* is invalid: expected valid JSON/],
    ['OTEL_PROPAGATORS', { OTEL_PROPAGATORS: 'tracecontext,carrier-pigeon' }, /OTEL_PROPAGATORS=.* is invalid: expected a comma-separated list/],
  ];

  it.each(invalid)('invalid %s → exactly one clear line, and the app still serves', async (_name, env, line) => {
    const { server, url } = await startServer('invalid', env);
    const response = await fetch(`${url}/still-serving`);
    expect(response.status).toBe(200);
    const lines = server.stderr().split('\n').filter((l) => l.includes('is invalid'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    await server.stop();
  });

  it('says in one line what it sends where, the DSN key masked; nothing with AGENT_BRIDGE_QUIET', async () => {
    const { server } = await startServer('announced');
    const key = new URL(ingest.dsn).username;
    const lines = server.stderr().split('\n').filter((l) => l.startsWith('[agent-otel-bridge]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[agent-otel-bridge\] info: started for service "announced": Sentry http:\/\/\*\*\*@127\.0\.0\.1:\d+\/\d+, metrics http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(server.stderr()).not.toContain(key);
    await server.stop();
    const quiet = await startServer('quiet', { AGENT_BRIDGE_QUIET: 'true' });
    expect(quiet.server.stderr()).toBe('');
    await quiet.server.stop();
    const withoutDsn = await startServer('no-dsn', { SENTRY_DSN: undefined });
    const noDsnLines = withoutDsn.server.stderr().split('\n').filter((l) => l.startsWith('[agent-otel-bridge]'));
    expect(noDsnLines).toEqual([expect.stringMatching(/^\[agent-otel-bridge\] info: started for service "no-dsn": Sentry off \(no DSN\), metrics http:\/\/127\.0\.0\.1:\d+\/metrics$/)]);
    await withoutDsn.server.stop();
  });

  it('OTEL_SDK_DISABLED=true turns the bridge off entirely', async () => {
    const { server, url } = await startServer('disabled', { OTEL_SDK_DISABLED: 'true' });
    const body = (await (await fetch(`${url}/x`)).json()) as { traceId: string | null };
    expect(body.traceId).toBeNull();
    await server.stop();
  });
});

describe('what the preload loads', () => {
  // @sentry/core's one entry point is ~180 modules: a process that sends nothing to Sentry must not pay for them
  // (src/propagation/sentry-trace.ts). With a DSN the SDK arrives once the app's start-up has settled (sentry-loader.ts).
  it('no DSN: nothing of Sentry is loaded, though the Sentry propagators are on', async () => {
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`);
    expect(modules.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true); // the probe sees the preload
    expect(modules.some((url) => url.endsWith('/dist/src/propagation/sentry-trace.js'))).toBe(true);
    expect(modules.filter((url) => url.includes('/node_modules/@sentry/') || url.endsWith('/dist/exporters/sentry-sdk.js'))).toEqual([]);
  });

  it("with a DSN: the Sentry SDK rewrites no library as it loads (OpenTelemetry's instrumentations own them)", async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/late-imports.mjs`], { env: cleanEnv({ SENTRY_DSN: ingest.dsn, AGENT_BRIDGE_METRICS_ENABLED: 'false' }) });
    const [, json] = await app.waitFor(/LATE (.*)/);
    expect(JSON.parse(json!)).toEqual({ runtime: [], express: 'function' });
  });

  it('no collector and no DSN: the OTLP exporter packages are not loaded (issue 18, start-up)', async () => {
    // otlp-exporter-base and otlp-transformer (~55 modules) serve only the collector and Sentry exporters.
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`);
    expect(modules.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true);
    expect(modules.filter((url) => /\/node_modules\/@opentelemetry\/otlp-/.test(url) || url.endsWith('/dist/exporters/otlp.js'))).toEqual([]);
  });

  it('the incubating semantic conventions are not loaded: the names the bridge uses are copied (issue 18, start-up)', async () => {
    // @opentelemetry/semantic-conventions/incubating is ~1.2 MB of modules (src/agent/semconv-incubating.ts).
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, { SENTRY_DSN: ingest.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(modules.some((url) => url.endsWith('/dist/src/agent/semconv-incubating.js'))).toBe(true);
    expect(modules.filter((url) => /\/node_modules\/@opentelemetry\/semantic-conventions\/.*(incubating|experimental)/.test(url))).toEqual([]);
  });

  it('the metrics endpoint imports no node:http ES module, no exporter-prometheus and no metrics SDK before the app starts (issue 18, start-up)', async () => {
    // The ES module facade of node:http reads its WebSocket getters, which load Node's bundled undici (~30 ms);
    // exporter-prometheus's PrometheusExporter imports `http` that way (exporters/prometheus.ts PrometheusReader).
    // The metrics SDK (~50 modules) loads once the app's start-up has settled (instrumentation/bridge.ts startMetrics).
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, { AGENT_BRIDGE_METRICS_ENABLED: 'true', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    expect(modules.some((url) => url.endsWith('/dist/exporters/prometheus-endpoint.js'))).toBe(true); // the endpoint is up
    expect(
      modules.filter(
        (url) =>
          url === 'node:http' ||
          url.endsWith('/dist/exporters/prometheus.js') ||
          /\/node_modules\/@opentelemetry\/(exporter-prometheus|sdk-metrics)\//.test(url),
      ),
    ).toEqual([]);
  });

  it('metrics recorded before the metrics SDK is loaded are all on /metrics: HTTP requests, the app\'s own counter (issue 18, start-up)', async () => {
    const metricsPort = await freePort();
    const app = startNode(['--import', `${ROOT}test/fixtures/module-probe.mjs`, '--import', `${ROOT}dist/instrumentation/register.js`, `${ROOT}test/fixtures/apps/metrics-before-sdk.mjs`], {
      preload: false,
      env: cleanEnv({ AGENT_BRIDGE_METRICS_ENABLED: 'true', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort) }),
    });
    const [, n, sdkLoaded] = await app.waitFor(/DONE (\d+) (\w+)/);
    expect(sdkLoaded).toBe('false'); // every measurement above waited for the SDK
    // The first scrape loads the SDK at once and sees them all.
    const samples = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    const total = (name: string) => select(samples, name).reduce((sum, s) => sum + s.value, 0);
    expect(total('http_server_request_duration_count')).toBe(Number(n));
    expect(total('http_client_request_duration_count')).toBe(Number(n));
    expect(total('fixture_requests_total')).toBe(Number(n));
  });

  it('without a config file zod is not loaded, whatever variables are set; with a config file it is (issue 18, start-up)', async () => {
    // zod checks only the file's schema (src/env-values.ts reads the variables): numbers, a host, a rate, an enum set.
    const env = { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_BSP_SCHEDULE_DELAY: '100', SENTRY_TRACES_SAMPLE_RATE: '0.5', OTEL_LOG_LEVEL: 'info', SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'svc', OTEL_RESOURCE_ATTRIBUTES: 'team=a', AGENT_BRIDGE_QUIET: 'true' };
    const isZod = (url: string) => url.includes('/node_modules/zod/');
    const without = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, env);
    expect(without.some((url) => url.endsWith('/dist/src/config.js'))).toBe(true);
    expect(without.filter(isZod)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'aob-config-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ operationalErrors: ['MyError'] }));
    const withFile = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, { ...env, AGENT_BRIDGE_CONFIG: file });
    expect(withFile.some(isZod)).toBe(true);
  });

  it('with a DSN the Sentry SDK loads after the app has started, not before its first line (issue 18, start-up)', async () => {
    // Loaded beside the app's own loading, the SDK's modules delayed its first line by ~500 ms (sentry-loader.ts).
    const app = startNode(['--import', `${ROOT}test/fixtures/module-probe.mjs`, '--import', `${ROOT}dist/instrumentation/register.js`, `${ROOT}test/fixtures/apps/sentry-after-startup.mjs`], {
      preload: false,
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, AGENT_BRIDGE_METRICS_ENABLED: 'false' }),
    });
    // Before it: only the module of @sentry/core that reads the release from CI commit variables (and its logger),
    // not the package's entry (~150 modules, exporters/sentry-release.ts).
    const [, first, upFirst] = await app.waitFor(/FIRST (\[.*\]) (true|false)/);
    const early = JSON.parse(first!) as string[];
    expect(upFirst).toBe('false');
    expect(early).toContain('@sentry/core/build/esm/utils/commitEnv.js');
    expect(early.length).toBeLessThanOrEqual(10);
    expect(early.filter((name) => !name.startsWith('@sentry/core/build/esm/'))).toEqual([]);
    // Then the SDK, within the upper bound (2 s), not only at exit: its one tree-shaken module, none of the packages'
    // own (their entry points are ~620 modules, exporters/sentry-sdk.ts).
    const [, upLater, , later] = await app.waitFor(/LATER (true|false) (\d+) (\[.*\])/);
    expect(upLater).toBe('true');
    expect(JSON.parse(later!)).toEqual(early);
  });

  it('loading the bridge and the Sentry SDK leaves V8\'s young generation at its size, and the app\'s own allocations still grow it (issue 18, memory)', async () => {
    // Without the hold (instrumentation/young-generation-hold.ts) the preload grew the young generation 1 → 16 MB before
    // the app's first line and the Sentry import 16 → 32 MB.
    const app = startNode([`${ROOT}test/fixtures/apps/young-generation.mjs`], { env: cleanEnv({ SENTRY_DSN: ingest.dsn, AGENT_BRIDGE_METRICS_ENABLED: 'false' }) });
    const [, json] = await app.waitFor(/SIZES (\{.*\})/);
    const sizes = JSON.parse(json!) as { first: number; up: number; clientUp: boolean; afterAppGrowth: number };
    expect(sizes.clientUp).toBe(true);
    // Unheld: 16 MB at the first line, 32 MB once the SDK is up. Held, the app's own work around them may still grow it
    // a step (2 → 4 MB once, under the full suite's load).
    expect(sizes.first).toBeLessThan(16);
    expect(sizes.up).toBeLessThan(16);
    expect(sizes.afterAppGrowth).toBeGreaterThan(sizes.up); // V8's growth factor is back
  });

  it('the runtime metrics load after the app has started, not before its first line (issue 18, start-up)', async () => {
    // @opentelemetry/instrumentation-runtime-node (~25 modules, perf_hooks, v8): ~20 ms of the first line
    // (instrumentation/bridge.ts startRuntimeMetricsLater).
    const app = startNode(['--import', `${ROOT}test/fixtures/module-probe.mjs`, '--import', `${ROOT}dist/instrumentation/register.js`, `${ROOT}test/fixtures/apps/runtime-after-startup.mjs`], {
      preload: false,
      env: cleanEnv({ AGENT_BRIDGE_METRICS_ENABLED: 'true', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0' }),
    });
    const [, first] = await app.waitFor(/FIRST (\d+)/);
    expect(Number(first)).toBe(0);
    const [, later] = await app.waitFor(/LATER (\d+)/);
    expect(Number(later)).toBeGreaterThan(0); // within the upper bound (2 s), not only at exit
  });

  it('runs the ESM loader hook in the application thread: no loader thread (issue 18, start-up)', async () => {
    // module.register's hook runs on a thread of its own ("WorkerThread"), one round trip per module the app loads;
    // import-in-the-middle's in-thread hook (module.registerHooks) needs none on this Node.
    const app = startNode([`${ROOT}test/fixtures/apps/threads.mjs`], { env: cleanEnv({ AGENT_BRIDGE_METRICS_ENABLED: 'false' }) });
    const [, names, http] = await app.waitFor(/THREADS (\[.*\]) (\w+)/);
    expect(http).toBe('function');
    expect(JSON.parse(names!) as string[]).toContain('MainThread');
    expect(JSON.parse(names!) as string[]).not.toContain('WorkerThread');
  });
});

describe('shutdown', () => {
  it('SIGTERM with 1,000 spans queued: all reach the exporter, and the exit status is the signal, as without the bridge', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/burst.mjs`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'burst', SPANS: '1000', OTEL_BSP_SCHEDULE_DELAY: '60000' }),
    });
    await app.waitFor(/READY/);
    expect(ingest.spans().length).toBe(0);
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(ingest.spans().length).toBe(1000);
  });

  it('an app with its own SIGTERM handler keeps control of its exit (and its spans are still flushed)', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/burst.mjs`], {
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'burst', SPANS: '50', OWN_SIGTERM: '1', OTEL_BSP_SCHEDULE_DELAY: '60000' }),
    });
    await app.waitFor(/READY/);
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect(app.stdout()).toContain('APP-HANDLER');
    expect({ code, signal }).toEqual({ code: 7, signal: null });
    expect(ingest.spans().length).toBe(50);
  });
});

describe('agent-otel-bridge check', () => {
  async function check(env: Record<string, string>) {
    const proc = startNode([CLI, 'check'], { env: cleanEnv(env), preload: false });
    const { code } = await proc.exited;
    return { code, out: proc.stdout() + proc.stderr() };
  }

  it('exits 0 for a good configuration against a local endpoint', async () => {
    const result = await check({ SENTRY_DSN: ingest.dsn, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) });
    expect(result.out).toContain('check: OK');
    expect(result.out).not.toContain(ingest.key);
    expect(result.code).toBe(0);
  });

  it('fails with the reason for an unreachable endpoint', async () => {
    const port = await freePort();
    const result = await check({ SENTRY_DSN: `http://abc123@127.0.0.1:${port}/1` });
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('fails with the reason for an invalid DSN', async () => {
    const result = await check({ SENTRY_DSN: 'definitely not a dsn' });
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/SENTRY_DSN=.* is invalid/);
  });

  it('fails with the reason when the metrics port is already in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await check({ OTEL_EXPORTER_PROMETHEUS_PORT: String(port) });
      expect(result.code).not.toBe(0);
      expect(result.out).toMatch(new RegExp(`metrics port 127.0.0.1:${port} is not available \\(EADDRINUSE\\)`));
    } finally {
      blocker.close();
    }
  });
});

function brokenConfigFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aob-e2e-')), 'broken.json');
  writeFileSync(file, '{ not json');
  return file;
}


/**
 * Issue 16 item 8 (shutdown edges) and item 5 (OTEL_SDK_DISABLED), in real child processes:
 *  - a second SIGINT while the flush hangs (black-hole ingest, 30 s shutdown timeout) ends the process at once,
 *    by the signal;
 *  - a signal-exit-style observer does not count as the app's handler: SIGTERM still ends the process by the
 *    signal after the flush (today's bug: nobody re-raised it and the process kept running);
 *  - the OpenAI Agents SDK's SIGTERM listener (process.exit(0) once it is the last listener) neither cuts the
 *    flush short (the bridge's listener stays until the flush is over) nor is taken for the app's handler;
 *  - `process.exitCode` + an empty loop is flushed; `process.exit()` keeps its code and cannot be flushed
 *    (Node runs 'exit' listeners synchronously; documented in instrumentation/shutdown.ts);
 *  - a truthy `OTEL_SDK_DISABLED=1` loads nothing: no loader hook, no bridge module.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

let ingest: IngestServer;
beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest({ waterfall: false });
});
afterEach(async () => {
  await ingest.clearFault();
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest.close();
});

function edges(mode: string, extra: Record<string, string> = {}) {
  return startNode([`${ROOT}test/fixtures/apps/shutdown-edges.mjs`], {
    env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: `edges-${mode}`, MODE: mode, OTEL_BSP_SCHEDULE_DELAY: '60000', ...extra }),
  });
}

describe('shutdown edges', () => {
  it('a second SIGINT during a hanging flush ends the process at once, by the signal', async () => {
    await ingest.setFault({ mode: 'black-hole' });
    const app = edges('serve', { AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS: '30000', OTEL_BSP_EXPORT_TIMEOUT: '30000' });
    await app.waitFor(/READY/);
    app.child.kill('SIGINT');
    // The flush has started once the batch reached the ingest (and is held there).
    await waitUntil(() => ingest.requests().length > 0, 20_000);
    const exitedEarly = await Promise.race([app.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
    expect(exitedEarly).toBe(false);
    app.child.kill('SIGINT');
    const { code, signal } = await app.exited; // well before the 30 s timeout: the test timeout is 60 s
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
  });

  it('a signal-exit observer is not the app: SIGTERM flushes, then ends the process by the signal', async () => {
    const app = edges('signal-exit');
    await app.waitFor(/READY/);
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(ingest.spans().filter((span) => span.service === 'edges-signal-exit')).toHaveLength(10);
  });

  // NODE_ENV=test: the SDK's tracing is off (agents-core config.mjs), so its cleanup ends within a few ticks —
  // before the bridge's flush — the race the demo's writer lost under vitest. Either way the process ends with code 0
  // as it would without the bridge: by itself once the app closed its server, or by the SDK's own exit(0).
  it.each([
    ['agents-sdk', 'the Agents SDK and an app listener that closes the server: every span flushed, the process ends by itself'],
    ['agents-sdk-alone', 'the Agents SDK is not the app: SIGTERM flushes, then the SDK ends the process as it would without the bridge'],
  ])('%s — %s', async (mode) => {
    const app = edges(mode, { NODE_ENV: 'test' });
    await app.waitFor(/READY/);
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ingest.spans().filter((span) => span.service === `edges-${mode}`)).toHaveLength(10);
  });

  it('process.exitCode and an empty loop: flushed, exit code kept', async () => {
    const app = edges('exit-code');
    const { code } = await app.exited;
    expect(code).toBe(3);
    expect(ingest.spans().filter((span) => span.service === 'edges-exit-code')).toHaveLength(10);
  });

  it('process.exit(): exit code and output kept, nothing printed by the bridge (the queue cannot be flushed)', async () => {
    const app = edges('process-exit');
    const { code } = await app.exited;
    expect(code).toBe(4);
    expect(app.stdout()).toBe('READY\n');
    // Only the start line (info); nothing at exit.
    expect(app.stderr()).toMatch(/^\[agent-otel-bridge\] info: started for service "edges-process-exit": [^\n]*\n$/);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it.each(['1', 'yes', 'ON', 'true'])('OTEL_SDK_DISABLED=%s loads nothing: no loader hook, no bridge', async (value) => {
    const app = startNode([`${ROOT}test/fixtures/apps/loaded.mjs`], { env: cleanEnv({ OTEL_SDK_DISABLED: value, SENTRY_DSN: ingest.dsn }) });
    const [json] = await app.waitFor(/\{.*\}/);
    await app.exited;
    expect(JSON.parse(json)).toEqual({ loaderHook: false, otelGlobal: false });
    expect(app.stderr()).toBe('');
  });

  it('the same app with the bridge on: hook and bridge present (the check above can fail)', async () => {
    const app = startNode([`${ROOT}test/fixtures/apps/loaded.mjs`], { env: cleanEnv({ OTEL_SDK_DISABLED: 'false', SENTRY_DSN: ingest.dsn }) });
    const [json] = await app.waitFor(/\{.*\}/);
    await app.exited;
    expect(JSON.parse(json)).toEqual({ loaderHook: true, otelGlobal: true });
  });
});

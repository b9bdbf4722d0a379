/**
 * The config file's `prices` reach the running bridge: started the way the preload starts it (environment and
 * config file only), a call of a model only the file prices is counted in agent_llm_cost_usd_total, not as
 * unpriced. (cost.test.ts checks the pricing itself on the span path alone.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aiRequest, invokeAgent } from '../../../src/agent/index.js';
import { shutdownBridge, startBridge } from '../../../instrumentation/bridge.js';
import { get, parseExposition, total } from '../../helpers/exposition.js';

const dir = mkdtempSync(join(tmpdir(), 'aob-prices-config-'));
afterAll(async () => {
  await shutdownBridge();
  rmSync(dir, { recursive: true, force: true });
});

describe('prices from the config file', () => {
  it('price the running bridge’s cost metric', async () => {
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ prices: { 'acme-llm': { input: 0.5, output: 1.5 } } }));
    const handle = await startBridge({
      env: { AGENT_BRIDGE_CONFIG: file, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0', AGENT_BRIDGE_QUIET: 'true' },
      handleSignals: false,
    });
    expect(handle.problems).toEqual([]);
    expect(handle.metricsUrl).toBeDefined();

    // 2,000 input × $0.5/M + 1,000 output × $1.5/M
    await invokeAgent({ name: 'a' }, () => aiRequest({ provider: 'acme', model: 'acme-llm' }, (span) => span.recordUsage({ input: 2000, output: 1000 })));
    await handle.forceFlush();

    const samples = parseExposition((await get(handle.metricsUrl!)).body);
    expect(total(samples, 'agent_llm_unpriced_requests_total')).toBe(0);
    expect(total(samples, 'agent_llm_cost_usd_total', { gen_ai_request_model: 'acme-llm' })).toBe(0.0025);
  });
});

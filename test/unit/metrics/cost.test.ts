/**
 * agent_llm_cost_usd_total / agent_llm_unpriced_requests_total: token usage recorded by the real agent helpers,
 * through the real SDK at trace sampling 0.1, priced by the built-in table or the config file, read back from the
 * Prometheus endpoint over loopback HTTP.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aiRequest, invokeAgent, type TokenUsage } from '../../../src/agent/index.js';
import { loadConfig } from '../../../src/config.js';
import { PriceTable } from '../../../src/metrics/price-table.js';
import { BUILT_IN_PRICES, type ModelPrice } from '../../../src/metrics/prices.js';
import { select, total } from '../../helpers/exposition.js';
import { startSpanPath } from './span-path.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const COST = 'agent_llm_cost_usd_total';
const UNPRICED = 'agent_llm_unpriced_requests_total';

async function pipeline(prices: Record<string, ModelPrice> = {}) {
  const path = await startSpanPath(0.1, { prices });
  cleanups.push(() => path.close());
  return path;
}

/** One LLM call made by `agent` through the helpers, reporting `usage` (and the model that answered). */
function call(agent: string, options: { provider?: string; model?: string; responseModel?: string }, usage: TokenUsage): void {
  invokeAgent({ name: agent }, () =>
    aiRequest({ provider: options.provider, model: options.model }, (span) => {
      span.recordUsage(usage);
      if (options.responseModel !== undefined) span.setResponseModel(options.responseModel);
    }),
  );
}

describe('LLM cost', () => {
  it('adds the exact cost of 1,000 calls with cached and reasoning tokens at trace sampling 0.1', async () => {
    const { scrape, exported } = await pipeline();
    for (let i = 0; i < 1000; i++) {
      // gpt-4o: 1,000 uncached × $2.50/M + 200 cached × $1.25/M + 350 output (100 of them reasoning) × $10/M = $0.00625
      call('writer', { provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' }, { input: 1200, cacheRead: 200, output: 350, reasoning: 100 });
    }
    // claude-sonnet-4 (by its dated snapshot): 5,000 × $3 + 4,000 cache reads × $0.30 + 1,000 cache writes × $3.75
    // + 500 × $15, per 1M = $0.02745
    call('critic', { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }, { input: 10_000, cacheRead: 4000, cacheCreation: 1000, output: 500 });

    const s = await scrape();
    // Exact: 1,000 × 0.00625 summed in float would not print as 6.25.
    expect(select(s, COST, { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_agent_name: 'writer' }).map((x) => x.value)).toEqual([6.25]);
    expect(select(s, COST, { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'claude-sonnet-4-20250514', gen_ai_agent_name: 'critic' }).map((x) => x.value)).toEqual([0.02745]);
    expect(total(s, UNPRICED)).toBe(0);
    expect(exported().length).toBeLessThan(500); // sampling was on; the cost counts every call
    // Sentry computes cost itself from the token attributes: no cost attribute goes out on a span.
    for (const span of exported()) expect(Object.keys(span.attributes).filter((k) => k.includes('cost'))).toEqual([]);
  });

  it('prices by the config file over the built-in table, and prices models only the config file knows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-prices-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ prices: { 'GPT-4o': { input: 1, output: 2 }, 'acme-llm': { input: 0.5, output: 1.5, cacheRead: 0.05 } } }));
    const { config, problems } = loadConfig({ AGENT_BRIDGE_CONFIG: file });
    expect(problems).toEqual([]);
    const { scrape } = await pipeline(config.prices);
    call('a', { provider: 'openai', model: 'gpt-4o' }, { input: 1000, output: 1000 }); // override: 1000 × $1/M + 1000 × $2/M
    call('a', { provider: 'acme', model: 'acme-llm-2025-01-31' }, { input: 2000, cacheRead: 1000, output: 100 }); // 1000 × 0.5 + 1000 × 0.05 + 100 × 1.5
    call('a', { provider: 'openai', model: 'gpt-4o-mini' }, { input: 1000, output: 1000 }); // built-in still applies: 0.15 + 0.6
    const s = await scrape();
    expect(total(s, COST, { gen_ai_request_model: 'gpt-4o' })).toBe(0.003);
    expect(total(s, COST, { gen_ai_request_model: 'acme-llm-2025-01-31' })).toBe(0.0007);
    expect(total(s, COST, { gen_ai_request_model: 'gpt-4o-mini' })).toBe(0.00075);
  });

  it('counts calls of unknown models as unpriced by provider and model, and never guesses a family price', async () => {
    const { scrape } = await pipeline();
    call('a', { provider: 'openai', model: 'gpt-4' }, { input: 10, output: 10 }); // not gpt-4o, not gpt-4.1
    call('a', { provider: 'openai', model: 'gpt-4o-turbo-preview' }, { input: 10, output: 10 });
    call('a', { provider: 'acme', model: 'acme-llm' }, { input: 10, output: 10 });
    call('a', { provider: 'acme', model: 'acme-llm' }, { input: 10 });
    call('a', { provider: 'acme' }, { output: 10 }); // no model at all
    call('a', { provider: 'gcp.gemini', model: 'gemini-2.5-pro' }, { input: 250_000, output: 10 }); // long-context rate not in the table
    call('a', { provider: 'acme', model: 'acme-llm' }, {}); // no usage: nothing to price, not unpriced either
    const s = await scrape();
    expect(total(s, COST)).toBe(0);
    expect(total(s, UNPRICED)).toBe(6);
    expect(total(s, UNPRICED, { gen_ai_provider_name: 'acme', gen_ai_request_model: 'acme-llm' })).toBe(2);
    expect(total(s, UNPRICED, { gen_ai_request_model: 'gpt-4' })).toBe(1);
    expect(total(s, UNPRICED, { gen_ai_request_model: 'gemini-2.5-pro' })).toBe(1);
    expect(select(s, UNPRICED).every((x) => !('gen_ai_agent_name' in x.labels))).toBe(true);
  });

  it('matches exact names, then without a vendor prefix, then without one dated-snapshot suffix', () => {
    const table = new PriceTable();
    const priced = (model: string): boolean => table.priceOf(model) !== undefined;
    for (const model of ['gpt-4o', 'gpt-4o-2024-08-06', 'openai/gpt-4o-mini', 'models/gemini-2.0-flash-001', 'claude-3-5-haiku-latest', 'claude-opus-4-1-20250805', 'claude-3-haiku_20240307', 'o3']) {
      expect(priced(model), model).toBe(true);
    }
    for (const model of ['gpt-4', 'gpt-4o-audio', 'gpt-4o-2024-08-06-2024-08-06', 'claude-3-5-sonnet-v2', 'gemini-2.0', 'o3-pro', 'gpt-4o-12', 'x/gpt-4o/extra']) {
      expect(priced(model), model).toBe(false);
    }
    expect(table.priceOf('gpt-4o-2024-08-06')).toBe(table.priceOf('gpt-4o'));
  });

  it('rejects a malformed price in the config file with one line naming the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-prices-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cases: Array<[unknown, RegExp]> = [
      [{ 'gpt-4o': { input: -1, output: 2 } }, /prices\.gpt-4o\.input/],
      [{ 'gpt-4o': { input: '2.5', output: 10 } }, /prices\.gpt-4o\.input/],
      [{ 'gpt-4o': { input: 2.5 } }, /prices\.gpt-4o\.output/],
      [{ 'gpt-4o': { input: 2.5, output: 10, cached: 1 } }, /prices\.gpt-4o.*cached/],
      [{ 'gpt-4o': { input: 2.5, output: 10, maxInputTokens: 0.5 } }, /prices\.gpt-4o\.maxInputTokens/],
    ];
    for (const [prices, expected] of cases) {
      const file = join(dir, 'bridge.json');
      writeFileSync(file, JSON.stringify({ prices }));
      const { config, problems } = loadConfig({ AGENT_BRIDGE_CONFIG: file });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.variable).toBe('AGENT_BRIDGE_CONFIG');
      expect(problems[0]!.message).toMatch(expected);
      expect(config.prices).toEqual({});
    }
  });

  it("the README's prices example is a valid config file that prices what it names", async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const example = /cat > bridge\.json <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(readme.slice(readme.indexOf('### Cost')))?.[1];
    expect(example, 'the bridge.json heredoc under "### Cost"').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'aob-prices-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'bridge.json'), example!);
    const { config, problems } = loadConfig({ AGENT_BRIDGE_CONFIG: join(dir, 'bridge.json') });
    expect(problems).toEqual([]);
    const { scrape } = await pipeline(config.prices);
    call('a', { provider: 'openai', model: 'gpt-4o' }, { input: 1_000_000, output: 0 });
    call('a', { provider: 'acme', model: 'acme-llm' }, { input: 200_000, output: 0 }); // over its maxInputTokens
    const s = await scrape();
    expect(total(s, COST, { gen_ai_request_model: 'gpt-4o' })).toBe(2.25);
    expect(total(s, UNPRICED, { gen_ai_request_model: 'acme-llm' })).toBe(1);
  });

  it('has a source page and a date for every provider of the built-in table', () => {
    for (const provider of BUILT_IN_PRICES) {
      expect(provider.source).toMatch(/^https:\/\//);
      expect(provider.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Object.keys(provider.models).length).toBeGreaterThan(0);
    }
  });
});

/**
 * Built-in LLM prices: USD per 1 million tokens, the providers' standard (pay-as-you-go, non-batch) list
 * prices for text, per provider with the page they come from and the date they were taken. The config file's
 * `prices` key overrides an entry or adds models (README, "Cost"); src/metrics/price-table.ts looks them up.
 *
 * What each field prices (GenAI semconv token attributes, as the agent helpers set them):
 * - `input`: input tokens neither read from nor written to a cache — gen_ai.usage.input_tokens minus
 *   gen_ai.usage.cache_read.input_tokens and gen_ai.usage.cache_creation.input_tokens (semconv: input_tokens
 *   includes both);
 * - `cacheRead` / `cacheCreation`: those cached tokens; absent → billed at `input`;
 * - `output`: gen_ai.usage.output_tokens, reasoning tokens included (semconv: reasoning.output_tokens is part of
 *   output_tokens; OpenAI, Anthropic and Google bill reasoning / thinking tokens at the output price);
 * - `maxInputTokens`: the provider bills prompts above this many input tokens at a higher long-context rate that
 *   this table does not hold: such a call is counted as unpriced, never priced at the lower rate.
 *
 * Anthropic's cache writes are the 5-minute ones (1-hour writes cost more and are not told apart in the usage
 * the helpers record). Prices change: update `taken` with every edit, and prefer a config-file override for
 * negotiated prices, batch or priority tiers, and resellers (Bedrock, Vertex, Azure) whose prices differ.
 */

export interface ModelPrice {
  /** USD per 1M uncached input tokens. */
  readonly input: number;
  /** USD per 1M output tokens (reasoning included). */
  readonly output: number;
  /** USD per 1M input tokens read from a cache; default `input`. */
  readonly cacheRead?: number;
  /** USD per 1M input tokens written to a cache; default `input`. */
  readonly cacheCreation?: number;
  /** Calls with more input tokens than this are counted as unpriced (long-context rates differ). */
  readonly maxInputTokens?: number;
}

export interface ProviderPrices {
  /** gen_ai.provider.name of the provider's own API. */
  readonly provider: string;
  /** The pricing page the values were read from. */
  readonly source: string;
  /** The date of the listing the values were taken from (YYYY-MM-DD). */
  readonly taken: string;
  readonly models: Readonly<Record<string, ModelPrice>>;
}

export const BUILT_IN_PRICES: readonly ProviderPrices[] = [
  {
    // The standard-tier listing as of the GPT-5 launch (2025-08-07); newer models are not in this table.
    provider: 'openai',
    source: 'https://platform.openai.com/docs/pricing',
    taken: '2025-08-07',
    models: {
      'gpt-5': { input: 1.25, cacheRead: 0.125, output: 10 },
      'gpt-5-mini': { input: 0.25, cacheRead: 0.025, output: 2 },
      'gpt-5-nano': { input: 0.05, cacheRead: 0.005, output: 0.4 },
      'gpt-4.1': { input: 2, cacheRead: 0.5, output: 8 },
      'gpt-4.1-mini': { input: 0.4, cacheRead: 0.1, output: 1.6 },
      'gpt-4.1-nano': { input: 0.1, cacheRead: 0.025, output: 0.4 },
      'gpt-4o': { input: 2.5, cacheRead: 1.25, output: 10 },
      'gpt-4o-mini': { input: 0.15, cacheRead: 0.075, output: 0.6 },
      o3: { input: 2, cacheRead: 0.5, output: 8 },
      'o3-mini': { input: 1.1, cacheRead: 0.55, output: 4.4 },
      'o4-mini': { input: 1.1, cacheRead: 0.275, output: 4.4 },
      'text-embedding-3-small': { input: 0.02, output: 0 },
      'text-embedding-3-large': { input: 0.13, output: 0 },
    },
  },
  {
    // Read from the "Model pricing" table of the page (base input, 5m cache writes, cache hits, output).
    provider: 'anthropic',
    source: 'https://docs.anthropic.com/en/docs/about-claude/pricing',
    taken: '2026-12-02',
    models: {
      'claude-opus-4-5': { input: 5, cacheCreation: 6.25, cacheRead: 0.5, output: 25 },
      'claude-opus-4-1': { input: 15, cacheCreation: 18.75, cacheRead: 1.5, output: 75 },
      'claude-opus-4': { input: 15, cacheCreation: 18.75, cacheRead: 1.5, output: 75 },
      // Sonnet 4 / 4.5 prompts over 200k tokens (1M-context beta) are billed at long-context rates.
      'claude-sonnet-4-5': { input: 3, cacheCreation: 3.75, cacheRead: 0.3, output: 15, maxInputTokens: 200_000 },
      'claude-sonnet-4': { input: 3, cacheCreation: 3.75, cacheRead: 0.3, output: 15, maxInputTokens: 200_000 },
      'claude-3-7-sonnet': { input: 3, cacheCreation: 3.75, cacheRead: 0.3, output: 15 },
      'claude-haiku-4-5': { input: 1, cacheCreation: 1.25, cacheRead: 0.1, output: 5 },
      'claude-3-5-haiku': { input: 0.8, cacheCreation: 1, cacheRead: 0.08, output: 4 },
      'claude-3-haiku': { input: 0.25, cacheCreation: 0.3, cacheRead: 0.03, output: 1.25 },
    },
  },
  {
    // Paid tier, text input, as listed after Gemini 2.5 Flash-Lite became generally available (2025-07-22).
    provider: 'gcp.gemini',
    source: 'https://ai.google.dev/gemini-api/docs/pricing',
    taken: '2025-07-22',
    models: {
      // Prompts over 200k tokens are billed at the long-context rate.
      'gemini-2.5-pro': { input: 1.25, cacheRead: 0.125, output: 10, maxInputTokens: 200_000 },
      'gemini-2.5-flash': { input: 0.3, cacheRead: 0.03, output: 2.5 },
      'gemini-2.5-flash-lite': { input: 0.1, cacheRead: 0.01, output: 0.4 },
      'gemini-2.0-flash': { input: 0.1, cacheRead: 0.025, output: 0.4 },
      'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
    },
  },
];

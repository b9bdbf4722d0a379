/**
 * Looks up a model's price (src/metrics/prices.ts, overridden and extended by the config file's `prices`) and
 * turns a call's token usage into an exact cost.
 *
 * Matching, on the normalised model label (lowercase, ≤ 64 characters, src/metrics/normalize.ts), first hit wins:
 *  1. the name itself (`gpt-4o`);
 *  2. without a vendor prefix: the part after the last `/` (`openai/gpt-4o`, `models/gemini-2.0-flash`);
 *  3. without one dated-snapshot suffix: `-YYYY-MM-DD` (`gpt-4o-2024-08-06`), `-YYYYMMDD`
 *     (`claude-sonnet-4-20250514`), a three-digit version `-NNN` (`gemini-2.0-flash-001`) or `-latest`
 *     (`claude-3-5-haiku-latest`); `_` or `@` may stand for the `-`.
 * Nothing else — no prefix matching, no family guesses: a model not matched is unpriced. At most three Map
 * lookups and one end-anchored regex on a bounded string; results are cached in a bounded map.
 *
 * Exactness: a price is kept as an integer number of pico-dollars (1e-12 USD) per token (price per 1M tokens ×
 * 1e6, rounded: prices are exact to 1e-6 USD per 1M tokens), so a call's cost is an integer and the cost counter
 * (FixedPointCounter) sums without float error.
 */
import { BUILT_IN_PRICES, type ModelPrice } from './prices.js';

/** Cost counters count pico-dollars: this many per dollar. */
export const PICO_PER_USD = 1e12;

const SNAPSHOT_SUFFIX = /[-_@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{3}|latest)$/;
const MAX_CACHED = 1024;

/** A price in pico-dollars per token. */
export interface UnitPrice {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheCreation: number;
  readonly maxInputTokens: number;
}

/** Token counts of one call (semconv: input includes cached tokens, output includes reasoning tokens). */
export interface CallTokens {
  input: number | undefined;
  output: number | undefined;
  cacheRead: number | undefined;
  cacheCreation: number | undefined;
}

export class PriceTable {
  private readonly prices = new Map<string, UnitPrice>();
  private readonly cache = new Map<string, UnitPrice | null>();

  /**
   * @param overrides model → price from the config file; an entry replaces the built-in one of that name whole.
   * @param normalize the label normaliser span metrics use, so keys match model labels (`GPT-4o` → `gpt-4o`).
   */
  constructor(overrides: Readonly<Record<string, ModelPrice>> = {}, normalize: (name: string) => string | undefined = (n) => n.trim().toLowerCase()) {
    for (const provider of BUILT_IN_PRICES) for (const [model, price] of Object.entries(provider.models)) this.set(model, price, normalize);
    for (const [model, price] of Object.entries(overrides)) this.set(model, price, normalize);
  }

  /** The model's price, or undefined when it has none (see the matching rules above). */
  priceOf(model: string | undefined): UnitPrice | undefined {
    if (model === undefined) return undefined;
    const cached = this.cache.get(model);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.match(model);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(model, found ?? null);
    return found;
  }

  /**
   * The cost of one call in pico-dollars, or undefined when it cannot be priced: no tokens reported, or more
   * input tokens than the price covers.
   */
  static costOf(price: UnitPrice, tokens: CallTokens): number | undefined {
    const input = tokens.input ?? 0;
    const output = tokens.output ?? 0;
    if (tokens.input === undefined && tokens.output === undefined) return undefined;
    if (input > price.maxInputTokens) return undefined;
    const cacheRead = Math.min(tokens.cacheRead ?? 0, input);
    const cacheCreation = Math.min(tokens.cacheCreation ?? 0, input - cacheRead);
    const uncached = input - cacheRead - cacheCreation;
    return uncached * price.input + cacheRead * price.cacheRead + cacheCreation * price.cacheCreation + output * price.output;
  }

  private match(model: string): UnitPrice | undefined {
    let name = model;
    let price = this.prices.get(name);
    if (price !== undefined) return price;
    const slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.slice(slash + 1);
      price = this.prices.get(name);
      if (price !== undefined) return price;
    }
    const suffix = SNAPSHOT_SUFFIX.exec(name);
    return suffix === null ? undefined : this.prices.get(name.slice(0, suffix.index));
  }

  private set(model: string, price: ModelPrice, normalize: (name: string) => string | undefined): void {
    const key = normalize(model);
    if (key === undefined) return;
    const input = picoPerToken(price.input);
    this.prices.set(key, {
      input,
      output: picoPerToken(price.output),
      cacheRead: price.cacheRead === undefined ? input : picoPerToken(price.cacheRead),
      cacheCreation: price.cacheCreation === undefined ? input : picoPerToken(price.cacheCreation),
      maxInputTokens: price.maxInputTokens ?? Infinity,
    });
  }
}

/** USD per 1M tokens → pico-dollars per token (USD/1e6 per token × 1e12). */
function picoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1e6);
}

/**
 * Label values must stay bounded and must never carry ids, prompts or URLs. Agent/model/store names come from
 * user code, so they are normalised once per distinct raw value (lowercase, trimmed, odd characters → `_`,
 * UUIDs / long hex ids → `{id}`, URLs → `{url}`, capped length) and the result is cached in a bounded map: the
 * span hot path then costs one Map lookup per label, and the regexes only run on a cache miss.
 */
export interface NormalizerOptions {
  /** Lowercase the value (names); error types keep their case (`ValidationError`). Default true. */
  lowercase?: boolean;
  /** Longest label value kept. Default 64. */
  maxLength?: number;
  /** Cached raw values; the oldest entry is evicted beyond this. Default 1024. */
  maxEntries?: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const LONG_HEX = /\b(?=[0-9a-f]*\d)[0-9a-f]{16,}\b/gi;
const ODD = /[^a-zA-Z0-9._:/{}-]+/g;
const REPEATED_UNDERSCORE = /_{2,}/g;

export class LabelNormalizer {
  private readonly cache = new Map<string, string>();
  private readonly lowercase: boolean;
  private readonly maxLength: number;
  private readonly maxEntries: number;

  constructor(options: NormalizerOptions = {}) {
    this.lowercase = options.lowercase ?? true;
    this.maxLength = Math.max(1, options.maxLength ?? 64);
    this.maxEntries = Math.max(1, options.maxEntries ?? 1024);
  }

  /** The label value for a raw attribute value, or undefined when there is nothing usable. */
  normalize(raw: unknown): string | undefined {
    if (typeof raw !== 'string') {
      if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
      else return undefined;
    }
    const key = raw as string;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached === '' ? undefined : cached;
    const value = this.compute(key);
    if (this.cache.size >= this.maxEntries) {
      // Map iterates in insertion order: drop the oldest entry (FIFO keeps the cost O(1)).
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, value);
    return value === '' ? undefined : value;
  }

  /** Number of cached raw values (for tests: stays ≤ maxEntries). */
  get size(): number {
    return this.cache.size;
  }

  private compute(raw: string): string {
    let v = raw.trim();
    if (v === '') return '';
    if (v.includes('://')) return '{url}';
    if (v.length > 4 * this.maxLength) v = v.slice(0, 4 * this.maxLength); // bound regex work on huge inputs
    if (this.lowercase) v = v.toLowerCase();
    v = v.replace(UUID, '{id}').replace(LONG_HEX, '{id}').replace(ODD, '_').replace(REPEATED_UNDERSCORE, '_');
    if (v.length > this.maxLength) v = v.slice(0, this.maxLength);
    return v;
  }
}

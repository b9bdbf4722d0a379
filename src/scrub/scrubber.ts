/**
 * The scrubber: secret keys → `[Filtered]`, secret-looking values redacted in place. One instance per key
 * configuration (the key regex is compiled once). Used on span attributes (before any processor or exporter
 * reads them) and on Sentry events and breadcrumbs (beforeSend / beforeBreadcrumb).
 */
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { FILTERED, keyPattern } from './patterns.js';
import { scrubString } from './scrub-string.js';

const MAX_DEPTH = 12;
/** Attribute keys come from a small vocabulary, so their verdicts are cached; beyond this many, tested each time. */
const MAX_CACHED_KEYS = 2048;

export class Scrubber {
  private readonly sensitiveKey: RegExp;
  private readonly keyVerdicts = new Map<string, boolean>();

  constructor(extraKeys: readonly string[] = []) {
    this.sensitiveKey = keyPattern(extraKeys);
  }

  isSensitiveKey(key: string): boolean {
    // The key regex ran for every attribute of every span (bench profile); a cached verdict is one Map lookup.
    let verdict = this.keyVerdicts.get(key);
    if (verdict === undefined) {
      verdict = this.sensitiveKey.test(key);
      if (this.keyVerdicts.size < MAX_CACHED_KEYS) this.keyVerdicts.set(key, verdict);
    }
    return verdict;
  }

  /** The scrubbed value of one attribute, or the same value when nothing needed changing. */
  attributeValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    if (this.isSensitiveKey(key)) return FILTERED;
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((item) => {
        if (typeof item !== 'string') return item;
        const clean = scrubString(item);
        if (clean !== item) changed = true;
        return clean;
      });
      return changed ? (out as AttributeValue) : value;
    }
    return value;
  }

  /** Scrub an attributes object in place. */
  attributesInPlace(attributes: Attributes): void {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const clean = this.attributeValue(key, value);
      if (clean !== value) attributes[key] = clean;
    }
  }

  /** Deep copy of any JSON-ish value with secrets removed (Sentry events, breadcrumbs, message payloads). */
  deep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return scrubString(value) as T;
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((item) => this.deep(item, depth + 1)) as T;
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = this.isSensitiveKey(key) && item !== null && item !== undefined ? FILTERED : this.deep(item, depth + 1);
    }
    return out as T;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

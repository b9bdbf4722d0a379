/**
 * The scrubber: secret keys → `[Filtered]`, secret-looking values redacted in place. One instance per key
 * configuration (the key regex is compiled once). Used on span attributes (before any processor or exporter
 * reads them) and on Sentry events and breadcrumbs (beforeSend / beforeBreadcrumb).
 */
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { FILTERED, keyPattern } from './patterns.js';
import { MAX_REMEMBERED_LENGTH, detached, scrubString } from './scrub-string.js';

const MAX_DEPTH = 12;
/** Attribute keys come from a small vocabulary, so their verdicts are cached; beyond this many, tested each time. */
const MAX_CACHED_KEYS = 2048;

interface KeyState {
  readonly sensitive: boolean;
  /** The last value of this key that scrubbing left unchanged: the same value again needs no regex. */
  lastClean: string | undefined;
}

export class Scrubber {
  private readonly sensitiveKey: RegExp;
  private readonly keys = new Map<string, KeyState>();

  constructor(extraKeys: readonly string[] = []) {
    this.sensitiveKey = keyPattern(extraKeys);
  }

  isSensitiveKey(key: string): boolean {
    return this.keyState(key).sensitive;
  }

  /** The scrubbed value of one attribute, or the same value when nothing needed changing. */
  attributeValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    const state = this.keyState(key);
    if (state.sensitive) return FILTERED;
    if (typeof value === 'string') {
      // Most keys carry the same few values span after span (model, provider, operation): the value-shape
      // regexes ran on each of them for every span (bench profile); an equal string is one comparison.
      if (value === state.lastClean) return value;
      const clean = scrubString(value);
      if (clean === value && value.length <= MAX_REMEMBERED_LENGTH) state.lastClean = detached(value);
      return clean;
    }
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

  private keyState(key: string): KeyState {
    // The key regex ran for every attribute of every span (bench profile); a cached verdict is one Map lookup.
    let state = this.keys.get(key);
    if (state === undefined) {
      state = { sensitive: this.sensitiveKey.test(key), lastClean: undefined };
      if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, state);
    }
    return state;
  }

  /** Scrub an attributes object in place. */
  attributesInPlace(attributes: Attributes): void {
    // for-in rather than Object.keys: no key array per span (half the loop's cost in a micro-benchmark).
    // Attribute objects are plain `{}` records: nothing enumerable is inherited.
    for (const key in attributes) {
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

/**
 * The scrubber: secret keys → `[Filtered]`, secret-looking values redacted in place. One instance per key
 * configuration (the key regex is compiled once). Used on span attributes (before any processor or exporter
 * reads them) and on Sentry events and breadcrumbs (beforeSend / beforeBreadcrumb).
 */
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { FILTERED, IDENTIFIER_KEYS, keyPattern } from './patterns.js';
import { MAX_REMEMBERED_LENGTH, detached, scrubString } from './scrub-string.js';
import { scrubFailed } from './failures.js';

/** Values nested deeper are filtered (an event's stack frame variables sit about 10 levels down). */
export const MAX_DEPTH = 12;
/** Attribute keys come from a small vocabulary, so their verdicts are cached; beyond this many, tested each time. */
const MAX_CACHED_KEYS = 2048;

interface KeyState {
  readonly sensitive: boolean;
  /** A message-content key: removed from span attributes while content capture is off (see `attributesInPlace`). */
  readonly content: boolean;
  /** Values of this key that scrubbing left unchanged (at most MAX_CLEAN_PER_KEY): the same value again needs no regex. */
  readonly clean: string[];
  /** Where the next remembered value goes once `clean` is full (the oldest is replaced). */
  next: number;
  /** Whether a remembered value came again since the last was remembered (a key whose values repeat). */
  repeated: boolean;
  /** Clean values not remembered since the last one was (a key whose every value is new: an id). */
  skipped: number;
}

/**
 * Clean values remembered per key. More than one: a key shared by several kinds of span has a value per kind
 * (`gen_ai.operation.name` `invoke_agent` / `chat`, `sentry.op`, `agent.span.type`), and with one remembered value
 * each span's value replaced the other's, so those keys were scanned on every span: the scrub processor over the
 * agent step's three ended spans took 0.81 µs per step with every value seen before, 0.51 with four per key (0.89 →
 * 0.67 with a new response id each step; a loop in one process). At the bounds, 2,048 keys × 4 values of ≤ 256
 * characters (~2–4 MB); an agent's few dozen keys and values take a few KB.
 */
const MAX_CLEAN_PER_KEY = 4;

/**
 * A key whose remembered value never comes again (a response or request id: new on every span) keeps it only every
 * this many clean values: remembering is a copy (`detached`) that such a key would pay on every span for nothing.
 * The scrub processor timed in place (`npm run bench` part `processors`, 4 runs each): 3.3 → 2.4 µs per agent step.
 * A key whose values do repeat (a model, a conversation id) still remembers each new value at once.
 */
const RELEARN_EVERY = 16;

export class Scrubber {
  private readonly sensitiveKey: RegExp;
  private readonly keys = new Map<string, KeyState>();

  private readonly identifierKeys: ReadonlySet<string>;

  /**
   * @param extraKeys key names (or parts) whose values are always filtered, beyond the built-in patterns.
   * @param contentKeys span attribute keys that carry message content (src/agent/content.ts): `scrubAttributes`
   *   removes them when asked to. Checked on the key's cached state, so the removal costs no lookup of its own.
   */
  constructor(extraKeys: readonly string[] = [], private readonly contentKeys: ReadonlySet<string> = new Set()) {
    this.sensitiveKey = keyPattern(extraKeys);
    this.identifierKeys = new Set([...IDENTIFIER_KEYS].filter((key) => !extraKeys.includes(key)));
  }

  isSensitiveKey(key: string): boolean {
    return this.keyState(key).sensitive;
  }

  /**
   * The scrubbed value of one attribute, or the same value when nothing needed changing. Values outside the
   * attribute types (objects, nested arrays — only reachable by writing to `span.attributes` directly) cannot be
   * vouched for and are filtered.
   */
  attributeValue(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    return this.valueFor(this.keyState(key), value);
  }

  private valueFor(state: KeyState, value: AttributeValue): AttributeValue {
    if (state.sensitive) return FILTERED;
    if (typeof value === 'string') {
      // Most keys carry the same few values span after span (model, provider, operation): the value-shape
      // regexes ran on each of them for every span (bench profile); an equal string is a comparison or four.
      const remembered = state.clean;
      for (let i = 0; i < remembered.length; i++) {
        if (remembered[i] === value) {
          state.repeated = true;
          return value;
        }
      }
      const clean = scrubString(value);
      if (clean === value && value.length <= MAX_REMEMBERED_LENGTH) remember(state, value);
      return clean;
    }
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((item: unknown) => {
        if (typeof item === 'string') {
          const clean = scrubString(item);
          if (clean !== item) changed = true;
          return clean;
        }
        if (item === null || item === undefined || typeof item === 'number' || typeof item === 'boolean') return item;
        changed = true;
        return unsupported();
      });
      return changed ? (out as AttributeValue) : value;
    }
    return unsupported();
  }

  private keyState(key: string): KeyState {
    // The key regex ran for every attribute of every span (bench profile); a cached verdict is one Map lookup.
    let state = this.keys.get(key);
    if (state === undefined) {
      state = {
        sensitive: !this.identifierKeys.has(key) && this.sensitiveKey.test(key),
        content: this.contentKeys.has(key),
        clean: [],
        next: 0,
        repeated: true,
        skipped: 0,
      };
      if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, state);
    }
    return state;
  }

  /**
   * The scrubbed attributes: the same object, scrubbed in place, or — when reading or writing one of them throws
   * (a getter, a proxy, a frozen object) — a clean copy in which whatever could not be read is filtered. With
   * `removeContent`, the content keys are removed as well.
   */
  scrubAttributes(attributes: Attributes, removeContent = false): Attributes {
    try {
      this.attributesInPlace(attributes, removeContent);
      return attributes;
    } catch {
      return this.filteredCopy(attributes, removeContent);
    }
  }

  /** Scrub an attributes object in place (may throw: `scrubAttributes` is the fail-closed entry point). */
  attributesInPlace(attributes: Attributes, removeContent = false): void {
    // for-in rather than Object.keys: no key array per span (half the loop's cost in a micro-benchmark).
    // Attribute objects are plain `{}` records: nothing enumerable is inherited. Deleting the key being visited is
    // safe in for-in.
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      const state = this.keyState(key);
      if (removeContent && state.content) {
        delete attributes[key];
        continue;
      }
      const clean = this.valueFor(state, value);
      if (clean !== value) attributes[key] = clean;
    }
  }

  private filteredCopy(attributes: Attributes, removeContent: boolean): Attributes {
    const out: Attributes = {};
    let keys: string[];
    try {
      keys = Object.keys(attributes);
    } catch {
      scrubFailed('error', 'listing attributes threw; all of them were dropped');
      return out;
    }
    for (const key of keys) {
      if (removeContent && this.contentKeys.has(key)) continue;
      try {
        out[key] = this.attributeValue(key, attributes[key]);
      } catch {
        scrubFailed('error', 'reading an attribute threw');
        out[key] = FILTERED;
      }
    }
    return out;
  }

  /**
   * Deep copy of any JSON-ish value with secrets removed (Sentry events, breadcrumbs, message payloads). Fails
   * closed: a cycle, nesting deeper than MAX_DEPTH, a class instance (other than Date) and anything whose reading
   * throws become `[Filtered]`, counted by reason.
   */
  deep<T>(value: T): T {
    return this.deepAt(value, 0, []) as T;
  }

  private deepAt(value: unknown, depth: number, ancestors: object[]): unknown {
    if (typeof value === 'string') return scrubString(value);
    if (value === null || typeof value !== 'object') return value;
    try {
      return this.deepObject(value, depth, ancestors);
    } catch {
      scrubFailed('error', 'reading a value threw');
      return FILTERED;
    }
  }

  private deepObject(value: object, depth: number, ancestors: object[]): unknown {
    if (ancestors.includes(value)) {
      scrubFailed('cycle', 'a value contains itself');
      return FILTERED;
    }
    if (depth > MAX_DEPTH) {
      scrubFailed('depth', `a value is nested deeper than ${MAX_DEPTH} levels`);
      return FILTERED;
    }
    if (value instanceof Date) return value;
    const array = Array.isArray(value);
    if (!array && !isPlainObject(value)) return unsupported();
    ancestors.push(value);
    try {
      if (array) return value.map((item: unknown) => this.deepAt(item, depth + 1, ancestors));
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        let item: unknown;
        try {
          item = (value as Record<string, unknown>)[key];
        } catch {
          scrubFailed('error', 'reading a property threw');
          out[key] = FILTERED;
          continue;
        }
        out[key] = this.isSensitiveKey(key) && item !== null && item !== undefined ? FILTERED : this.deepAt(item, depth + 1, ancestors);
      }
      return out;
    } finally {
      ancestors.pop();
    }
  }
}

/** `value` (scanned clean) among the key's remembered values — unless the key's remembered values never come again. */
function remember(state: KeyState, value: string): void {
  if (!state.repeated && ++state.skipped < RELEARN_EVERY) return;
  const copy = detached(value);
  if (state.clean.length < MAX_CLEAN_PER_KEY) state.clean.push(copy);
  else {
    state.clean[state.next] = copy;
    state.next = (state.next + 1) % MAX_CLEAN_PER_KEY;
  }
  state.repeated = false;
  state.skipped = 0;
}

function unsupported(): typeof FILTERED {
  scrubFailed('unsupported', 'a value of a type the scrubber cannot read (object, nested array, class instance)');
  return FILTERED;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

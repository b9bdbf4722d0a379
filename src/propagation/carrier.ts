/**
 * Defensive reads from and writes to a carrier. Getters and setters are user-supplied (message carriers, HTTP
 * headers, arbitrary objects): they may throw, and `get` may return anything at runtime (string, string[] for
 * repeated HTTP headers, numbers, objects). Nothing here throws.
 */
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { warnOnce } from '../log.js';
import { MAX_INCOMING_HEADER_VALUES } from './limits.js';

function readRaw<C>(getter: TextMapGetter<C>, carrier: C, key: string): unknown {
  try {
    return getter.get(carrier, key);
  } catch {
    return undefined;
  }
}

/**
 * The value of a single-valued field (traceparent, sentry-trace). Repeated headers that disagree make the field
 * invalid — the W3C trace-context test suite expects a new trace for two different traceparent headers —, identical
 * repeats count once. Non-strings and values longer than `maxLength` are treated as absent.
 */
export function readSingleValue<C>(getter: TextMapGetter<C>, carrier: C, key: string, maxLength: number): string | undefined {
  const raw = readRaw(getter, carrier, key);
  if (typeof raw === 'string') return raw.length <= maxLength ? raw : undefined;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_INCOMING_HEADER_VALUES) return undefined;
  let value: string | undefined;
  for (const item of raw as unknown[]) {
    if (typeof item !== 'string' || item.length > maxLength) return undefined;
    if (value !== undefined && item !== value) return undefined;
    value = item;
  }
  return value;
}

/**
 * The value of a list-valued field (baggage, tracestate): repeated headers are one list joined with `,` (RFC 9110
 * §5.3, W3C Baggage §3.3). Non-string entries are skipped; a total longer than `maxLength` is treated as absent.
 */
export function readListValue<C>(getter: TextMapGetter<C>, carrier: C, key: string, maxLength: number): string | undefined {
  const raw = readRaw(getter, carrier, key);
  if (typeof raw === 'string') return raw.length <= maxLength ? raw : undefined;
  if (!Array.isArray(raw) || raw.length > MAX_INCOMING_HEADER_VALUES) return undefined;
  const parts: string[] = [];
  let length = 0;
  for (const item of raw as unknown[]) {
    if (typeof item !== 'string') continue;
    length += item.length + (parts.length > 0 ? 1 : 0);
    if (length > maxLength) return undefined;
    parts.push(item);
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Sets one field; a throwing setter (frozen carrier, odd message type) costs that field, never the caller. */
export function writeValue<C>(setter: TextMapSetter<C>, carrier: C, key: string, value: string): void {
  try {
    setter.set(carrier, key, value);
  } catch (err) {
    warnOnce(`propagation-set-${key}`, `could not write the ${key} header into a carrier: ${describe(err)}`);
  }
}

/** A one-line reason for a log message; never the carrier's content (it may hold credentials). */
export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'unknown error';
}

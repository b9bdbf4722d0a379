/**
 * Flattening of received attribute values to plain JSON: OTLP AnyValue (protobuf `toObject` output or OTLP/JSON),
 * Sentry's typed v2 attributes and arbitrary JSON. Depth is capped and keys are set without touching prototypes,
 * so hostile payloads cannot blow the stack or pollute objects later served by the query API.
 */
import type { JsonObject, JsonValue } from './types.js';
import { isRecord } from './is-record.js';

const MAX_DEPTH = 12;
const DEPTH_MARK = '[max depth]';

/** Sets `obj[key]` as an own property even for `__proto__`. */
export function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}


/** OTLP `AnyValue` → JSON. An empty AnyValue is `null`. */
export function anyValueToJson(value: unknown, depth = 0): JsonValue {
  if (!isRecord(value)) return null;
  if (depth > MAX_DEPTH) return DEPTH_MARK;
  if ('stringValue' in value) return typeof value.stringValue === 'string' ? value.stringValue : String(value.stringValue);
  if ('boolValue' in value) return value.boolValue === true || value.boolValue === 'true';
  if ('intValue' in value) return intToJson(value.intValue);
  if ('doubleValue' in value) return numberToJson(value.doubleValue);
  if ('bytesValue' in value) return bytesToBase64(value.bytesValue);
  if ('arrayValue' in value) {
    const values = isRecord(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map((item) => anyValueToJson(item, depth + 1));
  }
  if ('kvlistValue' in value) {
    const values = isRecord(value.kvlistValue) && Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : [];
    return keyValuesToJson(values, depth + 1);
  }
  return null;
}

/** OTLP `repeated KeyValue` → `{ key: value }`. Entries without a string key are skipped. */
export function keyValuesToJson(list: unknown, depth = 0): JsonObject {
  const out: JsonObject = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.key !== 'string') continue;
    setKey(out, entry.key, anyValueToJson(entry.value, depth));
  }
  return out;
}

/** Sentry v2 span attributes `{ key: { value, type, unit? } }`, or plain `{ key: value }` → `{ key: value }`. */
export function sentryAttributesToJson(attributes: unknown): JsonObject {
  const out: JsonObject = {};
  if (!isRecord(attributes)) return out;
  for (const [key, raw] of Object.entries(attributes)) {
    const value = isRecord(raw) && 'value' in raw && 'type' in raw ? raw.value : raw;
    setKey(out, key, toJsonValue(value));
  }
  return out;
}

/** Any value → JSON: non-finite numbers and bigints become strings, bytes base64, depth capped. */
export function toJsonValue(value: unknown, depth = 0): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return numberToJson(value);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (depth > MAX_DEPTH) return DEPTH_MARK;
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) setKey(out, key, toJsonValue(item, depth + 1));
  return out;
}

export function toJsonObject(value: unknown): JsonObject {
  const json = toJsonValue(value);
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : {};
}

function intToJson(value: unknown): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : String(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (isRecord(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    // a protobufjs Long that escaped `longs: String`
    return intToJson(((BigInt(value.high) << 32n) | BigInt(value.low >>> 0)).toString());
  }
  return typeof value === 'string' ? value : null;
}

function numberToJson(value: unknown): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  return null;
}

function bytesToBase64(value: unknown): JsonValue {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'string') return value;
  return null;
}

/**
 * A trace/span id as lowercase hex of the expected byte length, or `undefined`. Accepts raw bytes (protobuf),
 * hex strings (OTLP/JSON spec) and, for old senders, base64 of the right length.
 */
export function idToHex(value: unknown, bytes: 8 | 16): string | undefined {
  let hex: string | undefined;
  if (value instanceof Uint8Array) {
    if (value.length !== bytes) return undefined;
    hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  } else if (typeof value === 'string') {
    if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) hex = value.toLowerCase();
    else if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      const decoded = Buffer.from(value, 'base64');
      if (decoded.length === bytes) hex = decoded.toString('hex');
    }
  }
  if (hex === undefined || /^0+$/.test(hex)) return undefined;
  return hex;
}

/** A uint64 nanosecond timestamp (string, number or Long-like) as a decimal string; `'0'` when unusable. */
export function nanosToString(value: unknown): string {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value).toString();
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value)).toString();
  if (isRecord(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    return ((BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
  }
  return '0';
}

/** Decimal nanoseconds → epoch milliseconds (fractional, µs precision). */
export function nanosToMs(nanos: string): number {
  try {
    return Number(BigInt(nanos) / 1000n) / 1000;
  } catch {
    return 0;
  }
}

/**
 * A Sentry timestamp → epoch seconds: a number, a numeric string, or an RFC 3339 string (what older SDKs such as
 * sentry-python 1.x send; Relay's `Timestamp` deserializer takes both, relay-event-schema `protocol/types.rs`).
 * Sub-millisecond digits are kept. `undefined` when unusable.
 */
export function timestampSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  if (/^\d{1,12}(?:\.\d{1,9})?$/.test(value)) return Number(value);
  const match = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})?$/.exec(value);
  if (match === null) return undefined;
  // no zone: Relay reads it as UTC
  const whole = Date.parse(`${match[1]!.replace(/[t ]/, 'T')}${match[3] === undefined ? 'Z' : match[3].toUpperCase()}`);
  if (!Number.isFinite(whole)) return undefined;
  return whole / 1000 + (match[2] !== undefined ? Number(`0.${match[2]}`) : 0);
}

/** Sentry timestamps (epoch seconds or RFC 3339) → decimal nanoseconds. */
export function secondsToNanos(value: unknown): string {
  const seconds = timestampSeconds(value);
  if (seconds === undefined) return '0';
  return (BigInt(Math.round(seconds * 1e6)) * 1000n).toString();
}

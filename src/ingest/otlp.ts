/**
 * OTLP/HTTP trace decoding (https://opentelemetry.io/docs/specs/otlp/#otlphttp): binary protobuf (./otlp-proto.ts)
 * or OTLP/JSON (hex ids, lowerCamelCase fields; snake_case tolerated), normalised to `IngestSpan`. What Relay would
 * drop after accepting the request (unparseable bodies, spans with unusable ids) is returned as `dropped`.
 */
import { idToHex, keyValuesToJson, nanosToMs, nanosToString } from './attributes.js';
import { HttpError, errorMessage } from './http.js';
import { decodeExportTraceServiceRequest } from './otlp-proto.js';
import type { DropRecord, IngestSpan, IngestSpanEvent, IngestSpanLink, SpanKindName, StatusCodeName } from './types.js';
import { isRecord } from './is-record.js';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export type OtlpFormat = 'protobuf' | 'json';

export interface OtlpDecodeResult {
  spans: IngestSpan[];
  /** What Relay would accept with 202 and then drop, and why. */
  dropped: DropRecord[];
  /** The decoded request as a plain object (protobuf: ids still bytes), for the data-dir journal; none if unparseable. */
  request?: Record<string, unknown>;
}

const KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: StatusCodeName[] = ['unset', 'ok', 'error'];
/** opentelemetry-proto `SpanFlags`: bit 8 says whether bit 9 (parent is remote) is known. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/**
 * The OTLP route's Content-Type, as Relay reads it: the whole header compared (ASCII case-insensitive) with
 * `application/json` or `application/x-protobuf` — parameters such as `; charset=utf-8` make it another type, and
 * anything else is 415 (getsentry/relay `relay-server/src/endpoints/integrations/otlp.rs`,
 * `relay-server/src/envelope/content_type.rs` `ContentType::from_str`).
 */
export function otlpFormat(contentType: string | undefined): OtlpFormat | undefined {
  const type = (contentType ?? '').toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * Decodes an accepted OTLP body. Nothing here fails the request: like Relay, a body that does not parse, or spans
 * Relay cannot convert, are dropped after the 202 with an outcome (`relay-server/src/processing/spans/integrations/
 * otel.rs`), recorded here as `dropped`.
 */
export function decodeOtlpTraces(body: Buffer, format: OtlpFormat, receivedAt: number): OtlpDecodeResult {
  let request: Record<string, unknown>;
  if (format === 'protobuf') {
    try {
      request = decodeExportTraceServiceRequest(body);
    } catch (err) {
      return { spans: [], dropped: [drop('invalid_protobuf', `invalid OTLP protobuf: ${errorMessage(err).slice(0, 160)}`)] };
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return { spans: [], dropped: [drop('invalid_json', `invalid OTLP JSON: ${errorMessage(err).slice(0, 160)}`)] };
    }
    if (!isRecord(parsed)) return { spans: [], dropped: [drop('invalid_json', 'invalid OTLP JSON: the body must be an ExportTraceServiceRequest object')] };
    request = parsed;
  }
  try {
    return { ...normalise(request, receivedAt), request };
  } catch (err) {
    if (err instanceof HttpError) return { spans: [], dropped: [drop(format === 'json' ? 'invalid_json' : 'invalid_protobuf', err.message)], request };
    throw err;
  }
}

function drop(reason: string, detail: string, quantity = 1): DropRecord {
  return { category: 'span', reason, quantity, detail };
}

function normalise(request: Record<string, unknown>, receivedAt: number): { spans: IngestSpan[]; dropped: DropRecord[] } {
  const resourceSpans = pick(request, 'resourceSpans', 'resource_spans');
  if (resourceSpans === undefined || resourceSpans === null) return { spans: [], dropped: [] };
  if (!Array.isArray(resourceSpans)) throw new HttpError(400, 'invalid OTLP request: resourceSpans must be an array');

  const spans: IngestSpan[] = [];
  let rejected = 0;
  for (const rs of resourceSpans) {
    if (!isRecord(rs)) throw new HttpError(400, 'invalid OTLP request: a resourceSpans entry is not an object');
    const resourceObj = pick(rs, 'resource');
    const resource = keyValuesToJson(isRecord(resourceObj) ? resourceObj.attributes : undefined);
    const serviceName = resource[ATTR_SERVICE_NAME];
    const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'unknown_service';
    const scopeSpans = pick(rs, 'scopeSpans', 'scope_spans');
    if (scopeSpans === undefined || scopeSpans === null) continue;
    if (!Array.isArray(scopeSpans)) throw new HttpError(400, 'invalid OTLP request: scopeSpans must be an array');
    for (const ss of scopeSpans) {
      if (!isRecord(ss)) throw new HttpError(400, 'invalid OTLP request: a scopeSpans entry is not an object');
      const scopeObj = pick(ss, 'scope');
      const scope = isRecord(scopeObj) && typeof scopeObj.name === 'string'
        ? { name: scopeObj.name, ...(typeof scopeObj.version === 'string' && scopeObj.version !== '' ? { version: scopeObj.version } : {}) }
        : undefined;
      const list = pick(ss, 'spans');
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new HttpError(400, 'invalid OTLP request: spans must be an array');
      for (const raw of list) {
        const span = isRecord(raw) ? toSpan(raw, service, resource, scope, receivedAt) : undefined;
        if (span === undefined) rejected += 1;
        else spans.push(span);
      }
    }
  }
  // relay-spans `otel_to_sentry_v2.rs`: `TraceId::try_from` / `SpanId::try_from` fail → the span is invalid
  const dropped = rejected > 0 ? [drop('invalid_span', `${rejected} span(s) without a 16-byte traceId and an 8-byte spanId`, rejected)] : [];
  return { spans, dropped };
}

function toSpan(
  raw: Record<string, unknown>,
  service: string,
  resource: IngestSpan['resource'],
  scope: IngestSpan['scope'],
  receivedAt: number,
): IngestSpan | undefined {
  const traceId = idToHex(pick(raw, 'traceId', 'trace_id'), 16);
  const spanId = idToHex(pick(raw, 'spanId', 'span_id'), 8);
  if (traceId === undefined || spanId === undefined) return undefined;
  const parentSpanId = idToHex(pick(raw, 'parentSpanId', 'parent_span_id'), 8);
  const startTimeUnixNano = nanosToString(pick(raw, 'startTimeUnixNano', 'start_time_unix_nano'));
  const endTimeUnixNano = nanosToString(pick(raw, 'endTimeUnixNano', 'end_time_unix_nano'));
  const statusObj = pick(raw, 'status');
  const status: IngestSpan['status'] = { code: enumName(isRecord(statusObj) ? statusObj.code : undefined, STATUS, 'STATUS_CODE_') };
  if (isRecord(statusObj) && typeof statusObj.message === 'string' && statusObj.message !== '') status.message = statusObj.message;
  const name = pick(raw, 'name');
  const flags = Number(pick(raw, 'flags') ?? 0);
  const parentIsRemote = Number.isInteger(flags) && (flags & HAS_IS_REMOTE) !== 0 ? (flags & IS_REMOTE) !== 0 : undefined;
  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    ...(parentIsRemote !== undefined ? { parentIsRemote } : {}),
    name: typeof name === 'string' ? name : '',
    kind: enumName(pick(raw, 'kind'), KINDS, 'SPAN_KIND_'),
    service,
    startTimeUnixNano,
    endTimeUnixNano,
    startMs: nanosToMs(startTimeUnixNano),
    durationMs: durationMs(startTimeUnixNano, endTimeUnixNano),
    attributes: keyValuesToJson(pick(raw, 'attributes')),
    resource,
    ...(scope !== undefined ? { scope } : {}),
    events: toEvents(pick(raw, 'events')),
    links: toLinks(pick(raw, 'links')),
    status,
    source: 'otlp',
    receivedAt,
  };
}

function toEvents(value: unknown): IngestSpanEvent[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((event) => ({
    name: typeof event.name === 'string' ? event.name : '',
    timeUnixNano: nanosToString(pick(event, 'timeUnixNano', 'time_unix_nano')),
    attributes: keyValuesToJson(event.attributes),
  }));
}

function toLinks(value: unknown): IngestSpanLink[] {
  if (!Array.isArray(value)) return [];
  const links: IngestSpanLink[] = [];
  for (const link of value) {
    if (!isRecord(link)) continue;
    const traceId = idToHex(pick(link, 'traceId', 'trace_id'), 16);
    const spanId = idToHex(pick(link, 'spanId', 'span_id'), 8);
    if (traceId !== undefined && spanId !== undefined) links.push({ traceId, spanId, attributes: keyValuesToJson(link.attributes) });
  }
  return links;
}

/** Numeric enums (the spec'd JSON form and protobuf) and, leniently, their `PREFIX_NAME` strings. */
function enumName<T extends string>(value: unknown, names: T[], prefix: string): T {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return names[value]!;
  if (typeof value === 'string') {
    const asNumber = Number(value);
    if (value !== '' && Number.isInteger(asNumber)) return enumName(asNumber, names, prefix);
    const name = value.toUpperCase().startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : value.toLowerCase();
    if ((names as string[]).includes(name)) return name as T;
  }
  return names[0]!;
}

export function durationMs(startNanos: string, endNanos: string): number {
  try {
    const diff = BigInt(endNanos) - BigInt(startNanos);
    return diff > 0n ? Number(diff / 1000n) / 1000 : 0;
  } catch {
    return 0;
  }
}

function pick(obj: Record<string, unknown>, camel: string, snake?: string): unknown {
  if (Object.hasOwn(obj, camel)) return obj[camel];
  if (snake !== undefined && Object.hasOwn(obj, snake)) return obj[snake];
  return undefined;
}



/**
 * OTLP/HTTP trace decoding (https://opentelemetry.io/docs/specs/otlp/#otlphttp): binary protobuf via the published
 * definitions (./otlp-proto.ts) or OTLP/JSON (hex ids, lowerCamelCase fields; snake_case tolerated), normalised to
 * `IngestSpan`. Spans with unusable ids are rejected and reported back as OTLP partial success.
 */
import { idToHex, keyValuesToJson, nanosToMs, nanosToString } from './attributes.js';
import { HttpError, errorMessage } from './http.js';
import { decodeExportTraceServiceRequest } from './otlp-proto.js';
import type { IngestSpan, IngestSpanEvent, IngestSpanLink, SpanKindName, StatusCodeName } from './types.js';

export type OtlpFormat = 'protobuf' | 'json';

export interface OtlpDecodeResult {
  format: OtlpFormat;
  spans: IngestSpan[];
  rejected: number;
  rejectReason?: string;
  /** The decoded request as a plain object (protobuf: ids still bytes), for the data-dir journal. */
  request: Record<string, unknown>;
}

const KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: StatusCodeName[] = ['unset', 'ok', 'error'];

export function otlpFormat(contentType: string | undefined, body: Buffer): OtlpFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf' || type === 'application/vnd.google.protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  if (type === '' || type === 'application/octet-stream') {
    const first = body.find((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
    return first === 0x7b ? 'json' : 'protobuf';
  }
  throw new HttpError(415, `unsupported content-type for OTLP: ${type.slice(0, 60)} (use application/x-protobuf or application/json)`);
}

export function decodeOtlpTraces(body: Buffer, contentType: string | undefined, receivedAt: number): OtlpDecodeResult {
  const format = otlpFormat(contentType, body);
  let request: Record<string, unknown>;
  if (format === 'protobuf') {
    try {
      request = decodeExportTraceServiceRequest(body);
    } catch (err) {
      throw new HttpError(400, `invalid OTLP protobuf: ${errorMessage(err).slice(0, 160)}`);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, `invalid OTLP JSON: ${errorMessage(err).slice(0, 160)}`);
    }
    if (!isRecord(parsed)) throw new HttpError(400, 'invalid OTLP JSON: the body must be an ExportTraceServiceRequest object');
    request = parsed;
  }
  return { format, ...normalise(request, receivedAt), request };
}

function normalise(request: Record<string, unknown>, receivedAt: number): { spans: IngestSpan[]; rejected: number; rejectReason?: string } {
  const resourceSpans = pick(request, 'resourceSpans', 'resource_spans');
  if (resourceSpans === undefined || resourceSpans === null) return { spans: [], rejected: 0 };
  if (!Array.isArray(resourceSpans)) throw new HttpError(400, 'invalid OTLP request: resourceSpans must be an array');

  const spans: IngestSpan[] = [];
  let rejected = 0;
  for (const rs of resourceSpans) {
    if (!isRecord(rs)) throw new HttpError(400, 'invalid OTLP request: a resourceSpans entry is not an object');
    const resourceObj = pick(rs, 'resource');
    const resource = keyValuesToJson(isRecord(resourceObj) ? resourceObj.attributes : undefined);
    const serviceName = resource['service.name'];
    const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'unknown_service';
    const scopeSpans = pick(rs, 'scopeSpans', 'scope_spans') ?? pick(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans');
    if (scopeSpans === undefined || scopeSpans === null) continue;
    if (!Array.isArray(scopeSpans)) throw new HttpError(400, 'invalid OTLP request: scopeSpans must be an array');
    for (const ss of scopeSpans) {
      if (!isRecord(ss)) throw new HttpError(400, 'invalid OTLP request: a scopeSpans entry is not an object');
      const scopeObj = pick(ss, 'scope') ?? pick(ss, 'instrumentationLibrary', 'instrumentation_library');
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
  return rejected > 0
    ? { spans, rejected, rejectReason: `${rejected} span(s) rejected: traceId must be 16 bytes and spanId 8 bytes, not all zero` }
    : { spans, rejected };
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
  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}


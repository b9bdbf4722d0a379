/**
 * Names for HTTP server spans of a plain `node:http` agent. Relay names each segment (Sentry's transaction) from
 * its span name (getsentry/relay relay-spans/src/otel_to_sentry_v2.rs keeps the OTLP name), and the HTTP
 * instrumentation names a server span just `{method}` unless a framework reports `http.route` — then every entry
 * point of an agent would be one transaction, `POST`.
 *
 * So a server span is named `{METHOD} {path}` when it starts, with what looks like an identifier in the path
 * replaced by `*` (numbers, UUIDs, hex and long random-looking tokens, e-mail-like segments), the query dropped and
 * the length bounded — the shape of Sentry's own URL transaction names, which also use `*` for identifiers. When a
 * framework reports `http.route`, the instrumentation renames the span `{METHOD} {route}` at the end, which wins.
 * Linear in at most `MAX_SCAN` characters of the request target.
 */
import type { Span } from '@opentelemetry/api';
import type { ClientRequest, IncomingMessage } from 'node:http';

const MAX_SCAN = 2048;
const MAX_SEGMENTS = 12;
const MAX_SEGMENT_LENGTH = 48;
const MAX_NAME_LENGTH = 200;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'QUERY']);

const DIGITS = /^\d+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HEX_ID = /^(?=[^a-f]*\d)[0-9a-f]{8,}$/i;
/** 16+ characters mixing letters and digits: an opaque token or generated id rather than a word. */
const TOKEN = /^(?=.*\d)(?=.*[a-z])[\w-]{16,}$/i;

/** `requestHook` for HttpInstrumentation: renames server spans; client spans keep their names. */
export function nameHttpServerSpan(span: Span, request: IncomingMessage | ClientRequest): void {
  try {
    const incoming = request as IncomingMessage;
    if (typeof incoming.httpVersion !== 'string' || typeof incoming.url !== 'string') return; // a client request
    span.updateName(httpServerSpanName(incoming.method, incoming.url));
  } catch {
    // a name is cosmetic: never let it break the request
  }
}

/** `{METHOD} {normalised path}`, e.g. `POST /users/*\/orders`. */
export function httpServerSpanName(method: string | undefined, target: string): string {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  const verb = KNOWN_METHODS.has(upper) ? upper : 'HTTP'; // semconv: `HTTP` for unknown methods
  return `${verb} ${normalizePath(target)}`.slice(0, MAX_NAME_LENGTH);
}

function normalizePath(target: string): string {
  let path = target.length > MAX_SCAN ? target.slice(0, MAX_SCAN) : target;
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (!path.startsWith('/')) path = pathOfAbsoluteUrl(path);
  const segments = path.split('/', MAX_SEGMENTS + 2).slice(1);
  const out: string[] = [];
  for (const segment of segments.slice(0, MAX_SEGMENTS)) out.push(normalizeSegment(segment));
  if (segments.length > MAX_SEGMENTS) out.push('*');
  return `/${out.join('/')}`;
}

/** `http://host/a/b` (proxy-style request target) → `/a/b`; anything else → `/`. */
function pathOfAbsoluteUrl(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme < 0) return '/';
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : target.slice(slash);
}

function normalizeSegment(segment: string): string {
  if (segment === '') return '';
  if (segment.length > MAX_SEGMENT_LENGTH || segment.includes('@') || segment.includes('%40')) return '*';
  if (DIGITS.test(segment) || UUID.test(segment) || HEX_ID.test(segment) || TOKEN.test(segment)) return '*';
  return segment;
}

/**
 * Sentry's DSN-key auth, with Relay's rules (getsentry/relay `relay-server/src/extractors/request_meta.rs`,
 * `auth_from_parts` and `RequestMeta::from_request_parts`):
 * - exactly one source: `X-Sentry-Auth: Sentry …`, `Authorization: Sentry …`, `Authorization: Basic base64(key:…)`,
 *   or a query string containing `sentry_` (`?sentry_key=…&sentry_version=7`, what `@sentry/node`'s transport sends).
 *   Headers only count when they start with `sentry ` / `basic ` (case-insensitive); two sources → 401 MultipleAuth.
 * - no `sentry_key` in the source → 401; a `sentry_version` that is not a number → 401 (`relay-common` `Auth`).
 * - a key that is not 32 ASCII characters → 400 (`relay-base-schema` `ProjectKey::parse`; `.flags` after the key
 *   are split off first, `parse_with_flags`).
 * - `sentry_version` above 7 (`relay-event-schema` `PROTOCOL_VERSION`) → 400.
 * Only then is the key compared with the configured one (a wrong key is 401 here; Relay answers it after a
 * project-config lookup).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const PROTOCOL_VERSION = 7;
export const PROJECT_KEY_LENGTH = 32;

export type AuthOutcome = { ok: true; version: number; client?: string } | { ok: false; status: 400 | 401; reason: string };
export type AuthSource = 'x-sentry-auth' | 'authorization' | 'basic' | 'query';

/** `Sentry sentry_version=7, sentry_key=abc, sentry_client=x/1` → `{ sentry_version: '7', sentry_key: 'abc', … }`. */
export function parseSentryAuthHeader(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const body = value.trim().replace(/^sentry\s+/i, '');
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const fieldValue = part.slice(eq + 1).trim();
    if (name !== '' && !(name in fields)) fields[name] = fieldValue;
  }
  return fields;
}

/** Every auth source present on the request, in Relay's order, with its fields. */
export function authSources(headers: IncomingHttpHeaders, rawQuery: string): Array<{ source: AuthSource; fields: Record<string, string> }> {
  const found: Array<{ source: AuthSource; fields: Record<string, string> }> = [];
  const xSentry = single(headers['x-sentry-auth']);
  if (xSentry !== undefined && /^sentry /i.test(xSentry)) found.push({ source: 'x-sentry-auth', fields: parseSentryAuthHeader(xSentry) });
  const authorization = single(headers.authorization);
  if (authorization !== undefined && /^sentry /i.test(authorization)) found.push({ source: 'authorization', fields: parseSentryAuthHeader(authorization) });
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    // Relay counts Basic only when it decodes to `key:secret` (the user part is the key)
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) found.push({ source: 'basic', fields: { sentry_key: decoded.slice(0, colon) } });
  }
  if (rawQuery.includes('sentry_')) {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(rawQuery)) if (name.startsWith('sentry_') && !(name in fields)) fields[name] = value;
    found.push({ source: 'query', fields });
  }
  return found;
}

/**
 * Relay's checks in Relay's order, then the key. `allowed` limits the sources (the admin API takes headers only,
 * so that no CORS "simple request" can carry the key).
 */
export function checkAuth(
  headers: IncomingHttpHeaders,
  rawQuery: string,
  expectedKey: string,
  allowed: readonly AuthSource[] = ['x-sentry-auth', 'authorization', 'basic', 'query'],
): AuthOutcome {
  const sources = authSources(headers, rawQuery).filter((found) => allowed.includes(found.source));
  if (sources.length > 1) return { ok: false, status: 401, reason: `multiple authorization payloads detected (${sources.map((s) => s.source).join(', ')})` };
  const fields = sources[0]?.fields;
  if (fields === undefined) return { ok: false, status: 401, reason: `missing authorization information (send the sentry_key in ${allowed.join(' or ')})` };
  const key = fields.sentry_key;
  if (key === undefined || key === '') return { ok: false, status: 401, reason: 'bad x-sentry-auth header: missing sentry_key' };
  let version = PROTOCOL_VERSION;
  if (fields.sentry_version !== undefined) {
    version = Number(fields.sentry_version);
    if (!/^\d{1,5}$/.test(fields.sentry_version) || version > 0xffff) return { ok: false, status: 401, reason: 'bad x-sentry-auth header: invalid sentry_version' };
  }
  const publicKey = key.split('.')[0]!;
  // eslint-disable-next-line no-control-regex
  if (publicKey.length !== PROJECT_KEY_LENGTH || !/^[\x00-\x7f]*$/.test(publicKey)) {
    return { ok: false, status: 400, reason: `bad sentry DSN public key: must be ${PROJECT_KEY_LENGTH} characters` };
  }
  if (version > PROTOCOL_VERSION) return { ok: false, status: 400, reason: `unsupported protocol version (${version})` };
  const given = Buffer.from(publicKey);
  const expected = Buffer.from(expectedKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: 'invalid sentry_key' };
  const client = fields.sentry_client;
  return client !== undefined ? { ok: true, version, client } : { ok: true, version };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

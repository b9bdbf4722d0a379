/**
 * Sentry's DSN-key auth, as the real SDKs send it:
 * - `@sentry/node`'s envelope transport puts it in the query: `/api/1/envelope/?sentry_version=7&sentry_key=KEY&…`
 * - `getOtlpTracesEndpoint(dsn)` (@sentry/server-utils) sends `X-Sentry-Auth: Sentry sentry_version=7, sentry_key=KEY`
 * - the same `Sentry k=v, …` form in `Authorization` is accepted too (Relay does).
 * A header wins over the query parameter; whichever is found must equal the configured key.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AuthOutcome = { ok: true } | { ok: false; reason: string };

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

export function extractSentryKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  for (const name of ['x-sentry-auth', 'authorization'] as const) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string') continue;
    if (name === 'authorization' && !/^\s*sentry\s/i.test(value)) continue;
    const key = parseSentryAuthHeader(value).sentry_key;
    if (key !== undefined && key !== '') return key;
  }
  const fromQuery = query.get('sentry_key');
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
}

export function checkAuth(headers: IncomingHttpHeaders, query: URLSearchParams, expectedKey: string): AuthOutcome {
  const key = extractSentryKey(headers, query);
  if (key === undefined) return { ok: false, reason: 'missing sentry_key (X-Sentry-Auth header or sentry_key query parameter)' };
  const given = Buffer.from(key);
  const expected = Buffer.from(expectedKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid sentry_key' };
  return { ok: true };
}

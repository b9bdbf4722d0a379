import { describe, expect, it } from 'vitest';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { checkAuth, extractSentryKey, parseSentryAuthHeader } from '../../../src/ingest/auth.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

describe('Sentry DSN-key auth', () => {
  it('parses the X-Sentry-Auth header', () => {
    expect(parseSentryAuthHeader('Sentry sentry_version=7, sentry_key=abc ,sentry_client=x/1.0')).toEqual({ sentry_version: '7', sentry_key: 'abc', sentry_client: 'x/1.0' });
    expect(parseSentryAuthHeader('garbage')).toEqual({});
  });

  it('accepts exactly the headers getOtlpTracesEndpoint(dsn) builds', () => {
    const endpoint = getOtlpTracesEndpoint('http://k3y@127.0.0.1:9999/7')!;
    expect(endpoint.url).toBe('http://127.0.0.1:9999/api/7/integration/otlp/v1/traces/');
    const headers = Object.fromEntries(Object.entries(endpoint.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(checkAuth(headers, q(), 'k3y')).toEqual({ ok: true });
    expect(checkAuth(headers, q(), 'other')).toEqual({ ok: false, reason: 'invalid sentry_key' });
  });

  it('reads the query parameter the envelope transport uses, Authorization: Sentry, header before query', () => {
    expect(extractSentryKey({}, q('sentry_version=7&sentry_key=qk'))).toBe('qk');
    expect(extractSentryKey({ authorization: 'Sentry sentry_key=ak' }, q())).toBe('ak');
    expect(extractSentryKey({ authorization: 'Bearer sentry_key=ak' }, q())).toBeUndefined();
    expect(extractSentryKey({ 'x-sentry-auth': 'Sentry sentry_key=hk' }, q('sentry_key=qk'))).toBe('hk');
    expect(checkAuth({}, q(), 'k')).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
    expect(checkAuth({}, q('sentry_key=k'), 'k')).toEqual({ ok: true });
    expect(checkAuth({}, q('sentry_key=kk'), 'k').ok).toBe(false);
  });
});

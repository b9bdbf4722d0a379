import { describe, expect, it } from 'vitest';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { checkAuth, parseSentryAuthHeader } from '../../../src/ingest/auth.js';

const KEY = 'abcdef0123456789abcdef0123456789';
const basic = (user: string, password = ''): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Sentry DSN-key auth, with the rules of relay-server extractors/request_meta.rs', () => {
  it('parses the X-Sentry-Auth header', () => {
    expect(parseSentryAuthHeader('Sentry sentry_version=7, sentry_key=abc ,sentry_client=x/1.0')).toEqual({ sentry_version: '7', sentry_key: 'abc', sentry_client: 'x/1.0' });
    expect(parseSentryAuthHeader('garbage')).toEqual({});
  });

  it('accepts exactly the headers getOtlpTracesEndpoint(dsn) builds', () => {
    const endpoint = getOtlpTracesEndpoint(`http://${KEY}@127.0.0.1:9999/7`)!;
    expect(endpoint.url).toBe('http://127.0.0.1:9999/api/7/integration/otlp/v1/traces/');
    const headers = Object.fromEntries(Object.entries(endpoint.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(checkAuth(headers, '', KEY)).toMatchObject({ ok: true, version: 7 });
    expect(checkAuth(headers, '', 'x'.repeat(32))).toMatchObject({ ok: false, status: 401, reason: 'invalid sentry_key' });
  });

  it.each([
    ['X-Sentry-Auth', { 'x-sentry-auth': `Sentry sentry_key=${KEY}, sentry_version=7` }, '', { ok: true }],
    ['Authorization: Sentry', { authorization: `sentry sentry_key=${KEY}` }, '', { ok: true }],
    ['Basic with the key as user', { authorization: basic(KEY) }, '', { ok: true }],
    ['the query string', {}, `sentry_version=7&sentry_key=${KEY}&sentry_client=sentry.javascript.node%2F11.0.0`, { ok: true, client: 'sentry.javascript.node/11.0.0' }],
    ['a key with flags', { 'x-sentry-auth': `Sentry sentry_key=${KEY}.no-cache` }, '', { ok: true }],
    ['no source', {}, '', { ok: false, status: 401, reason: expect.stringMatching(/missing authorization/) }],
    ['X-Sentry-Auth without the Sentry prefix (ignored)', { 'x-sentry-auth': `sentry_key=${KEY}` }, '', { ok: false, status: 401 }],
    ['Bearer (not a source)', { authorization: `Bearer ${KEY}` }, '', { ok: false, status: 401 }],
    ['Basic without a colon (not a source)', { authorization: `Basic ${Buffer.from(KEY).toString('base64')}` }, '', { ok: false, status: 401 }],
    ['X-Sentry-Auth and Authorization: Sentry', { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, authorization: `Sentry sentry_key=${KEY}` }, '', { ok: false, status: 401, reason: expect.stringMatching(/multiple/) }],
    ['X-Sentry-Auth and Basic', { 'x-sentry-auth': `Sentry sentry_key=${KEY}`, authorization: basic(KEY) }, '', { ok: false, status: 401, reason: expect.stringMatching(/multiple/) }],
    ['a header and the query', { 'x-sentry-auth': `Sentry sentry_key=${KEY}` }, `sentry_key=${KEY}`, { ok: false, status: 401, reason: expect.stringMatching(/multiple/) }],
    ['any sentry_ query parameter next to a header', { 'x-sentry-auth': `Sentry sentry_key=${KEY}` }, 'sentry_version=7', { ok: false, status: 401 }],
    ['a source without sentry_key', { 'x-sentry-auth': 'Sentry sentry_version=7' }, '', { ok: false, status: 401 }],
    ['a non-numeric sentry_version', { 'x-sentry-auth': `Sentry sentry_key=${KEY}, sentry_version=seven` }, '', { ok: false, status: 401 }],
    ['a 31-character key', { 'x-sentry-auth': `Sentry sentry_key=${KEY.slice(1)}` }, '', { ok: false, status: 400, reason: expect.stringMatching(/32/) }],
    ['a 33-character key', {}, `sentry_key=${KEY}0`, { ok: false, status: 400 }],
    ['a non-ASCII key', { authorization: basic(`${KEY.slice(2)}é`) }, '', { ok: false, status: 400 }],
    ['sentry_version 8', { 'x-sentry-auth': `Sentry sentry_key=${KEY}, sentry_version=8` }, '', { ok: false, status: 400, reason: expect.stringMatching(/protocol version \(8\)/) }],
  ])('%s', (_name, headers, query, expected) => {
    expect(checkAuth(headers as Record<string, string>, query as string, KEY)).toMatchObject(expected as object);
  });

  it('can be limited to header sources (the admin API)', () => {
    expect(checkAuth({}, `sentry_key=${KEY}`, KEY, ['x-sentry-auth', 'authorization', 'basic'])).toMatchObject({ ok: false, status: 401 });
    expect(checkAuth({ authorization: basic(KEY) }, '', KEY, ['x-sentry-auth', 'authorization', 'basic'])).toMatchObject({ ok: true });
  });
});

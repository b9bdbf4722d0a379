/**
 * Another Sentry SDK version in the app has a carrier, and no client, of its own (@sentry/core carrier.js): the bridge
 * names it (exporters/sentry-versions.ts). The e2e test (sentry-bridge.test.ts) covers the warning in a real process.
 */
import { SDK_VERSION } from '@sentry/node';
import { describe, expect, it } from 'vitest';
import { otherSentryVersions } from '../../../exporters/sentry-versions.js';

describe('otherSentryVersions', () => {
  it("lists the carrier's versions other than the bridge's", () => {
    expect(otherSentryVersions({ __SENTRY__: { version: SDK_VERSION, [SDK_VERSION]: {}, '11.99.0': {}, '10.1.2-beta.1': {} } })).toEqual(['11.99.0', '10.1.2-beta.1']);
  });

  it('nothing when only the bridge, or nobody, has used it', () => {
    expect(otherSentryVersions({ __SENTRY__: { version: SDK_VERSION, [SDK_VERSION]: {} } })).toEqual([]);
    expect(otherSentryVersions({})).toEqual([]);
    expect(otherSentryVersions({ __SENTRY__: null })).toEqual([]);
    expect(otherSentryVersions({ __SENTRY__: 'x' })).toEqual([]);
  });

  it('ignores keys that are not versions (older SDKs kept `hub`, `extensions`, … there)', () => {
    expect(otherSentryVersions({ __SENTRY__: { hub: {}, extensions: {}, logger: {}, [SDK_VERSION]: {} } })).toEqual([]);
  });

  it('never throws into the app: a carrier that throws on reading counts as none', () => {
    const hostile = {};
    Object.defineProperty(hostile, '__SENTRY__', {
      get() {
        throw new Error('no');
      },
    });
    expect(otherSentryVersions(hostile)).toEqual([]);
    const proxy = { __SENTRY__: new Proxy({}, { ownKeys: () => { throw new Error('no'); } }) };
    expect(otherSentryVersions(proxy)).toEqual([]);
  });
});

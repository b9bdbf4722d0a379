/**
 * The app's own calls to Sentry's API (`Sentry.setUser`, `captureMessage`, …) reach the bridge's client only through
 * Sentry's global carrier, `globalThis.__SENTRY__[<SDK version>]` (@sentry/core carrier.js): one per SDK version, so
 * a copy of another version in the app has a carrier, and no client, of its own — its calls are dropped without a
 * word. The bridge runs the SDK version it was built with (exporters/sentry-sdk.ts); this names any other version
 * that has touched the carrier, once, with the fix.
 */
import { warnOnce } from '../src/log.js';
import { SDK_VERSION } from './sentry-sdk.js';

const VERSION_KEY = /^\d+\.\d+\.\d+/;

/** Versions other than the bridge's in Sentry's global carrier. */
export function otherSentryVersions(global: object = globalThis): string[] {
  try {
    const carrier = (global as { __SENTRY__?: unknown }).__SENTRY__;
    if (typeof carrier !== 'object' || carrier === null) return [];
    return Object.keys(carrier).filter((key) => key !== SDK_VERSION && VERSION_KEY.test(key));
  } catch {
    return []; // a carrier that throws on reading is not the SDK's
  }
}

/** Called once the bridge's client is up and at each flush: by then an app that uses the API has touched its carrier. */
export function warnOfOtherSentryVersions(): void {
  const others = otherSentryVersions();
  if (others.length === 0) return;
  warnOnce(
    'sentry-sdk-versions',
    `the app uses the Sentry SDK ${others.join(', ')} beside the bridge's ${SDK_VERSION}: its own calls (captureException, setUser, …) do not reach the bridge's Sentry client. Install @sentry/node@${SDK_VERSION} in the app to share it`,
  );
}

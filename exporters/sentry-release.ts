/**
 * The release, as @sentry/node's `getSentryRelease()` resolves it (sdk/api.js): SENTRY_RELEASE, a bundler-injected
 * `SENTRY_RELEASE.id`, else the CI commit variables. Resolved without loading @sentry/node, which the bridge loads in
 * the background (exporters/sentry.ts): the release is needed at start, on the resource and on every span.
 * `_INTERNAL_getReleaseFromCommitEnv` is the very function the SDK calls; test/unit/sentry/release.test.ts checks
 * this stays equal to the SDK's `getSentryRelease()`.
 */
import { GLOBAL_OBJ } from '@sentry/core';
import { _INTERNAL_getReleaseFromCommitEnv } from '@sentry/core/server';

export function resolveRelease(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return explicit;
  if (process.env.SENTRY_RELEASE) return process.env.SENTRY_RELEASE;
  const injected = (GLOBAL_OBJ as { SENTRY_RELEASE?: { id?: string } }).SENTRY_RELEASE?.id;
  if (injected) return injected;
  return _INTERNAL_getReleaseFromCommitEnv() || undefined;
}

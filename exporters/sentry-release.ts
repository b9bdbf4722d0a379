/**
 * The release, as @sentry/node's `getSentryRelease()` resolves it (sdk/api.js): SENTRY_RELEASE, a bundler-injected
 * `SENTRY_RELEASE.id` (on @sentry/core's GLOBAL_OBJ, which in Node is `globalThis`), else the CI commit variables.
 * Resolved without loading @sentry/node, which the bridge loads in the background (instrumentation/sentry-loader.ts):
 * the release is needed at start, on the resource and on every span. Only the last step needs @sentry/core — its
 * `_INTERNAL_getReleaseFromCommitEnv` is the very function the SDK calls — and it is imported only then (~150
 * modules: a process with SENTRY_RELEASE set does not load them at start). test/unit/sentry/release.test.ts checks
 * this stays equal to the SDK's `getSentryRelease()`.
 */
export async function resolveRelease(explicit: string | undefined): Promise<string | undefined> {
  if (explicit !== undefined) return explicit;
  if (process.env.SENTRY_RELEASE) return process.env.SENTRY_RELEASE;
  const injected = (globalThis as { SENTRY_RELEASE?: { id?: string } }).SENTRY_RELEASE?.id;
  if (injected) return injected;
  const { _INTERNAL_getReleaseFromCommitEnv } = await import('@sentry/core/server');
  return _INTERNAL_getReleaseFromCommitEnv() || undefined;
}

/**
 * The release, as @sentry/node's `getSentryRelease()` resolves it (sdk/api.js): SENTRY_RELEASE, a bundler-injected
 * `SENTRY_RELEASE.id` (on @sentry/core's GLOBAL_OBJ, which in Node is `globalThis`), else the CI commit variables.
 * Resolved without loading @sentry/node, which the bridge loads in the background (instrumentation/sentry-loader.ts):
 * the release is needed at start, on the resource and on every span. Only the last step needs @sentry/core — its
 * `_INTERNAL_getReleaseFromCommitEnv` is the very function the SDK calls — and only its module is imported then:
 * the package's `server` entry is ~150 modules (~200 ms before the app's first line, issue 18), the module that
 * defines the function (utils/commitEnv.js beside that entry) six. Where that file is not (another layout of
 * @sentry/core), the entry. test/unit/sentry/release.test.ts checks this stays equal to the SDK's
 * `getSentryRelease()`, test/e2e/preload.test.ts that the entry stays off the preload's path.
 */
export async function resolveRelease(explicit: string | undefined): Promise<string | undefined> {
  if (explicit !== undefined) return explicit;
  if (process.env.SENTRY_RELEASE) return process.env.SENTRY_RELEASE;
  const injected = (globalThis as { SENTRY_RELEASE?: { id?: string } }).SENTRY_RELEASE?.id;
  if (injected) return injected;
  const fromCommitEnv = await commitEnvReader();
  return fromCommitEnv() || undefined;
}

type CommitEnvReader = () => string | undefined;

async function commitEnvReader(): Promise<CommitEnvReader> {
  try {
    // The same module (same URL) the entry re-exports the function from: one instance, whatever loads later.
    const entry = import.meta.resolve('@sentry/core/server');
    const module = (await import(new URL('utils/commitEnv.js', entry).href)) as { getReleaseFromCommitEnv?: unknown };
    if (typeof module.getReleaseFromCommitEnv === 'function') return module.getReleaseFromCommitEnv as CommitEnvReader;
  } catch {
    // not this layout: the entry below
  }
  return (await import('@sentry/core/server'))._INTERNAL_getReleaseFromCommitEnv;
}

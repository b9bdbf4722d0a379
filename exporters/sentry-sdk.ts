/**
 * The part of the Sentry SDK (@sentry/node 11) the bridge calls, and only that part. `npm run build` replaces this
 * module's output with one tree-shaken module holding the code these names reach (scripts/bundle-sentry-sdk.mjs):
 * the packages' entry points load every integration and helper they ship — ~620 modules, ~2.7 MB of source that
 * V8 keeps in the heap, ~14 MB of live heap and ~40 MB of RSS for the life of the process (issue 18) — while the
 * bridge needs the client, the default integrations it runs (./sentry-integrations.ts) and the OTLP endpoint. The
 * code is the SDK's own, unchanged; only what these exports cannot reach is left out (the packages declare
 * themselves free of side effects).
 * Run from source (the unit tests), this module is what it says: re-exports from the packages.
 */
export {
  addBreadcrumb,
  captureException,
  close,
  flush,
  getClient,
  getOtlpTracesEndpoint,
  SDK_VERSION,
  // Not `init`: it reaches `getDefaultIntegrations()`, and so every integration the SDK ships; the defaults the
  // bridge runs are listed in ./sentry-integrations.ts.
  initWithoutDefaultIntegrations,
  withScope,
  awsLambdaWebIntegration,
  childProcessIntegration,
  consoleIntegration,
  contextLinesIntegration,
  dedupeIntegration,
  eventFiltersIntegration,
  functionToStringIntegration,
  hapiIntegration,
  httpIntegration,
  linkedErrorsIntegration,
  localVariablesIntegration,
  modulesIntegration,
  nativeNodeFetchIntegration,
  nitroIntegration,
  nodeContextIntegration,
  openTelemetryIntegration,
  processSessionIntegration,
  requestDataIntegration,
  systemErrorIntegration,
  workerThreadsIntegration,
} from '@sentry/node';
// A default integration @sentry/node's entry does not re-export: the same module its defaults use.
export { conversationIdIntegration } from '@sentry/core';
export type { Scope } from '@sentry/node';

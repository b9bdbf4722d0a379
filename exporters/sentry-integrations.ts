/**
 * The Sentry SDK's integrations the bridge runs: @sentry/node 11's defaults (`getDefaultIntegrations`, sdk/index.js:
 * `getBaseDefaultIntegrations` with tracing off), in the SDK's order, less the ones below, each made by the
 * SDK's own factory with its default options unless said otherwise.
 *
 * Listed, not filtered out of `getDefaultIntegrations()`: that function reaches every integration the SDK ships,
 * so the tree-shaken SDK module (exporters/sentry-sdk.ts) kept them all — ~440 KiB of source held in the heap for
 * the life of the process (issue 18). test/unit/sentry/integrations.test.ts holds this list equal to the installed
 * SDK's defaults less the left-out names, so a default added by a newer SDK fails it rather than being missed.
 *
 * Left out:
 *  - Dedupe: it would drop the same bug failing in another trace; replaced by span-error-dedupe.ts (same name).
 *  - OnUncaughtException / OnUnhandledRejection: their process listeners change how Node ends the process (exit 1
 *    on any rejection, the app's own handlers bypassed). The bridge observes those errors itself without changing
 *    Node's behaviour (instrumentation/process-errors.ts) and reports them through `captureProcessError`.
 *  - Express, Fastify, Koa, Hono (@sentry/server-utils, on by default since Sentry 11): they patch the same frameworks
 *    as the OpenTelemetry instrumentations and capture every error the framework's handler sees, 4xx included; the
 *    bridge reports handled 5xx from the request span instead (src/processors/framework-spans.ts).
 *
 * Changed: Http and NodeFetch do only what OpenTelemetry does not (the incoming request's scope) — no breadcrumbs
 * (outgoing requests come from the trace instead, linked to their span: src/context/trace-breadcrumbs.ts; the SDK's
 * own would list every request twice), no spans and no header injection of their own. OpenTelemetry's
 * instrumentations and the bridge's propagators own both — the SDK's injection would add `sentry-trace` and Sentry
 * baggage even where OTEL_PROPAGATORS leaves them out — and the SDK's outgoing-request hook, left on, ran its span
 * and header work on every request, the bridge's own exports included (issue 18: ~2.8 µs per agent step in the
 * sustained bench, ~0.3 ms per export request).
 *
 * Added: the replacement Dedupe, and `openTelemetryIntegration()` so what the SDK captures is attached to the active
 * OpenTelemetry trace.
 */
import type { Integration } from '@sentry/core';
import * as Sentry from './sentry-sdk.js';
import { spanErrorDedupeIntegration } from './span-error-dedupe.js';

/** The defaults' names the bridge leaves out (above); the parity test reads them. */
export const LEFT_OUT_DEFAULT_INTEGRATIONS: ReadonlySet<string> = new Set(['Dedupe', 'OnUncaughtException', 'OnUnhandledRejection', 'Express', 'Fastify', 'Koa', 'Hono']);

const SCOPE_ONLY = { breadcrumbs: false, spans: false, tracePropagation: false } as const;

export function bridgeSentryIntegrations(): Integration[] {
  return [
    // Common
    Sentry.eventFiltersIntegration(),
    Sentry.functionToStringIntegration(),
    Sentry.linkedErrorsIntegration(),
    Sentry.requestDataIntegration(),
    Sentry.systemErrorIntegration(),
    Sentry.conversationIdIntegration(),
    // Native wrappers
    Sentry.consoleIntegration(),
    Sentry.httpIntegration(SCOPE_ONLY),
    Sentry.nativeNodeFetchIntegration(SCOPE_ONLY),
    // Event info
    Sentry.contextLinesIntegration(),
    Sentry.localVariablesIntegration(),
    Sentry.awsLambdaWebIntegration(),
    Sentry.nodeContextIntegration(),
    Sentry.childProcessIntegration(),
    Sentry.workerThreadsIntegration(),
    Sentry.processSessionIntegration(),
    Sentry.modulesIntegration(),
    // Frameworks the bridge does not instrument
    Sentry.hapiIntegration(),
    Sentry.nitroIntegration(),
    // The bridge's own
    spanErrorDedupeIntegration(),
    Sentry.openTelemetryIntegration(),
  ];
}

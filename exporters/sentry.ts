/**
 * Sentry, the JS v11 way for an OpenTelemetry-owned pipeline:
 *  - performance: spans go through a BatchSpanProcessor to the OTLP protobuf exporter at
 *    `getOtlpTracesEndpoint(dsn)` (Sentry ingests OTLP natively);
 *  - errors: `Sentry.init({ enableOpenTelemetrySetup: false, integrations: [openTelemetryIntegration()] })` (as
 *    `initWithoutDefaultIntegrations` with the defaults listed: ./sentry-integrations.ts) so the
 *    SDK never registers a competing tracer provider, and everything it captures (our span-exception events,
 *    uncaught exceptions, unhandled rejections) is attached to the active OpenTelemetry trace.
 */
import * as Sentry from './sentry-sdk.js';
import { createOtlpProtoTraceExporter } from './otlp-proto-encoder-exporter.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Event } from '@sentry/core';
import type { BridgeConfig } from '../src/config.js';
import { scrubBreadcrumb, scrubEvent } from '../src/scrub/index.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warnOnce } from '../src/log.js';
import { bridgeSentryIntegrations } from './sentry-integrations.js';
import { warnOfOtherSentryVersions } from './sentry-versions.js';
import { takeReportedFromSpan } from '../src/errors/reported-from-span.js';
import type { ErrorReporter, LinkedCaptureHint, TraceLink } from '../src/errors/error-reporter.js';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { EXPORT_CONCURRENCY_LIMIT } from './concurrency.js';
import { sentrySpanAttributes } from './sentry-span-attributes.js';

export interface SentryClientHandle {
  flush(timeoutMs: number): Promise<boolean>;
  close(timeoutMs: number): Promise<boolean>;
}

/**
 * The SDK's default integrations, as ./sentry-integrations.ts lists them: without the process-error ones, which would
 * change how Node ends the process (the bridge observes those errors and reports them through `captureProcessError`).
 */
export function initSentry(config: BridgeConfig, dsn: string, release: string | undefined): SentryClientHandle {
  const scrubExtraKeys = config.scrub.extraKeys;
  Sentry.initWithoutDefaultIntegrations({
    dsn,
    environment: config.environment,
    release,
    sampleRate: config.sentry.sampleRate,
    debug: config.sentry.debug,
    // OpenTelemetry owns tracing: no Sentry tracer provider, no Sentry-side spans. The SDK would read
    // SENTRY_TRACES_SAMPLE_RATE (our variable too) and start recording its own http spans unless the option is
    // present-but-nullish: `null`, not `undefined`, keeps Sentry's span recording off.
    tracesSampleRate: null as unknown as undefined,
    enableOpenTelemetrySetup: false,
    // The SDK's own library instrumentation is off too: its client registers module hooks that rewrite the libraries
    // its integrations know (openai, ai, express, ioredis, pg, … — @sentry/server-runtime-injection) as they load, to
    // emit diagnostics channels for them. OpenTelemetry's instrumentations and the bridge's own trace those libraries;
    // the rewrite would run on every module the app loads after the SDK is up (a source hash per CommonJS file), and
    // only on those, since the SDK loads in the background.
    enableRuntimeChannelInjection: false,
    // Ids only unless the personal-data switch is on: Sentry 11 fills `user.ip_address` from the incoming request
    // by default (`dataCollection.userInfo`, default true: @sentry/core integrations/requestdata.js). The user id
    // and the id tags come from the trace's context instead (src/context/event-context.ts).
    dataCollection: { userInfo: config.context.personalData },
    // The defaults the bridge runs, listed (Dedupe replaced, the process-error and web-framework ones left out, the
    // HTTP ones for the request's scope only), and the OpenTelemetry integration: ./sentry-integrations.ts.
    integrations: bridgeSentryIntegrations(),
    beforeSend: (event) => scrubEvent(event, scrubExtraKeys) as typeof event,
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, scrubExtraKeys),
  });
  const client = Sentry.getClient();
  client?.on('afterSendEvent', (_event: Event, response) => {
    const status = response.statusCode ?? 0;
    recordSentryEvent(status >= 200 && status < 300 ? 'sent' : 'dropped');
  });
  warnOfOtherSentryVersions();
  return {
    flush: (timeoutMs) => {
      warnOfOtherSentryVersions();
      return Sentry.flush(timeoutMs);
    },
    close: (timeoutMs) => {
      warnOfOtherSentryVersions();
      return Sentry.close(timeoutMs);
    },
  };
}

/**
 * The event those integrations would have sent: unhandled, `fatal` when it ends the process — linked to the span
 * that was active where it escaped (`link`, read at capture time, see `captureLinked`).
 */
export function captureProcessError(
  error: unknown,
  origin: NodeJS.UncaughtExceptionOrigin,
  fatal: boolean,
  link?: TraceLink,
  decorate?: LinkedCaptureHint['decorate'],
): void {
  // Already sent, linked to its span, when the span it failed recorded it (src/errors/reported-from-span.ts).
  if (takeReportedFromSpan(error)) return;
  const hint: LinkedCaptureHint = {
    captureContext: { level: fatal ? 'fatal' : 'error', ...(origin === 'unhandledRejection' ? { extra: { unhandledPromiseRejection: true } } : {}) },
    mechanism: { handled: false, type: origin === 'uncaughtException' ? 'auto.node.onuncaughtexception' : 'auto.node.onunhandledrejection' },
    ...(decorate === undefined ? {} : { decorate }),
  };
  if (link !== undefined) return captureLinked(error, link, hint);
  Sentry.withScope((scope) => {
    decorateSafely(scope, hint.decorate);
    Sentry.captureException(error, { captureContext: hint.captureContext, ...(hint.mechanism === undefined ? {} : { mechanism: hint.mechanism }) });
  });
}

/** Context we cannot apply leaves the event without it; the error is still reported. */
function decorateSafely(scope: Sentry.Scope, decorate: LinkedCaptureHint['decorate']): void {
  try {
    decorate?.(scope);
  } catch {
    // see above
  }
}

/**
 * An error event linked to one OpenTelemetry span: its `contexts.trace` and its envelope's `trace` header (the DSC)
 * both name that span's trace, whatever the SDK finds later.
 *
 * Why both are set at capture time: with `openTelemetryIntegration` the SDK fills `contexts.trace` and the DSC in
 * `_prepareEvent` *after* its event processors ran (@sentry/core client.js: `getTraceContextFromScope`,
 * `getDynamicSamplingContextFromScope`), reading whichever OpenTelemetry span is active then. An asynchronous
 * processor (ContextLines reads source files) moves that moment out of the failing span's context, and the event
 * got a random scope trace id in some runs — and no DSC, or one for that random trace. What the event carries wins
 * over the fill-in (`contexts: { trace: …, ...evt.contexts }`, `sdkProcessingMetadata: { dsc, ...evt.… }`).
 */
export function captureLinked(error: unknown, link: TraceLink, hint: LinkedCaptureHint, metadata: Record<string, unknown> = {}): void {
  const { traceId, spanId } = link.spanContext;
  const traceContext = { trace_id: traceId, span_id: spanId, ...(link.parentSpanId === undefined ? {} : { parent_span_id: link.parentSpanId }) };
  const scopeContext = hint.captureContext ?? {};
  // openTelemetryIntegration reads the *active* span: make the linked one active (as a non-recording view of its
  // context) so anything the SDK derives synchronously agrees too.
  context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(link.spanContext)), () => {
    Sentry.withScope((scope) => {
      scope.setSDKProcessingMetadata({ ...metadata, dynamicSamplingContext: link.dsc });
      decorateSafely(scope, hint.decorate);
      Sentry.captureException(error, {
        ...(hint.mechanism === undefined ? {} : { mechanism: hint.mechanism }),
        captureContext: { ...scopeContext, contexts: { ...scopeContext.contexts, trace: traceContext } },
      });
    });
  });
}

/** The span-error processor's reporter (src/processors/sentry-errors.ts). */
export const sentryErrorReporter: ErrorReporter = {
  captureLinked,
  addBreadcrumb: (breadcrumb) => Sentry.addBreadcrumb(breadcrumb),
};

/**
 * The OTLP protobuf exporter pointed at the DSN's Sentry OTLP traces endpoint, auth header included, with the
 * bounded concurrency every export path shares (see `./concurrency.ts`); every span it sends carries the release and
 * environment (`sentrySpanAttributes`).
 */
export function createSentryTraceExporter(
  dsn: string,
  timeoutMillis: number,
  values: { release: string | undefined; environment: string | undefined },
): SpanExporter | undefined {
  const endpoint = Sentry.getOtlpTracesEndpoint(dsn);
  if (endpoint === undefined) {
    warnOnce('sentry-otlp-endpoint', 'could not derive the Sentry OTLP endpoint from SENTRY_DSN; span export to Sentry is off');
    return undefined;
  }
  return withoutCollectorEnvironment(
    () =>
      createOtlpProtoTraceExporter(
        { url: endpoint.url, headers: endpoint.headers, timeoutMillis, concurrencyLimit: EXPORT_CONCURRENCY_LIMIT },
        sentrySpanAttributes(values),
      ),
  );
}

/**
 * `OTEL_EXPORTER_OTLP_[TRACES_]*` configure the collector exporter (exporters/otlp.ts). The OTLP exporter base reads them
 * in its constructor and merges them under the options given in code, so collector credentials would go to Sentry
 * too — and an `Authorization` header next to `X-Sentry-Auth` makes Relay refuse every export (401 MultipleAuth,
 * getsentry/relay relay-server/src/extractors/request_meta.rs `auth_from_parts`). The exporter reads them
 * synchronously (@opentelemetry/otlp-exporter-base otlp-node-http-env-configuration), so they are hidden only for
 * that synchronous constructor call and put back before any other code runs.
 */
function withoutCollectorEnvironment<T>(construct: () => T): T {
  const hidden: Array<[string, string]> = [];
  for (const key of Object.keys(process.env)) {
    if (!key.startsWith(COLLECTOR_ENV_PREFIX)) continue;
    const value = process.env[key];
    if (value !== undefined) hidden.push([key, value]);
    delete process.env[key];
  }
  try {
    return construct();
  } finally {
    for (const [key, value] of hidden) process.env[key] = value;
  }
}

const COLLECTOR_ENV_PREFIX = 'OTEL_EXPORTER_OTLP_';

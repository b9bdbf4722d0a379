/**
 * Sentry, the JS v11 way for an OpenTelemetry-owned pipeline:
 *  - performance: spans go through a BatchSpanProcessor to the OTLP protobuf exporter at
 *    `getOtlpTracesEndpoint(dsn)` (Sentry ingests OTLP natively);
 *  - errors: `Sentry.init({ enableOpenTelemetrySetup: false, integrations: [openTelemetryIntegration()] })` so the
 *    SDK never registers a competing tracer provider, and everything it captures (our span-exception events,
 *    uncaught exceptions, unhandled rejections) is attached to the active OpenTelemetry trace.
 */
import * as Sentry from '@sentry/node';
import { context as otelContext, isSpanContextValid, propagation, trace, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtlpProtoTraceExporter } from './otlp-proto-encoder-exporter.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Event, Integration } from '@sentry/core';
import type { BridgeConfig } from '../src/config.js';
import { scrubBreadcrumb, scrubEvent } from '../src/scrub/index.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warnOnce } from '../src/log.js';
import { spanErrorDedupeIntegration } from './span-error-dedupe.js';
import { takeReportedFromSpan } from '../src/errors/reported-from-span.js';
import { EXPORT_CONCURRENCY_LIMIT } from './concurrency.js';
import { EventContextBuilder, applyEventContext } from '../src/context/event-context.js';
import { DEFAULT_CONTEXT_POLICY, type ContextPolicy } from '../src/context/keys.js';
import type { TraceBreadcrumbs } from '../src/context/trace-breadcrumbs.js';

export interface SentryClientHandle {
  /** The release the SDK settled on (SENTRY_RELEASE or a CI commit variable), for the resource. */
  release: string | undefined;
  flush(timeoutMs: number): Promise<boolean>;
  close(timeoutMs: number): Promise<boolean>;
}

/** Release as Sentry resolves it: explicit, else the CI commit variables the SDK already knows. */
export function resolveRelease(config: BridgeConfig): string | undefined {
  return config.release ?? Sentry.getSentryRelease();
}

/**
 * Sentry's default OnUncaughtException / OnUnhandledRejection integrations are left out: their process listeners
 * change how Node ends the process (exit 1 on any rejection, the app's own handlers bypassed). The bridge observes
 * those errors itself without changing Node's behaviour (instrumentation/process-errors.ts) and reports them through
 * `captureProcessError`.
 */
export function initSentry(config: BridgeConfig, dsn: string): SentryClientHandle {
  const release = resolveRelease(config);
  const scrubExtraKeys = config.scrub.extraKeys;
  Sentry.init({
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
    // Ids only unless the personal-data switch is on: Sentry 11 fills `user.ip_address` from the incoming request
    // by default (`dataCollection.userInfo`, default true: @sentry/core integrations/requestdata.js). The user id
    // and the id tags come from the trace's context instead (src/context/event-context.ts).
    dataCollection: { userInfo: config.context.personalData },
    // Sentry's Dedupe would drop the same bug failing in another trace: replaced (same name, span-error-dedupe.ts).
    // Its process-error integrations would change how the process exits: the bridge observes instead (below).
    // Outgoing HTTP breadcrumbs come from the trace instead (src/context/trace-breadcrumbs.ts: linked to their span,
    // kept per trace): the SDK's own would list every request twice.
    integrations: (defaults) => [
      ...defaults
        .filter((integration) => !PROCESS_ERROR_INTEGRATIONS.has(integration.name) && integration.name !== DEDUPE)
        .map((integration) => WITHOUT_HTTP_BREADCRUMBS[integration.name]?.() ?? integration),
      spanErrorDedupeIntegration(),
      Sentry.openTelemetryIntegration(),
    ],
    beforeSend: (event) => scrubEvent(event, scrubExtraKeys) as typeof event,
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, scrubExtraKeys),
  });
  const client = Sentry.getClient();
  client?.on('afterSendEvent', (_event: Event, response) => {
    const status = response.statusCode ?? 0;
    recordSentryEvent(status >= 200 && status < 300 ? 'sent' : 'dropped');
  });
  return {
    release,
    flush: (timeoutMs) => Sentry.flush(timeoutMs),
    close: (timeoutMs) => Sentry.close(timeoutMs),
  };
}

const PROCESS_ERROR_INTEGRATIONS = new Set(['OnUncaughtException', 'OnUnhandledRejection']);
/** The default HTTP integrations, as the SDK makes them, but without their breadcrumbs. */
const WITHOUT_HTTP_BREADCRUMBS: Record<string, (() => Integration) | undefined> = {
  Http: () => Sentry.httpIntegration({ breadcrumbs: false }),
  NodeFetch: () => Sentry.nativeNodeFetchIntegration({ breadcrumbs: false }),
};
const DEDUPE = spanErrorDedupeIntegration().name;

export type ProcessErrorCapture = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin, fatal: boolean) => void;

export interface ProcessErrorContextOptions {
  /** Which context keys reach the event (user, tags); default: ids only. */
  context?: ContextPolicy;
  /** The recent calls of each trace: the active trace's become the event's breadcrumbs. */
  breadcrumbs?: TraceBreadcrumbs;
}

/**
 * The event those integrations would have sent: unhandled, `fatal` when it ends the process — with the context of
 * the trace that was active when it was thrown (Node runs `uncaughtExceptionMonitor` in the throwing async context):
 * the active span's attributes and the context's baggage for `user` and tags, the trace's recent calls as
 * breadcrumbs (src/context/event-context.ts), exactly as for a span's error.
 */
export function createProcessErrorCapture(options: ProcessErrorContextOptions = {}): ProcessErrorCapture {
  const eventContext = new EventContextBuilder(options.context ?? DEFAULT_CONTEXT_POLICY);
  return (error, origin, fatal) => {
    // Already sent, linked to its span, when the span it failed recorded it (src/errors/reported-from-span.ts).
    if (takeReportedFromSpan(error)) return;
    const active = otelContext.active();
    const span = trace.getSpan(active);
    // A local SDK span exposes its attributes; a remote or non-recording one has none to read.
    const attributes: Attributes | undefined = (span as Partial<ReadableSpan> | undefined)?.attributes;
    const spanContext = span?.spanContext();
    Sentry.withScope((scope) => {
      try {
        const context = eventContext.build({ attributes, baggage: propagation.getBaggage(active) });
        const breadcrumbs = spanContext === undefined ? [] : options.breadcrumbs?.recent(spanContext.traceId, spanContext.spanId) ?? [];
        applyEventContext(scope, context, breadcrumbs);
      } catch {
        // context we cannot read leaves the event without it; the error is still reported
      }
      // contexts.trace set from the active span itself: the SDK fills it only where the event has none, and what it
      // found at processing time was not always the active span (a random scope trace id in some runs).
      const linked = spanContext !== undefined && isSpanContextValid(spanContext);
      Sentry.captureException(error, {
        captureContext: {
          level: fatal ? 'fatal' : 'error',
          ...(origin === 'unhandledRejection' ? { extra: { unhandledPromiseRejection: true } } : {}),
          ...(linked ? { contexts: { trace: { trace_id: spanContext.traceId, span_id: spanContext.spanId } } } : {}),
        },
        mechanism: { handled: false, type: origin === 'uncaughtException' ? 'auto.node.onuncaughtexception' : 'auto.node.onunhandledrejection' },
      });
    });
  };
}

/**
 * The OTLP protobuf exporter pointed at the DSN's Sentry OTLP traces endpoint, auth header included, with the
 * bounded concurrency every export path shares (see `./concurrency.ts`).
 */
export function createSentryTraceExporter(dsn: string, timeoutMillis: number): SpanExporter | undefined {
  const endpoint = Sentry.getOtlpTracesEndpoint(dsn);
  if (endpoint === undefined) {
    warnOnce('sentry-otlp-endpoint', 'could not derive the Sentry OTLP endpoint from SENTRY_DSN; span export to Sentry is off');
    return undefined;
  }
  return withoutCollectorEnvironment(
    () => createOtlpProtoTraceExporter({ url: endpoint.url, headers: endpoint.headers, timeoutMillis, concurrencyLimit: EXPORT_CONCURRENCY_LIMIT }),
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

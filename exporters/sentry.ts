/**
 * Sentry, the JS v11 way for an OpenTelemetry-owned pipeline:
 *  - performance: spans go through a BatchSpanProcessor to the OTLP protobuf exporter at
 *    `getOtlpTracesEndpoint(dsn)` (Sentry ingests OTLP natively);
 *  - errors: `Sentry.init({ enableOpenTelemetrySetup: false, integrations: [openTelemetryIntegration()] })` so the
 *    SDK never registers a competing tracer provider, and everything it captures (our span-exception events,
 *    uncaught exceptions, unhandled rejections) is attached to the active OpenTelemetry trace.
 */
import * as Sentry from '@sentry/node';
import { createOtlpProtoTraceExporter } from './otlp-proto-encoder-exporter.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Event } from '@sentry/core';
import type { BridgeConfig } from '../src/config.js';
import { scrubBreadcrumb, scrubEvent } from '../src/scrub/index.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warnOnce } from '../src/log.js';
import { spanErrorDedupeIntegration } from './span-error-dedupe.js';

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
 * @param onFatal runs after an uncaught exception or unhandled rejection was captured, before the process exits
 *   with status 1 (Sentry's own fatal handling): the bridge flushes its spans there, so the trace of the crash
 *   is exported too.
 */
export function initSentry(config: BridgeConfig, dsn: string, onFatal: () => Promise<void>): SentryClientHandle {
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
    // Sentry's Dedupe would drop the same bug failing in another trace (span-error-dedupe.ts).
    integrations: [
      spanErrorDedupeIntegration(),
      Sentry.openTelemetryIntegration(),
      // Capture only: what happens next is decided below, the way Node itself would decide it.
      Sentry.onUnhandledRejectionIntegration({ mode: 'none' }),
    ],
    onFatalError: (error) => {
      console.error(error);
      void onFatal().finally(() => process.exit(1));
    },
    beforeSend: (event) => scrubEvent(event, scrubExtraKeys) as typeof event,
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, scrubExtraKeys),
  });
  exitOnUnhandledRejectionLikeNode(onFatal);
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

/**
 * Node's default for an unhandled rejection is to crash (exit 1). Any `unhandledRejection` listener — Sentry's
 * included — turns that off, so we restore it: unless the application installed a listener of its own, print
 * the reason, flush everything and exit 1, as Node would have.
 */
function exitOnUnhandledRejectionLikeNode(onFatal: () => Promise<void>): void {
  const ownListeners = process.listenerCount('unhandledRejection') + 1; // Sentry's and this one
  process.on('unhandledRejection', (reason) => {
    if (process.listenerCount('unhandledRejection') > ownListeners) return;
    console.error(reason);
    void onFatal().finally(() => process.exit(1));
  });
}

/**
 * The OTLP protobuf exporter pointed at the DSN's Sentry OTLP traces endpoint, auth header included.
 * `concurrencyLimit: 2` (default 30): during an outage every in-flight export holds its serialized batch and
 * retry timers; 30 of them cost ~70 MB of RSS in the outage bench, 2 cost ~0.5 MB while still exporting
 * ~30k spans/s with no drops.
 */
export function createSentryTraceExporter(dsn: string, timeoutMillis: number): SpanExporter | undefined {
  const endpoint = Sentry.getOtlpTracesEndpoint(dsn);
  if (endpoint === undefined) {
    warnOnce('sentry-otlp-endpoint', 'could not derive the Sentry OTLP endpoint from SENTRY_DSN; span export to Sentry is off');
    return undefined;
  }
  return withoutCollectorEnvironment(
    () => createOtlpProtoTraceExporter({ url: endpoint.url, headers: endpoint.headers, timeoutMillis, concurrencyLimit: 2 }),
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

/**
 * Sentry, the JS v11 way for an OpenTelemetry-owned pipeline:
 *  - performance: spans go through a BatchSpanProcessor to the OTLP protobuf exporter at
 *    `getOtlpTracesEndpoint(dsn)` (Sentry ingests OTLP natively);
 *  - errors: `Sentry.init({ enableOpenTelemetrySetup: false, integrations: [openTelemetryIntegration()] })` so the
 *    SDK never registers a competing tracer provider, and everything it captures (our span-exception events,
 *    uncaught exceptions, unhandled rejections) is attached to the active OpenTelemetry trace.
 */
import * as Sentry from '@sentry/node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Event } from '@sentry/core';
import type { BridgeConfig } from '../src/config.js';
import { scrubBreadcrumb, scrubEvent } from '../src/scrub/index.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warnOnce } from '../src/log.js';
import { EXPORT_CONCURRENCY_LIMIT } from './concurrency.js';

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
    integrations: [
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
 * The OTLP protobuf exporter pointed at the DSN's Sentry OTLP traces endpoint, auth header included, with the
 * bounded concurrency every export path shares (see `./concurrency.ts`).
 */
export function createSentryTraceExporter(dsn: string, timeoutMillis: number): SpanExporter | undefined {
  const endpoint = Sentry.getOtlpTracesEndpoint(dsn);
  if (endpoint === undefined) {
    warnOnce('sentry-otlp-endpoint', 'could not derive the Sentry OTLP endpoint from SENTRY_DSN; span export to Sentry is off');
    return undefined;
  }
  return new OTLPTraceExporter({ url: endpoint.url, headers: endpoint.headers, timeoutMillis, concurrencyLimit: EXPORT_CONCURRENCY_LIMIT });
}

/**
 * Loads the Sentry SDK in the background. `@sentry/node` takes several hundred milliseconds to import (its entry
 * point loads every integration it ships); awaiting it in the preload delayed every application's start by that
 * much (issue 18: the start-up budget is 300 ms). So the preload starts without it: errors reported meanwhile are
 * queued (bounded, drops counted as `agent_bridge_sentry_events_total{outcome="dropped"}`) and sent once the client
 * is up; span batches for Sentry wait in the exporter (exporters/deferred-exporter.ts); a flush or shutdown waits
 * for the load first, within its own deadline. Without a DSN nothing of Sentry's SDK is loaded at all.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { BridgeConfig } from '../src/config.js';
import type { ErrorReporter } from '../src/errors/error-reporter.js';
import { DeferredCalls } from '../src/deferred-calls.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warn } from '../src/log.js';
import { DeferredSpanExporter } from '../exporters/deferred-exporter.js';
import type { SentryClientHandle } from '../exporters/sentry.js';

type SentryModule = typeof import('../exporters/sentry.js');

/** Reports made before the SDK is up (a crash at start, the first failing spans): more are dropped and counted. */
const QUEUED_REPORTS = 256;

export interface BackgroundSentry {
  /** The span-error processor's reporter; calls made before the SDK loaded are replayed in order. */
  readonly reporter: ErrorReporter;
  readonly captureProcessError: SentryModule['captureProcessError'];
  /** The OTLP exporter to the DSN's Sentry endpoint, usable at once. */
  createTraceExporter(timeoutMillis: number): SpanExporter;
  flush(timeoutMs: number): Promise<void>;
  close(timeoutMs: number): Promise<void>;
  /** Settles once the client is up (or could not be): for tests and the bench's accounting. */
  readonly loaded: Promise<boolean>;
}

function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function loadSentryInBackground(config: BridgeConfig, dsn: string, release: string | undefined): BackgroundSentry {
  const calls = new DeferredCalls<SentryModule>(QUEUED_REPORTS, () => recordSentryEvent('dropped'));
  // Begun on the next turn of the event loop, not now: started here, the import's module evaluation ran in the
  // preload's own awaits and the application still waited for it (measured: no start-up gained). From a
  // setImmediate it runs beside the application's own module loading instead.
  const started: Promise<{ module: SentryModule; client: SentryClientHandle } | undefined> = afterThisTurn().then(() => import('../exporters/sentry.js')).then(
    (module) => {
      const client = module.initSentry(config, dsn, release);
      calls.ready(module);
      return { module, client };
    },
    (err: unknown) => {
      warn(`could not load the Sentry SDK, errors are not sent to Sentry: ${(err as Error).message}`);
      calls.fail();
      return undefined;
    },
  );
  return {
    reporter: {
      captureLinked: (...args) => calls.run((sentry) => sentry.sentryErrorReporter.captureLinked(...args)),
      addBreadcrumb: (breadcrumb) => calls.run((sentry) => sentry.sentryErrorReporter.addBreadcrumb(breadcrumb)),
    },
    captureProcessError: (...args) => calls.run((sentry) => sentry.captureProcessError(...args)),
    createTraceExporter: (timeoutMillis) =>
      new DeferredSpanExporter(started.then((sentry) => sentry?.module.createSentryTraceExporter(dsn, timeoutMillis))),
    flush: async (timeoutMs) => {
      await (await started)?.client.flush(timeoutMs);
    },
    close: async (timeoutMs) => {
      await (await started)?.client.close(timeoutMs);
    },
    loaded: started.then((sentry) => sentry !== undefined),
  };
}

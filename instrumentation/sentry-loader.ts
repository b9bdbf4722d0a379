/**
 * Loads the Sentry SDK in the background. `@sentry/node` takes several hundred milliseconds to import (its entry
 * point loads every integration it ships); awaiting it in the preload delayed every application's start by that
 * much (issue 18: the start-up budget is 300 ms). So the preload starts without it: errors reported meanwhile are
 * queued (bounded, drops counted as `agent_bridge_sentry_events_total{outcome="dropped"}`) and sent once the client
 * is up; span batches for Sentry wait in the exporter (exporters/deferred-exporter.ts); a flush or shutdown starts
 * the load at once if it has not begun and waits for it, within its own deadline. Without a DSN nothing of Sentry's
 * SDK is loaded at all.
 *
 * The load begins once the application's start-up has settled (`startup`, ./startup-settled.ts: no module loaded
 * for STARTUP_QUIET_MS, at the latest STARTUP_MAX_MS after the preload), not beside it: on the one thread the SDK's
 * modules interleaved with the application's and still delayed its first line by ~500 ms (issue 18). The import runs
 * with V8's young generation held at its size (./young-generation-hold.ts): it would otherwise leave the process with
 * one twice as large.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { BridgeConfig } from '../src/config.js';
import type { ErrorReporter } from '../src/errors/error-reporter.js';
import { DeferredCalls } from '../src/deferred-calls.js';
import { recordSentryEvent } from '../src/self-metrics.js';
import { warn } from '../src/log.js';
import { DeferredSpanExporter } from '../exporters/deferred-exporter.js';
import type { SentryClientHandle } from '../exporters/sentry.js';
import type { StartupSettled } from './startup-settled.js';
import { withYoungGenerationHeld } from './young-generation-hold.js';

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
  /**
   * Starts the load now if it has not begun (a caller waiting for it has no start-up to protect) and settles once
   * the client is up (or could not be): for tests and the bench's accounting.
   */
  loaded(): Promise<boolean>;
}

/**
 * `startup`: when the app's start-up has settled (shared with the bridge's other deferred work); a flush, an export
 * or `loaded()` calls its `now()` — they do not wait for a quiet period.
 */
export function loadSentryInBackground(config: BridgeConfig, dsn: string, release: string | undefined, startup: StartupSettled): BackgroundSentry {
  const calls = new DeferredCalls<SentryModule>(QUEUED_REPORTS, () => recordSentryEvent('dropped'));
  // Begun once the application's start-up has settled, not now: started here, the import's module evaluation ran in
  // the preload's own awaits; from a setImmediate, beside the application's own module loading — either way the
  // application waited for it (measured: first line +500 ms with a DSN from the setImmediate).
  // The SDK's `init` runs inside the hold too: its integrations' setup is part of loading it. A failing `init` is
  // reported as a failed load.
  const load = async (): Promise<{ module: SentryModule; client: SentryClientHandle }> => {
    const module = await import('../exporters/sentry.js');
    return { module, client: module.initSentry(config, dsn, release) };
  };
  const started: Promise<{ module: SentryModule; client: SentryClientHandle } | undefined> = startup.settled.then(() => withYoungGenerationHeld(load)).then(
    (loaded) => {
      calls.ready(loaded.module);
      return loaded;
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
    createTraceExporter: (timeoutMillis) => {
      let exporter: Promise<SpanExporter | undefined> | undefined;
      // A batch to export (or a flush) does not wait for a quiet period: it starts the load if it has not begun.
      return new DeferredSpanExporter(() => {
        startup.now();
        return (exporter ??= started.then((sentry) => sentry?.module.createSentryTraceExporter(dsn, timeoutMillis, { release, environment: config.environment })));
      });
    },
    flush: async (timeoutMs) => {
      startup.now();
      await (await started)?.client.flush(timeoutMs);
    },
    close: async (timeoutMs) => {
      startup.now();
      await (await started)?.client.close(timeoutMs);
    },
    loaded: () => {
      startup.now();
      return started.then((sentry) => sentry !== undefined);
    },
  };
}

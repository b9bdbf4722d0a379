/**
 * When the application's own start-up has settled: no module loaded for a quiet period (`quietMs`), or at the
 * latest `maxMs` after the watch began. Work the preload defers — loading the Sentry SDK (./sentry-loader.ts), the
 * runtime metrics (./bridge.ts) — starts then rather than beside the application's module loading: both run on the
 * one thread, so the SDK's hundreds of modules interleaved with the app's and delayed its first line by as much
 * (issue 18).
 *
 * Module loads are observed through Node's in-thread module hooks (`module.registerHooks`, Node ≥ 22.15 like the
 * package): a load hook that notes the time and passes the load on, removed once start-up has settled. Its
 * timers are unref'd: watching never keeps the host alive. `now()` ends the wait at once — a flush or shutdown
 * must not wait for a quiet period.
 */
import { registerHooks } from 'node:module';

export interface StartupSettled {
  /** Resolves once start-up has settled, or `now()` was called. Never rejects. */
  readonly settled: Promise<void>;
  /** Settle at once (idempotent). */
  now(): void;
}

export interface StartupSettledOptions {
  /** No module loaded for this long: start-up has settled. */
  quietMs: number;
  /** The wait never lasts longer than this from the call. */
  maxMs: number;
}

/** No module loaded for this long: the application's start-up has settled. */
export const STARTUP_QUIET_MS = 200;
/** Deferred work starts at the latest this long after the preload began watching, however busy the app's loading. */
export const STARTUP_MAX_MS = 2000;

/** The preload's one watch (./bridge.ts), shared by everything it defers: one load hook, one quiet period. */
export function watchAppStartup(): StartupSettled {
  return watchStartupSettled({ quietMs: STARTUP_QUIET_MS, maxMs: STARTUP_MAX_MS });
}

export function watchStartupSettled({ quietMs, maxMs }: StartupSettledOptions): StartupSettled {
  let lastLoad = performance.now();
  let done = false;
  let resolveSettled!: () => void;
  const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
  let hooks: { deregister(): void } | undefined;
  try {
    hooks = registerHooks({
      load(url, context, nextLoad) {
        lastLoad = performance.now();
        return nextLoad(url, context);
      },
    });
  } catch {
    // no in-thread hooks here (not on a supported Node): the upper bound alone decides
  }
  let quietTimer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    if (done) return;
    done = true;
    hooks?.deregister();
    clearTimeout(quietTimer);
    clearTimeout(maxTimer);
    resolveSettled();
  };
  const maxTimer = setTimeout(finish, maxMs).unref();
  // Wakes when the quiet period since the last load would end, and again if a load came meanwhile.
  const check = (): void => {
    const quietFor = performance.now() - lastLoad;
    if (quietFor >= quietMs) return finish();
    quietTimer = setTimeout(check, Math.max(1, quietMs - quietFor)).unref();
  };
  if (hooks !== undefined) check();
  return { settled, now: finish };
}

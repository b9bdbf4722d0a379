/**
 * Signal listeners that only observe: libraries that listen for SIGTERM / SIGINT to flush their own data and end
 * the process only when theirs is the last listener left. The OpenAI Agents SDK's trace provider is one
 * (@openai/agents-core tracing/provider.mjs `#addCleanupListeners`: on SIGTERM it shuts its processors down, then
 * calls `process.exit(0)` only if `process.listeners('SIGTERM').length` is 1 — `process.exit(130)` for SIGINT).
 *
 * ./shutdown.ts must not count such a listener as the application's handler: a process whose only other listener
 * is one of these ends on the signal without the bridge, so with the bridge it must end too — the bridge flushes,
 * removes its own listener and re-raises the signal, and the observer, now alone, ends the process its own way.
 * signal-exit's listeners are recognised by the counters it publishes (./shutdown.ts); the instrumentations that
 * see such a library start (./openai-agents/) mark its listeners here.
 */

/** The signals the bridge flushes on (./shutdown.ts). */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

const observers = new WeakSet<(...args: never[]) => unknown>();

/** Whether `listener` was marked an observer (markSignalObserversBySource). */
export function isSignalObserver(listener: unknown): boolean {
  return typeof listener === 'function' && observers.has(listener as (...args: never[]) => unknown);
}

/**
 * Mark the SIGTERM / SIGINT listeners installed so far whose source `isObserver` recognises. The instrumentation of
 * a library calls this once the library has loaded — after it installed its listeners, which are closures the
 * library exposes no other way.
 */
export function markSignalObserversBySource(isObserver: (source: string) => boolean): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (observers.has(listener)) continue;
      try {
        if (isObserver(Function.prototype.toString.call(listener))) observers.add(listener);
      } catch {
        // an exotic listener (a revoked proxy): not an observer
      }
    }
  }
}

/**
 * Flush on SIGTERM / SIGINT and when the event loop empties, then let the process end exactly as it would have
 * without the bridge:
 *  - If the application handles the signal itself, it keeps control: the bridge only flushes, never exits.
 *  - If not, the bridge re-raises the signal after flushing, so the exit status is the conventional one.
 *  - A second signal while the flush runs (the impatient Ctrl-C) re-raises at once: the process ends by that
 *    signal without waiting for the flush.
 *
 * Who "the application" is: every listener for the signal except the bridge's own and those of signal-exit
 * (v3 and v4, used by many CLIs and libraries). signal-exit only observes — it re-raises the signal when its
 * listeners are the only ones left, and publishes how many it installed (`globalThis[Symbol.for('signal-exit
 * emitter')].count`, `process.__signal_exit_emitter__.count`; see tapjs/signal-exit `src/index.ts`) — so its
 * listeners must not make the bridge think the app took over, or nobody would end the process. Any other
 * listener, including one installed before the bridge by another preload, counts as the application's: the
 * bridge would rather not end a process than end one whose owner meant to keep it running. Libraries that end the
 * process only when their listener is the last one (the OpenAI Agents SDK's trace provider) are observers too:
 * their instrumentation marks them (./signal-observers.ts).
 *
 * The bridge's listeners stay until the flush is over (the lifecycle removes them last, ./bridge.ts): such an
 * observer, finishing its own cleanup first, would otherwise find itself alone and call `process.exit()` in the
 * middle of the flush, losing the spans still queued.
 *
 * `process.exit()` cannot be flushed: Node runs 'exit' listeners synchronously and ends the process right after,
 * so no network write can complete. Spans still in the batch queues at that point are lost (exit code and
 * output stay the app's). Returning from main with `process.exitCode` set — the non-forcing way to exit — is
 * flushed through 'beforeExit'.
 */
import { SHUTDOWN_SIGNALS, isSignalObserver } from './signal-observers.js';

type SignalExitEmitter = { count?: unknown } | undefined;

/** How many listeners per signal signal-exit (v4 and v3) installed, by their own published counters. */
function signalExitListeners(): number {
  const v4 = (globalThis as Record<symbol, SignalExitEmitter>)[Symbol.for('signal-exit emitter')];
  const v3 = (process as unknown as { __signal_exit_emitter__?: SignalExitEmitter }).__signal_exit_emitter__;
  return [v4, v3].reduce((sum, emitter) => sum + (typeof emitter?.count === 'number' ? emitter.count : 0), 0);
}

/** Whether a listener other than the bridge's own and the observers' handles `signal`: the application's. */
function applicationHandles(signal: NodeJS.Signals, own: () => void): boolean {
  let others = 0;
  for (const listener of process.listeners(signal)) if (listener !== own && !isSignalObserver(listener)) others++;
  return others - signalExitListeners() > 0;
}

/** Install the hooks; returns their removal (rollback of a failed start, or a finished shutdown). */
export function installShutdownHooks(shutdown: () => Promise<void>): () => void {
  let flushing = false;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const onSignal = (): void => {
      if (applicationHandles(signal, onSignal)) {
        void shutdown();
        return;
      }
      const reraise = (): void => {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      };
      if (flushing) return reraise();
      flushing = true;
      void shutdown().finally(reraise);
    };
    process.on(signal, onSignal);
    return [signal, onSignal] as const;
  });
  // The event loop emptied: flush once (the flush itself may schedule work, so beforeExit can fire again).
  let flushedAtExit = false;
  const onBeforeExit = (): void => {
    if (flushedAtExit) return;
    flushedAtExit = true;
    void shutdown();
  };
  process.on('beforeExit', onBeforeExit);
  return () => {
    for (const [signal, onSignal] of listeners) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
}

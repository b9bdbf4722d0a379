/**
 * Flush on SIGTERM / SIGINT and on normal exit, then let the process end exactly as it would have without the
 * bridge: if the application installed its own handler for the signal, it keeps control (we only flush, never
 * exit); if not, we re-raise the signal after flushing so the exit status is the conventional one.
 */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function installShutdownHooks(shutdown: () => Promise<void>): void {
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      // Ours is one listener; any other was installed by the application.
      const appHandles = process.listenerCount(signal) > 1;
      void shutdown().finally(() => {
        if (appHandles) return;
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  // The event loop emptied: flush once (the flush itself may schedule work, so beforeExit can fire again).
  let flushedAtExit = false;
  process.on('beforeExit', () => {
    if (flushedAtExit) return;
    flushedAtExit = true;
    void shutdown();
  });
}

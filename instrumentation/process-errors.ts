/**
 * Sees the host's uncaught exceptions and unhandled rejections without changing what Node does with them.
 *
 * Node decides a process's fate by whether `uncaughtException` / `unhandledRejection` listeners exist
 * (lib/internal/process/promises.js `processPromiseRejections`, lib/internal/process/execution.js
 * `createOnGlobalUncaughtException` in nodejs/node): any listener — Sentry's default OnUncaughtException /
 * OnUnhandledRejection integrations included — turns a crash into "handled", changes exit codes and silences
 * `--unhandled-rejections=throw|warn-with-error-code`. So the bridge never keeps such a listener of its own:
 *  - `uncaughtExceptionMonitor` (a pure observer) sees every exception that is about to be fatal or to reach the
 *    app's handler, including rejections that Node turns into exceptions (modes `throw` and `strict`).
 *  - When the exception is fatal (no `uncaughtException` listener of the app's), the monitor adds a one-shot
 *    listener for this exception only: it flushes (bounded by the shutdown timeout), removes itself and re-throws
 *    the same error, so Node prints it and exits with its usual status 1. Known difference: the source excerpt
 *    Node prints above the stack points at the re-throw, because Node decorates the error only when it is fatal.
 *  - `unhandledRejection` is listened to only where the listener changes nothing: in modes `warn` and `none`
 *    (Node ignores the return value there), or while the app has a listener of its own (it is handled anyway).
 *  - In mode `warn-with-error-code` without an app listener, listening would suppress Node's warning and its exit
 *    code 1. The rejection is read from that warning instead ('warning' listeners only observe): Node emits an
 *    `UnhandledPromiseRejectionWarning` whose message is the reason's stack, or the reason as a string
 *    (lib/internal/process/promises.js `emitUnhandledRejectionWarning`). The error object itself is not reachable
 *    there, so what is captured is an Error rebuilt from that text (type, message and stack as Node printed them).
 */
/** Node's own name for where a process error came from. */
export type ErrorOrigin = NodeJS.UncaughtExceptionOrigin;

export interface ProcessErrorHooks {
  /** Record the error (never throws). `fatal`: the process is about to exit because of it. */
  capture(error: unknown, origin: ErrorOrigin, fatal: boolean): void;
  /** Flush everything before a fatal exit; must settle within the shutdown timeout. */
  flush(): Promise<void>;
}

const MODE_FLAG = /^--unhandled-rejections=(\S+)$/;

/** The effective `--unhandled-rejections` mode: the command line wins over NODE_OPTIONS; Node's default is `throw`. */
export function unhandledRejectionsMode(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string {
  let mode = 'throw';
  for (const arg of [...nodeOptions.split(/\s+/), ...execArgv]) {
    const match = MODE_FLAG.exec(arg);
    if (match) mode = match[1]!;
  }
  return mode;
}

/** Take the `unhandledRejection` listeners away for the one emit that follows a fatal `strict`-mode rejection. */
function silenceNextRejection(): void {
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.once('unhandledRejection', () => {});
  setImmediate(() => {
    for (const listener of listeners) process.on('unhandledRejection', listener);
  });
}

/** Install the observers; returns their removal (used by rollback and shutdown). */
export function observeProcessErrors(hooks: ProcessErrorHooks): () => void {
  const rethrown = new WeakSet<object>();
  const captured = new WeakSet<object>();
  const captureOnce = (error: unknown, origin: ErrorOrigin, fatal: boolean): void => {
    if (typeof error === 'object' && error !== null) {
      if (captured.has(error)) return;
      captured.add(error);
    }
    hooks.capture(error, origin, fatal);
  };
  const onMonitor = (error: Error, origin: ErrorOrigin): void => {
    if (rethrown.has(error)) return;
    const fatal = process.listenerCount('uncaughtException') === 0;
    captureOnce(error, origin, fatal);
    if (!fatal) return;
    // Node emits `uncaughtException` right after this monitor returns, to the listeners present then.
    let flushing = false;
    const flushThenRethrow = (): void => {
      if (flushing) return; // later errors during the flush: Node would have exited at the first one
      flushing = true;
      void hooks.flush().finally(() => {
        process.removeListener('uncaughtException', flushThenRethrow);
        rethrown.add(error);
        // Out of the promise chain, before any other callback: when the flush ends in the timers phase (its deadline
        // timer), an app timer due in the same phase would run before a setImmediate and let the app continue.
        process.nextTick(() => {
          throw error;
        });
      });
    };
    process.on('uncaughtException', flushThenRethrow);
    // `strict` mode emits `unhandledRejection` right after the exception, which Node, exiting, never reaches:
    // keep it from the app's listeners and from Node's warning (the process ends once the flush is done).
    if (origin === 'unhandledRejection' && unhandledRejectionsMode() === 'strict') silenceNextRejection();
  };
  process.on('uncaughtExceptionMonitor', onMonitor);

  const onRejection = (reason: unknown): void => captureOnce(reason, 'unhandledRejection', false);
  const mode = unhandledRejectionsMode();
  const onWarning = (warning: Error): void => {
    const reason = rejectionOfWarning(warning);
    if (reason !== undefined) captureOnce(reason, 'unhandledRejection', false);
  };
  if (mode === 'warn-with-error-code') process.on('warning', onWarning);
  const listenAlways = mode === 'warn' || mode === 'none';
  // Ride along with the app's own listeners: present exactly while at least one of theirs is.
  const follow = (event: string | symbol): void => {
    if (event !== 'unhandledRejection' || listenAlways) return;
    const others = process.listeners('unhandledRejection').filter((listener) => listener !== onRejection).length;
    const ours = process.listeners('unhandledRejection').includes(onRejection);
    if (others > 0 && !ours) process.on('unhandledRejection', onRejection);
    if (others === 0 && ours) process.removeListener('unhandledRejection', onRejection);
  };
  // 'newListener' fires before the listener is added: re-check once it is there.
  const onNewListener = (event: string | symbol): void => {
    if (event === 'unhandledRejection') queueMicrotask(() => follow(event));
  };
  if (listenAlways) process.on('unhandledRejection', onRejection);
  else {
    process.on('newListener', onNewListener);
    process.on('removeListener', follow);
    follow('unhandledRejection');
  }

  return () => {
    process.removeListener('uncaughtExceptionMonitor', onMonitor);
    process.removeListener('unhandledRejection', onRejection);
    process.removeListener('warning', onWarning);
    process.removeListener('newListener', onNewListener);
    process.removeListener('removeListener', follow);
    // A fatal exception's flush-then-rethrow listener stays: removing it would keep a crashed process alive.
  };
}

/** Node's warning for an unhandled rejection also comes as a second, generic one, which names no reason. */
const GENERIC_REJECTION_WARNING = 'Unhandled promise rejection.';
/** "TypeName: message" (or "TypeName" alone) then stack frames ("    at …"): the text Node prints of an error-like reason. */
const ERROR_TEXT = /^([A-Za-z_$][\w$]*)(?:: ([^]*?))?(?=\n {4}at )/;

/**
 * The reason of an unhandled rejection, from Node's `UnhandledPromiseRejectionWarning`: an Error with the type,
 * message and stack Node printed, or the reason's text when it was not error-like. `undefined` for other warnings.
 */
export function rejectionOfWarning(warning: Error): unknown {
  if (warning.name !== 'UnhandledPromiseRejectionWarning' || typeof warning.message !== 'string') return undefined;
  const text = warning.message;
  if (text.startsWith(GENERIC_REJECTION_WARNING)) return undefined;
  const match = ERROR_TEXT.exec(text);
  if (match === null) return text;
  const error = new Error(match[2] ?? '');
  error.name = match[1]!;
  error.stack = text;
  return error;
}

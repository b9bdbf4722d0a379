/**
 * The one owner of what the bridge started. Each part, right where it starts, registers how it stops; a failed
 * start stops every part already started (newest first), so a start is all or nothing: no server left listening,
 * no Sentry client, no process hooks. Shutdown flushes and stops the same parts within one deadline.
 */
import { warn } from '../src/log.js';

/** Stops a part; `remainingMs` is what is left of the shutdown deadline (for clients that take a timeout). */
export type StopPart = (remainingMs: number) => Promise<unknown> | void;

export class Lifecycle {
  private readonly parts: Array<{ name: string; stop: StopPart }> = [];
  private stopping: Promise<void> | undefined;

  /**
   * Record a part that has started. Parts stop newest first, except those started with `last`: they stop after
   * every other part (the signal hooks, which must outlive the flush: ./shutdown.ts).
   */
  started(name: string, stop: StopPart, options: { last?: boolean } = {}): void {
    if (options.last === true) this.parts.unshift({ name, stop });
    else this.parts.push({ name, stop });
  }

  /** Undo a failed start: stop everything started so far, as fast as it goes. Never rejects. */
  async rollback(): Promise<void> {
    await this.stopAll(Number.POSITIVE_INFINITY);
  }

  /** Flush and stop everything once, giving up after `timeoutMs` (the process must still end). Never rejects. */
  shutdown(timeoutMs: number): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        warn(`shutdown did not finish within ${timeoutMs} ms (AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS); giving up on the rest`);
        resolve();
      }, timeoutMs);
      timer.unref();
      void this.stopAll(Date.now() + timeoutMs).finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.stopping;
  }

  private async stopAll(deadline: number): Promise<void> {
    for (const part of this.parts.splice(0).reverse()) {
      await settle(part.name, () => part.stop(Math.max(1, deadline - Date.now())));
    }
  }
}

/** Run without ever rejecting: one part failing to stop must not keep the others running. */
export async function settle(name: string, run: () => Promise<unknown> | void): Promise<void> {
  try {
    await run();
  } catch (err) {
    warn(`${name}: flush/stop failed: ${(err as Error).message}`);
  }
}

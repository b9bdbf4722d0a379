/**
 * Calls to a part that is still loading (the Sentry SDK, loaded in the background so the host application starts
 * without waiting for it): made at once when the part is there, queued until it is (bounded: beyond `capacity`
 * the call is dropped and `onDrop` counts it), dropped the same way when it failed to load.
 */
export class DeferredCalls<T> {
  private target: T | undefined;
  private failed = false;
  private queue: Array<(target: T) => void> = [];

  constructor(
    private readonly capacity: number,
    private readonly onDrop: () => void,
  ) {}

  /** Run `call` against the part now, or once it has loaded. Never throws. */
  run(call: (target: T) => void): void {
    if (this.target !== undefined) return invoke(call, this.target);
    if (this.failed || this.queue.length >= this.capacity) return this.onDrop();
    this.queue.push(call);
  }

  /** The part is loaded: replay what was queued, in order. */
  ready(target: T): void {
    this.target = target;
    const queued = this.queue;
    this.queue = [];
    for (const call of queued) invoke(call, target);
  }

  /** The part will never load: what was queued is dropped (and counted). */
  fail(): void {
    this.failed = true;
    for (let i = 0; i < this.queue.length; i++) this.onDrop();
    this.queue = [];
  }
}

function invoke<T>(call: (target: T) => void, target: T): void {
  try {
    call(target);
  } catch {
    // a reporter that throws must not break the caller (a span's end, a crash observer)
  }
}

/**
 * The span path: the bridge's processors as the one SpanProcessor the tracer provider calls, each hook dispatched only
 * to the processors that have it.
 *
 * Why not the SDK's MultiSpanProcessor over the list: it calls every processor's `onStart` and `onEnd` for every span
 * (sdk-trace 3.1 MultiSpanProcessor.mjs), and most of the bridge's processors use one or two of the three hooks — of
 * ~30 calls per span, a third did nothing. Each such call is an indirect call at a site that sees every processor
 * class, so none is inlined away: skipping them was 0.3–0.5 µs per agent step (3 spans) in the sustained bench's
 * step, the bridge at 1.0, measured in one process alternating blocks of steps between the two dispatches.
 *
 * A processor says it has no use for a hook by not overriding `SpanStage`'s: a hook that is `SpanStage`'s own is
 * skipped, `onEnding` is called where it exists, and any other SpanProcessor (the programmatic entry's extra ones)
 * gets every hook, as MultiSpanProcessor would call it. The order of processors is kept for each hook.
 */
import type { Context } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** A processor of the bridge's span path: override only the hooks it uses (the others are never called). */
export abstract class SpanStage implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const UNUSED_START = SpanStage.prototype.onStart;
const UNUSED_END = SpanStage.prototype.onEnd;

export class SpanPath implements SpanProcessor {
  private readonly starts: readonly SpanProcessor[];
  private readonly endings: ReadonlyArray<SpanProcessor & Required<Pick<SpanProcessor, 'onEnding'>>>;
  private readonly ends: readonly SpanProcessor[];

  /** `stages` in the order every span passes them. */
  constructor(readonly stages: readonly SpanProcessor[]) {
    this.starts = stages.filter((stage) => stage.onStart !== UNUSED_START);
    this.endings = stages.filter((stage): stage is SpanProcessor & Required<Pick<SpanProcessor, 'onEnding'>> => typeof stage.onEnding === 'function');
    this.ends = stages.filter((stage) => stage.onEnd !== UNUSED_END);
  }

  // The hooks below call the first stages from one call site each instead of from one loop: a loop's single site
  // sees every processor class and stays megamorphic, a site per position sees one class, so its hook can be
  // inlined (most are a guard and a return for most spans). 0.1–0.25 µs per agent step over the loop, measured as
  // above (4 runs). The bridge has at most 6 stages with onStart, 2 with onEnding and 8 with onEnd; stages past
  // those are looped over.

  onStart(span: Span, parentContext: Context): void {
    const s = this.starts;
    const n = s.length;
    if (n === 0) return;
    s[0]!.onStart(span, parentContext);
    if (n === 1) return;
    s[1]!.onStart(span, parentContext);
    if (n === 2) return;
    s[2]!.onStart(span, parentContext);
    if (n === 3) return;
    s[3]!.onStart(span, parentContext);
    if (n === 4) return;
    s[4]!.onStart(span, parentContext);
    if (n === 5) return;
    s[5]!.onStart(span, parentContext);
    for (let i = 6; i < n; i++) s[i]!.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    const s = this.endings;
    const n = s.length;
    if (n === 0) return;
    s[0]!.onEnding(span);
    if (n === 1) return;
    s[1]!.onEnding(span);
    for (let i = 2; i < n; i++) s[i]!.onEnding(span);
  }

  onEnd(span: ReadableSpan): void {
    const s = this.ends;
    const n = s.length;
    if (n === 0) return;
    s[0]!.onEnd(span);
    if (n === 1) return;
    s[1]!.onEnd(span);
    if (n === 2) return;
    s[2]!.onEnd(span);
    if (n === 3) return;
    s[3]!.onEnd(span);
    if (n === 4) return;
    s[4]!.onEnd(span);
    if (n === 5) return;
    s[5]!.onEnd(span);
    if (n === 6) return;
    s[6]!.onEnd(span);
    if (n === 7) return;
    s[7]!.onEnd(span);
    for (let i = 8; i < n; i++) s[i]!.onEnd(span);
  }

  /** Every stage's, as MultiSpanProcessor's: a stage that fails to flush is reported, and the flush still resolves. */
  async forceFlush(): Promise<void> {
    try {
      await Promise.all(this.stages.map((stage) => stage.forceFlush()));
    } catch (error) {
      globalErrorHandler(error instanceof Error ? error : new Error(`SpanPath: forceFlush failed: ${String(error)}`));
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.stages.map((stage) => stage.shutdown()));
  }
}

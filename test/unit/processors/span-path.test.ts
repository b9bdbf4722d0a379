import { describe, expect, it } from 'vitest';
import type { Context } from '@opentelemetry/api';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanPath, SpanStage } from '../../../src/processors/span-path.js';

/** Every hook call, as `name.hook span`. */
function recorder(calls: string[]) {
  class OnlyStart extends SpanStage {
    override onStart(span: Span): void {
      calls.push(`start.onStart ${span.name}`);
    }
  }
  class OnlyEnd extends SpanStage {
    override onEnd(span: ReadableSpan): void {
      calls.push(`end.onEnd ${span.name}`);
    }
  }
  class Ending extends SpanStage {
    onEnding(span: Span): void {
      calls.push(`ending.onEnding ${span.name}`);
    }
  }
  /** Not a SpanStage: called for every hook, as the SDK's MultiSpanProcessor calls it. */
  const plain: SpanProcessor = {
    onStart: (span: Span, _ctx: Context) => void calls.push(`plain.onStart ${span.name}`),
    onEnd: (span: ReadableSpan) => void calls.push(`plain.onEnd ${span.name}`),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return [new OnlyStart(), new Ending(), plain, new OnlyEnd()];
}

describe('SpanPath', () => {
  it('calls each hook only on the processors that have it, in their order', () => {
    const calls: string[] = [];
    const stages = recorder(calls);
    const path = new SpanPath(stages);
    const provider = new TracerProvider({ spanProcessors: [path] });
    // Were the hooks a stage does not override called, these would record it.
    const { onStart, onEnd } = SpanStage.prototype;
    SpanStage.prototype.onStart = () => void calls.push('an unused onStart');
    SpanStage.prototype.onEnd = () => void calls.push('an unused onEnd');
    try {
      provider.getTracer('t').startSpan('s').end();
    } finally {
      Object.assign(SpanStage.prototype, { onStart, onEnd });
    }
    expect(calls).toEqual(['start.onStart s', 'plain.onStart s', 'ending.onEnding s', 'plain.onEnd s', 'end.onEnd s']);
    expect(path.stages).toBe(stages);
  });

  it('calls every stage in order however many there are (the first positions have call sites of their own)', () => {
    for (const count of [0, 1, 2, 3, 5, 6, 7, 8, 9, 12]) {
      const calls: string[] = [];
      const stages = Array.from({ length: count }, (_, i): SpanProcessor => ({
        onStart: () => void calls.push(`start ${i}`),
        onEnding: () => void calls.push(`ending ${i}`),
        onEnd: () => void calls.push(`end ${i}`),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      }));
      new TracerProvider({ spanProcessors: [new SpanPath(stages)] }).getTracer('t').startSpan('s').end();
      const each = (hook: string) => Array.from({ length: count }, (_, i) => `${hook} ${i}`);
      expect(calls).toEqual([...each('start'), ...each('ending'), ...each('end')]);
    }
  });

  it('hands spans on exactly as MultiSpanProcessor does to processors that use every hook', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SpanPath([new SimpleSpanProcessor({ exporter })])] });
    const tracer = provider.getTracer('t');
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['a', 'b']);
  });

  it('a stage whose flush fails is reported and the flush still settles; shutdown fails as the SDK composite does', async () => {
    class Failing extends SpanStage {
      override forceFlush(): Promise<void> {
        return Promise.reject(new Error('flush failed'));
      }
      override shutdown(): Promise<void> {
        return Promise.reject(new Error('shutdown failed'));
      }
    }
    let flushed = false;
    class Flushing extends SpanStage {
      override forceFlush(): Promise<void> {
        flushed = true;
        return Promise.resolve();
      }
    }
    const path = new SpanPath([new Failing(), new Flushing()]);
    await expect(path.forceFlush()).resolves.toBeUndefined();
    expect(flushed).toBe(true);
    await expect(path.shutdown()).rejects.toThrow('shutdown failed');
  });
});


/**
 * The sustained bench compares the bridge with bare OpenTelemetry running "the same agent step by hand": that is only
 * a fair comparison while the hand-written step makes exactly the spans the agent helpers make. This runs both on
 * one in-memory SDK and compares every span's name, kind, parent and attributes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { assertBuilt } from '../helpers/process.js';

assertBuilt();
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
trace.setGlobalTracerProvider(provider);
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

// @ts-expect-error the bench is plain JavaScript without type declarations
const { helperStep, rawStep } = (await import('../../bench/agent-step.js')) as {
  helperStep: () => Promise<() => Promise<void>>;
  rawStep: (tracer: ReturnType<typeof trace.getTracer>) => () => Promise<void>;
};

async function spansOf(step: () => Promise<void>) {
  exporter.reset();
  await step();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  const nameOf = (id: string | undefined) => spans.find((s: ReadableSpan) => s.spanContext().spanId === id)?.name;
  return spans
    .map((s: ReadableSpan) => ({ name: s.name, kind: s.kind, parent: nameOf(s.parentSpanContext?.spanId), attributes: s.attributes }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('bench agent step', () => {
  it('by hand makes the spans the helpers make: names, kinds, parents, every attribute', async () => {
    const byHelpers = await spansOf(await helperStep());
    const byHand = await spansOf(rawStep(trace.getTracer('bench-agent')));
    expect(byHelpers).toHaveLength(3);
    expect(byHand).toEqual(byHelpers);
  });
});

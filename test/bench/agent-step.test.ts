/**
 * The sustained bench compares the bridge with bare OpenTelemetry running "the same agent step by hand": that is only
 * a fair comparison while the hand-written step makes exactly the spans the agent helpers make. This runs both on
 * one in-memory SDK and compares every span's name, kind, parent and attributes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_GEN_AI_CONVERSATION_ID, ATTR_GEN_AI_RESPONSE_ID } from '@opentelemetry/semantic-conventions/incubating';
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
  helperStep: () => Promise<(i: number) => Promise<void>>;
  rawStep: (tracer: ReturnType<typeof trace.getTracer>) => (i: number) => Promise<void>;
};

async function spansOf(step: (i: number) => Promise<void>, i: number) {
  exporter.reset();
  await step(i);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  const nameOf = (id: string | undefined) => spans.find((s: ReadableSpan) => s.spanContext().spanId === id)?.name;
  return spans
    .map((s: ReadableSpan) => ({ name: s.name, kind: s.kind, parent: nameOf(s.parentSpanContext?.spanId), attributes: s.attributes }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('bench agent step', () => {
  it('by hand makes the spans the helpers make: names, kinds, parents, every attribute', async () => {
    const helpers = await helperStep();
    const byHand = rawStep(trace.getTracer('bench-agent'));
    for (const i of [0, 7, 41]) {
      const spans = await spansOf(helpers, i);
      expect(spans).toHaveLength(3);
      expect(await spansOf(byHand, i)).toEqual(spans);
    }
    // Each call its own response id; a conversation of 20 steps.
    const chat = async (i: number) => (await spansOf(helpers, i)).find((span) => span.name === 'chat gpt-4o')!.attributes;
    expect([(await chat(0))[ATTR_GEN_AI_RESPONSE_ID], (await chat(1))[ATTR_GEN_AI_RESPONSE_ID]]).toEqual(['chatcmpl-0', 'chatcmpl-1']);
    expect([(await chat(19))[ATTR_GEN_AI_CONVERSATION_ID], (await chat(20))[ATTR_GEN_AI_CONVERSATION_ID]]).toEqual(['conv-0', 'conv-1']);
  });
});

/**
 * The OpenAI Agents SDK trace processor with the real agents-core tracing API (its TraceProvider, spans, context),
 * attached the way the instrumentation attaches it on module load; then its bounds and failure modes.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import * as agentsCore from '@openai/agents-core';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { OpenAiAgentsInstrumentation } from '../../../instrumentation/openai-agents/instrumentation.js';
import { isInAgentsSdkModelCall, OpenAiAgentsTraceProcessor, type AgentsSpanLike } from '../../../instrumentation/openai-agents/trace-processor.js';
import { agentsSdkModelCallMirror } from '../../../instrumentation/openai-agents/model-call.js';
import { bindSelfMetrics, unbindSelfMetrics } from '../../../src/self-metrics.js';
import { parseExposition, total } from '../../helpers/exposition.js';

const exported = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] });
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  agentsCore.setTracingDisabled(false); // the SDK switches its tracing off under NODE_ENV=test
});
afterAll(async () => {
  agentsCore.setTracingDisabled(true);
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exported.reset());

/** Received span types of a processor the "user" sets. */
function userProcessor() {
  const types: string[] = [];
  return {
    types,
    processor: {
      onTraceStart: async () => {},
      onTraceEnd: async () => {},
      onSpanStart: async () => {},
      onSpanEnd: async (span: agentsCore.Span<agentsCore.SpanData>) => {
        types.push(span.spanData.type);
      },
      shutdown: async () => {},
      forceFlush: async () => {},
    },
  };
}

/** Wait until the SDK's un-awaited span notifications reached the processors. */
async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function byName(name: string): ReadableSpan {
  const span = exported.getFinishedSpans().find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span ${name}: ${exported.getFinishedSpans().map((s) => s.name).join(', ')}`);
  return span;
}

describe('OpenAI Agents SDK trace processor on the real agents-core tracing API', () => {
  const instrumentation = new OpenAiAgentsInstrumentation({ enabled: false });

  it('attaches on module load, survives setTraceProcessors, mirrors agent → function / handoff / response under the caller span', async () => {
    // What the module hook does when the application loads @openai/agents-core.
    instrumentation.getModuleDefinitions()[0]!.patch!(agentsCore);
    const user = userProcessor();
    agentsCore.setTraceProcessors([user.processor]); // replaces the list: the bridge's processor is kept

    const caller = tracer.startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      agentsCore.withTrace('workflow', async () => {
        await agentsCore.withAgentSpan(
          async () => {
            await agentsCore.withFunctionSpan(async () => 'ok', { data: { name: 'lookup', input: '{}', output: '' } });
            await agentsCore.withResponseSpan(async (span) => {
              span.spanData._response = { id: 'resp_1', model: 'gpt-4o-mini', usage: { input_tokens: 12, output_tokens: 5 } };
            });
            await agentsCore.withHandoffSpan(
              async (span) => {
                span.spanData.to_agent = 'writer';
              },
              { data: { from_agent: 'triage' } },
            );
          },
          { data: { name: 'triage' } },
        );
      }),
    );
    caller.end();
    await settled();

    expect(new Set(user.types)).toEqual(new Set(['agent', 'function', 'response', 'handoff']));
    const agent = byName('invoke_agent triage');
    expect(agent.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(agent.attributes).toMatchObject({ 'agent.span.type': 'agent.invocation', 'sentry.op': 'gen_ai.invoke_agent', 'gen_ai.agent.name': 'triage' });
    const tool = byName('execute_tool lookup');
    expect(tool.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(tool.attributes).toMatchObject({ 'sentry.op': 'gen_ai.execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.agent.name': 'triage' });
    const chat = byName('chat gpt-4o-mini');
    expect(chat.attributes).toMatchObject({
      'agent.span.type': 'ai.request',
      'gen_ai.operation.name': 'chat',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.id': 'resp_1',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.agent.name': 'triage',
    });
    const handoff = byName('send writer');
    expect(handoff.attributes).toMatchObject({ 'agent.communication.source': 'triage', 'agent.communication.target': 'writer', 'sentry.op': 'queue.publish' });
    expect(new Set(exported.getFinishedSpans().map((s) => s.spanContext().traceId))).toEqual(new Set([caller.spanContext().traceId]));
    expect(instrumentation.processor.openSpans).toBe(0);
    expect(instrumentation.processor.openTraces).toBe(0);

    // Patched twice (the CommonJS and the ESM build of agents-core both load): still one processor.
    instrumentation.getModuleDefinitions()[0]!.patch!(agentsCore);
    agentsCore.setTraceProcessors([user.processor]);
    await agentsCore.withTrace('again', () => agentsCore.withAgentSpan(async () => {}, { data: { name: 'solo' } }));
    await settled();
    expect(exported.getFinishedSpans().filter((s) => s.name === 'invoke_agent solo')).toHaveLength(1);

    // Disabled (unpatch): the SDK keeps calling it, nothing is mirrored; the user's processor still gets spans.
    instrumentation.getModuleDefinitions()[0]!.unpatch!(agentsCore);
    const before = user.types.length;
    await agentsCore.withTrace('off', () => agentsCore.withAgentSpan(async () => {}, { data: { name: 'unseen' } }));
    await settled();
    expect(exported.getFinishedSpans().some((s) => s.name === 'invoke_agent unseen')).toBe(false);
    expect(user.types.length).toBe(before + 1);
    agentsCore.setTraceProcessors([]);
  });
});

describe('OpenAI Agents SDK trace processor: failed model calls', () => {
  it('a 429 / 500 from the openai client: ERROR, error.type and http.response.status_code as aiRequest records them', async () => {
    const processor = new OpenAiAgentsTraceProcessor({ tracer: () => tracer });
    const user = userProcessor();
    agentsCore.setTraceProcessors([processor, user.processor]);
    const headers = new Headers({ 'retry-after': '1' });
    for (const status of [429, 500]) {
      const error = APIError.generate(status, { error: { message: 'rate limited or broken' } }, undefined, headers);
      await expect(
        agentsCore.withTrace(`fail ${status}`, () => agentsCore.withResponseSpan(async () => Promise.reject(error))),
      ).rejects.toBe(error);
    }
    await settled();
    agentsCore.setTraceProcessors([]);
    const failed = exported.getFinishedSpans().filter((s) => s.attributes['agent.span.type'] === 'ai.request');
    expect(failed.map((s) => [s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([
      [2, '429', 429],
      [2, '500', 500],
    ]);
  });
});

describe('isInAgentsSdkModelCall', () => {
  it('is true inside the SDK\'s response / generation spans only (for the openai instrumentation to skip a second chat span)', async () => {
    const seen: Record<string, boolean> = {};
    seen.outside = isInAgentsSdkModelCall();
    await agentsCore.withTrace('probe', async () => {
      seen.trace = isInAgentsSdkModelCall();
      await agentsCore.withAgentSpan(
        async () => {
          seen.agent = isInAgentsSdkModelCall();
          await agentsCore.withResponseSpan(async () => {
            await Promise.resolve();
            seen.response = isInAgentsSdkModelCall();
          });
          await agentsCore.withGenerationSpan(async () => {
            seen.generation = isInAgentsSdkModelCall();
          });
          seen.after = isInAgentsSdkModelCall();
        },
        { data: { name: 'probe' } },
      );
    });
    expect(seen).toEqual({ outside: false, trace: false, agent: false, response: true, generation: true, after: false });
  });
});

function fakeSpan(id: string, overrides: Partial<AgentsSpanLike> = {}): AgentsSpanLike {
  return { traceId: 'trace_1', spanId: id, parentId: null, spanData: { type: 'agent', name: 'a' }, error: null, ...overrides };
}

describe('OpenAI Agents SDK trace processor: bounds and failure modes', () => {
  it('forgets spans that never end beyond the count and age bounds, unended and counted', async () => {
    const { meterProvider, reader } = createPrometheusMeterProvider();
    bindSelfMetrics(meterProvider);
    try {
      let now = 0;
      const processor = new OpenAiAgentsTraceProcessor({ tracer: () => tracer, maxOpenSpans: 100, maxAgeMs: 1000, now: () => now });
      for (let i = 0; i < 150; i++) await processor.onSpanStart(fakeSpan(`s${i}`));
      expect(processor.openSpans).toBe(100);
      now = 5000; // everything open is now too old: the next start forgets all of it
      await processor.onSpanStart(fakeSpan('fresh'));
      expect(processor.openSpans).toBe(1);
      expect(exported.getFinishedSpans()).toHaveLength(0); // forgotten spans are never ended (no made-up durations)

      const { resourceMetrics } = await reader.collect();
      const samples = parseExposition(new PrometheusSerializer().serialize(resourceMetrics));
      expect(total(samples, 'agent_bridge_instrumentation_drops_total', { instrumentation: 'openai-agents', reason: 'evicted' })).toBe(150);
    } finally {
      unbindSelfMetrics(meterProvider);
      await meterProvider.shutdown();
    }
  });

  it('an end without a seen start still makes the span, from the SDK\'s start time; errors set ERROR status', async () => {
    const processor = new OpenAiAgentsTraceProcessor({ tracer: () => tracer });
    const startedAt = new Date(Date.now() - 2000).toISOString();
    await processor.onSpanEnd(fakeSpan('late', { spanData: { type: 'function', name: 'slow_tool' }, startedAt, error: { message: 'tool failed' } }));
    const span = byName('execute_tool slow_tool');
    expect(span.status).toEqual({ code: 2, message: 'tool failed' });
    const seconds = span.duration[0] + span.duration[1] / 1e9;
    expect(seconds).toBeGreaterThanOrEqual(1.9);
  });

  it('never throws into the SDK: hostile span data and a failing tracer are swallowed', async () => {
    const hostile = Object.defineProperty({ ...fakeSpan('h') }, 'spanData', {
      get(): never {
        throw new Error('getter');
      },
    });
    const processor = new OpenAiAgentsTraceProcessor({ tracer: () => tracer });
    await expect(processor.onSpanStart(hostile)).resolves.toBeUndefined();
    await expect(processor.onSpanEnd(hostile)).resolves.toBeUndefined();
    const broken = new OpenAiAgentsTraceProcessor({
      tracer: () => {
        throw new Error('no tracer');
      },
    });
    await expect(broken.onSpanStart(fakeSpan('x'))).resolves.toBeUndefined();
    await expect(broken.onTraceStart({ traceId: 't' })).resolves.toBeUndefined();
    await expect(broken.shutdown()).resolves.toBeUndefined();
  });
});

// Last: its evictions count in the process's drop counter, which the bounds test reads exactly.
describe('agentsSdkModelCallMirror', () => {
  it('inside a mirrored model call: its context makes the chat span active and the requested model names it; none once the span ended or was pushed out', async () => {
    const processor = new OpenAiAgentsTraceProcessor({ tracer: () => tracer, maxOpenSpans: 1 });
    agentsCore.setTraceProcessors([processor]);
    try {
      const seen: { active?: string | undefined; afterEnd?: boolean; afterEviction?: boolean } = {};
      await agentsCore.withTrace('probe', async () => {
        await agentsCore.withResponseSpan(async () => {
          await settled(); // an instrumentation attached by an earlier test keeps its processor first, before this one
          const mirror = agentsSdkModelCallMirror()!;
          mirror.noteRequestModel('gpt-4o-mini');
          seen.active = trace.getSpan(mirror.context)?.spanContext().spanId;
        });
        await settled();
        await agentsCore.withResponseSpan(async () => {
          await settled();
          await processor.onSpanStart(fakeSpan('pusher')); // the only open slot goes to another span
          seen.afterEviction = agentsSdkModelCallMirror() === undefined;
        });
      });
      await agentsCore.withTrace('after', async () => {
        await agentsCore.withResponseSpan(async () => {});
        await settled();
        seen.afterEnd = isInAgentsSdkModelCall() || agentsSdkModelCallMirror() !== undefined;
      });
      await settled();
      const chat = byName('chat gpt-4o-mini'); // the SDK's data named no model: the request's did
      expect(chat.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
      expect(seen).toEqual({ active: chat.spanContext().spanId, afterEviction: true, afterEnd: false });
    } finally {
      agentsCore.setTraceProcessors([]);
    }
  });
});

/**
 * docs/agent.md conformance of every helper under a plain OTel SDK: exact name, kind, attribute set and status;
 * result harvesting; the current agent flowing through context; errors recorded and rethrown unchanged.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
} from '@opentelemetry/semantic-conventions/incubating';
import {
  aiRequest,
  ATTR_AGENT_COMMUNICATION_SOURCE,
  ATTR_AGENT_COMMUNICATION_TARGET,
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_GEN_AI_MEMORY_STORE_ID,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY,
  ATTR_SENTRY_OP,
  executeTool,
  getCurrentAgent,
  invokeAgent,
  memoryOperation,
  receiveFromAgent,
  sendToAgent,
  setCaptureMessageContent,
  startAiRequest,
} from '../../../src/agent/index.js';
import { installSdk, type TestSdk } from './otel-sdk.js';
import { relayAiType } from '../../helpers/relay-ai.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
  setCaptureMessageContent(false);
});
afterAll(async () => {
  setCaptureMessageContent(undefined);
  await sdk.shutdown();
});
beforeEach(() => sdk.exporter.reset());

class ValidationError extends Error {} // name stays "Error": error.type must come from the constructor

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('aiRequest', () => {
  it('yields `chat {model}`, CLIENT, exactly the documented attributes, harvested from an OpenAI-style result', async () => {
    const response = {
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
      choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'hello' } }],
    };
    const result = await aiRequest({ provider: 'openai', model: 'gpt-4o', conversationId: 'conv-1' }, async () => response);
    expect(result).toBe(response);
    const span = sdk.span('chat gpt-4o');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'ai.request',
      [ATTR_SENTRY_OP]: 'gen_ai.chat',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_GEN_AI_CONVERSATION_ID]: 'conv-1',
      [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-1',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 4,
      [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 2,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: '["stop"]',
    });
  });

  it('reads Anthropic usage (cache tokens added to the input total) and stop_reason', async () => {
    await aiRequest({ provider: 'anthropic', model: 'claude-sonnet' }, async () => ({
      model: 'claude-sonnet-20250101',
      stop_reason: 'end_turn',
      usage: { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    }));
    const { attributes } = sdk.span('chat claude-sonnet');
    expect(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(130);
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(7);
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(100);
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]).toBe(20);
    expect(attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBe('["end_turn"]');
    expect(attributes[ATTR_GEN_AI_RESPONSE_MODEL]).toBe('claude-sonnet-20250101');
  });

  it('reads Gemini usageMetadata: thinking tokens are output (reasoning), cached content is part of the input', async () => {
    await aiRequest({ provider: 'gcp.gemini', model: 'gemini-2.5-flash' }, async () => ({
      usageMetadata: { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 30, thoughtsTokenCount: 50, totalTokenCount: 200 },
    }));
    const { attributes } = sdk.span('chat gemini-2.5-flash');
    expect(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(120);
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(100);
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(80);
    expect(attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]).toBe(50);
  });

  it('reads camelCase usage and finish_reason, and keeps a sync callback sync', () => {
    const result = aiRequest({ provider: 'openai', model: 'm', operation: 'text_completion' }, () => ({
      usage: { inputTokens: 3, outputTokens: 4 },
      finishReason: 'length',
    }));
    expect(result).not.toBeInstanceOf(Promise);
    const span = sdk.span('text_completion m');
    expect(span.attributes[ATTR_SENTRY_OP]).toBe('gen_ai.text_completion');
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(3);
    expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(4);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBe('["length"]');
  });

  it('finish reasons are one string holding a JSON array, as sentry-conventions type them and Sentry SDKs send them', async () => {
    await aiRequest({ model: 'n' }, async () => ({ choices: [{ finish_reason: 'stop' }, { finish_reason: 'length' }] }));
    const value = sdk.span('chat n').attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS];
    expect(typeof value).toBe('string');
    expect(JSON.parse(value as string)).toEqual(['stop', 'length']);
  });

  it('typed setters win over the return value; request parameters are recorded', async () => {
    await aiRequest({ provider: 'openai', model: 'gpt-4o', temperature: 0.2, maxTokens: 100 }, async (span) => {
      span.recordUsage({ input: 1, output: 2 }).setResponseModel('explicit-model').setFinishReasons('tool_calls');
      return { model: 'ignored', usage: { input_tokens: 50, output_tokens: 60 }, finish_reason: 'stop' };
    });
    const { attributes } = sdk.span('chat gpt-4o');
    expect(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(1);
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(2);
    expect(attributes[ATTR_GEN_AI_RESPONSE_MODEL]).toBe('explicit-model');
    expect(attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBe('["tool_calls"]');
    expect(attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE]).toBe(0.2);
    expect(attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS]).toBe(100);
  });

  it('ignores results without the usual fields and garbage usage values', async () => {
    await aiRequest({ provider: 'p', model: 'm' }, async () => ({ usage: { input_tokens: -1, output_tokens: 'many' }, model: 42n }));
    await aiRequest({ provider: 'p', model: 'm2' }, async () => 'plain text');
    for (const name of ['chat m', 'chat m2']) {
      const { attributes } = sdk.span(name);
      expect(Object.keys(attributes).sort()).toEqual(
        [ATTR_AGENT_SPAN_TYPE, ATTR_SENTRY_OP, ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL].sort(),
      );
    }
  });

  it('exposes the underlying OTel span on the handle', async () => {
    let spanId: string | undefined;
    await aiRequest({ provider: 'p', model: 'm' }, async (span) => {
      spanId = span.span.spanContext().spanId;
      expect(span.isRecording()).toBe(true);
    });
    expect(sdk.span('chat m').spanContext().spanId).toBe(spanId);
  });

  it('returns a non-native thenable as the same object and ends the span when it settles', async () => {
    class ApiPromise<V> implements PromiseLike<V> {
      constructor(private readonly inner: Promise<V>) {}
      then<A = V, B = never>(onFulfilled?: ((v: V) => A | PromiseLike<A>) | null, onRejected?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
        return this.inner.then(onFulfilled, onRejected);
      }
      withResponse(): string {
        return 'extra';
      }
    }
    const apiPromise = new ApiPromise(Promise.resolve({ usage: { input_tokens: 1, output_tokens: 1 } }));
    const returned = aiRequest({ provider: 'p', model: 'm' }, () => apiPromise);
    expect(returned).toBe(apiPromise);
    expect(returned.withResponse()).toBe('extra');
    await returned;
    await tick();
    expect(sdk.span('chat m').attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(1);
  });
});

describe('startAiRequest (manual / streaming form)', () => {
  it('records time to first chunk, usage and finish reasons, and ends once', async () => {
    const s = startAiRequest({ provider: 'openai', model: 'gpt-4o', stream: true });
    s.run(() => memoryOperation({ operation: 'get', store: 'cache' }, () => undefined));
    await tick();
    s.recordFirstChunk();
    s.recordFirstChunk(); // only the first counts
    s.recordUsage({ input: 9, output: 3 });
    s.end({ finish_reason: 'stop' });
    s.end();
    s.fail(new Error('late')); // after end: ignored
    const span = sdk.span('chat gpt-4o');
    const ttfc = span.attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK];
    expect(typeof ttfc).toBe('number');
    expect(ttfc as number).toBeGreaterThanOrEqual(0);
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'ai.request',
      [ATTR_SENTRY_OP]: 'gen_ai.chat',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_GEN_AI_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]: ttfc,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 3,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: '["stop"]',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(parentId(sdk.span('memory.get cache'))).toBe(span.spanContext().spanId);
  });

  it('observeStream harvests OpenAI-style chunks and ends when the stream completes', async () => {
    async function* chunks() {
      yield { id: 'c1', model: 'gpt-4o-mini', choices: [{ delta: { content: 'a' } }] };
      yield { id: 'c1', model: 'gpt-4o-mini', choices: [{ delta: {}, finish_reason: 'stop' }] };
      yield { id: 'c1', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } };
    }
    const s = startAiRequest({ provider: 'openai', model: 'gpt-4o-mini' });
    const seen: unknown[] = [];
    for await (const chunk of s.observeStream(chunks())) seen.push(chunk);
    expect(seen).toHaveLength(3);
    const { attributes } = sdk.span('chat gpt-4o-mini');
    expect(attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]).toEqual(expect.any(Number));
    expect(attributes[ATTR_GEN_AI_RESPONSE_MODEL]).toBe('gpt-4o-mini');
    expect(attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBe('["stop"]');
    expect(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(3);
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(2);
  });

  it('observeStream merges Anthropic stream events, ends on early break, fails on a stream error', async () => {
    async function* anthropic() {
      yield { type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 11, output_tokens: 1 } } };
      yield { type: 'content_block_delta', delta: { type: 'text_delta', text: 'hi' } };
      yield { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 6 } };
    }
    const a = startAiRequest({ provider: 'anthropic', model: 'claude-x' });
    for await (const chunk of a.observeStream(anthropic())) void chunk;
    const anth = sdk.span('chat claude-x').attributes;
    expect(anth[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(11);
    expect(anth[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(6);
    expect(anth[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toBe('["end_turn"]');

    const early = startAiRequest({ provider: 'p', model: 'early' });
    for await (const chunk of early.observeStream(anthropic())) {
      void chunk;
      break;
    }
    expect(sdk.span('chat early').status.code).toBe(SpanStatusCode.UNSET);

    const boom = new Error('stream broke');
    async function* broken() {
      yield { model: 'm' };
      throw boom;
    }
    const failing = startAiRequest({ provider: 'p', model: 'broken' });
    let caught: unknown;
    try {
      for await (const chunk of failing.observeStream(broken())) void chunk;
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    const span = sdk.span('chat broken');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('fail(err) records the error and ends the span', () => {
    const s = startAiRequest({ provider: 'p', model: 'm' });
    s.fail(Object.assign(new Error('overloaded'), { status: 529 }));
    const span = sdk.span('chat m');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe('529');
    expect(span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).toBe(529);
  });
});

describe('memoryOperation', () => {
  it('search: `memory.search {store}`, CLIENT, Sentry memory store id, result count from an array', async () => {
    const hits = await memoryOperation({ operation: 'search', store: 'notes' }, async () => ['a', 'b']);
    expect(hits).toEqual(['a', 'b']);
    const span = sdk.span('memory.search notes');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'memory.operation',
      [ATTR_SENTRY_OP]: 'memory.search',
      [ATTR_AGENT_MEMORY_OPERATION]: 'search',
      [ATTR_AGENT_MEMORY_STORE]: 'notes',
      [ATTR_GEN_AI_MEMORY_STORE_ID]: 'notes',
      [ATTR_AGENT_MEMORY_RESULT_COUNT]: 2,
    });
  });

  it("no memory span is an AI item under Relay's classification (an ai_client item would count as an LLM call)", async () => {
    for (const operation of ['search', 'get', 'put', 'delete', 'compact']) {
      await memoryOperation({ operation, store: 'notes' }, async () => []);
      expect(relayAiType(sdk.span(`memory.${operation} notes`).attributes)).toBeUndefined();
    }
    // …while the helper spans that are AI operations are classified as Sentry's AI insight expects
    await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => ({}));
    await invokeAgent({ name: 'planner' }, async () => undefined);
    await executeTool({ name: 'search' }, async () => undefined);
    expect(relayAiType(sdk.span('chat gpt-4o').attributes)).toBe('ai_client');
    expect(relayAiType(sdk.span('invoke_agent planner').attributes)).toBe('agent');
    expect(relayAiType(sdk.span('execute_tool search').attributes)).toBe('tool');
  });

  it('get: a miss (undefined) counts 0, a hit 1; a search returning nothing has no count; `{ results: [] }` and recordResultCount are understood', () => {
    memoryOperation({ operation: 'get', store: 'kv' }, () => new Map<string, number>().get('absent'));
    memoryOperation({ operation: 'search', store: 'silent' }, () => undefined);
    memoryOperation({ operation: 'get', store: 'kv2' }, () => ({ value: 1 }));
    memoryOperation({ operation: 'search', store: 'vec', dataSourceId: 'ds-7' }, () => ({ results: [1, 2, 3] }));
    memoryOperation({ operation: 'search', store: 'manual' }, (span) => {
      span.recordResultCount(5);
      return [1];
    });
    expect(sdk.span('memory.get kv').attributes[ATTR_AGENT_MEMORY_RESULT_COUNT]).toBe(0);
    expect(sdk.span('memory.search silent').attributes[ATTR_AGENT_MEMORY_RESULT_COUNT]).toBeUndefined();
    expect(sdk.span('memory.get kv2').attributes[ATTR_AGENT_MEMORY_RESULT_COUNT]).toBe(1);
    expect(sdk.span('memory.search vec').attributes[ATTR_AGENT_MEMORY_RESULT_COUNT]).toBe(3);
    expect(sdk.span('memory.search vec').attributes[ATTR_GEN_AI_MEMORY_STORE_ID]).toBe('ds-7');
    expect(sdk.span('memory.search manual').attributes[ATTR_AGENT_MEMORY_RESULT_COUNT]).toBe(5);
  });

  it('put: no result count', async () => {
    await memoryOperation({ operation: 'put', store: 'notes', content: 'secret' }, async () => ({ ok: true }));
    expect(sdk.span('memory.put notes').attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'memory.operation',
      [ATTR_SENTRY_OP]: 'memory.put',
      [ATTR_AGENT_MEMORY_OPERATION]: 'put',
      [ATTR_AGENT_MEMORY_STORE]: 'notes',
      [ATTR_GEN_AI_MEMORY_STORE_ID]: 'notes',
    });
  });
});

describe('invokeAgent and executeTool', () => {
  it('invokeAgent: `invoke_agent {name}`, INTERNAL by default, SERVER on request', async () => {
    const out = await invokeAgent({ name: 'planner', id: 'agent-1' }, async () => 'done');
    expect(out).toBe('done');
    const span = sdk.span('invoke_agent planner');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'agent.invocation',
      [ATTR_SENTRY_OP]: 'gen_ai.invoke_agent',
      [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
      [ATTR_GEN_AI_AGENT_NAME]: 'planner',
      [ATTR_GEN_AI_AGENT_ID]: 'agent-1',
    });
    invokeAgent({ name: 'entry', kind: SpanKind.SERVER }, () => undefined);
    expect(sdk.span('invoke_agent entry').kind).toBe(SpanKind.SERVER);
  });

  it('executeTool: `execute_tool {name}`, INTERNAL, tool name / call id / type', () => {
    const out = executeTool({ name: 'get_weather', callId: 'call_1', type: 'function' }, () => ({ temp: 20 }));
    expect(out).toEqual({ temp: 20 });
    const span = sdk.span('execute_tool get_weather');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'tool.execution',
      [ATTR_SENTRY_OP]: 'gen_ai.execute_tool',
      [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool',
      [ATTR_GEN_AI_TOOL_NAME]: 'get_weather',
      [ATTR_GEN_AI_TOOL_CALL_ID]: 'call_1',
      [ATTR_GEN_AI_TOOL_TYPE]: 'function',
    });
  });
});

describe('sendToAgent / receiveFromAgent', () => {
  it('send is PRODUCER `send {to}` / queue.publish; process is CONSUMER `process {agent}` / queue.process, child of the send', async () => {
    const message: { id: string; task: string; _otel?: Record<string, string> } = { id: 'm-1', task: 'research' };
    let wire = '';
    await invokeAgent({ name: 'planner' }, () =>
      sendToAgent({ to: 'researcher', message }, async () => {
        wire = JSON.stringify(message);
      }),
    );
    const received = await receiveFromAgent({ message: JSON.parse(wire) as unknown, agent: 'researcher' }, async () => getCurrentAgent()?.name);
    expect(received).toBe('researcher');

    const send = sdk.span('send researcher');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.status.code).toBe(SpanStatusCode.UNSET);
    expect(send.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'agent.communication',
      [ATTR_SENTRY_OP]: 'queue.publish',
      [ATTR_AGENT_COMMUNICATION_SOURCE]: 'planner',
      [ATTR_AGENT_COMMUNICATION_TARGET]: 'researcher',
      [ATTR_MESSAGING_DESTINATION_NAME]: 'researcher',
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_MESSAGE_ID]: 'm-1',
      [ATTR_GEN_AI_AGENT_NAME]: 'planner',
    });

    const process = sdk.span('process researcher');
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.status.code).toBe(SpanStatusCode.UNSET);
    expect(process.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(parentId(process)).toBe(send.spanContext().spanId);
    const latency = process.attributes[ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY];
    expect(latency).toEqual(expect.any(Number));
    expect(process.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'agent.communication',
      [ATTR_SENTRY_OP]: 'queue.process',
      [ATTR_AGENT_COMMUNICATION_SOURCE]: 'planner',
      [ATTR_AGENT_COMMUNICATION_TARGET]: 'researcher',
      [ATTR_MESSAGING_DESTINATION_NAME]: 'researcher',
      [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
      [ATTR_MESSAGING_MESSAGE_ID]: 'm-1',
      [ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY]: latency,
      [ATTR_GEN_AI_AGENT_NAME]: 'researcher',
    });
  });

  it('request–reply uses CLIENT / SERVER', () => {
    const message = { q: 1 };
    sendToAgent({ to: 'b', message, from: 'a', requestReply: true }, () => receiveFromAgent({ message, agent: 'b', requestReply: true }, () => 1));
    expect(sdk.span('send b').kind).toBe(SpanKind.CLIENT);
    expect(sdk.span('process b').kind).toBe(SpanKind.SERVER);
    expect(sdk.span('process b').attributes[ATTR_AGENT_COMMUNICATION_SOURCE]).toBe('a');
  });
});

describe('current agent through context', () => {
  it('nested ai.request, memory, tool and send spans carry the agent name, id and conversation id', async () => {
    await invokeAgent({ name: 'planner', id: 'a-1', conversationId: 'conv-9' }, async () => {
      await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => ({}));
      await memoryOperation({ operation: 'search', store: 'notes' }, async () => []);
      await executeTool({ name: 'calc' }, async () => 2);
      await sendToAgent({ to: 'x', message: {} }, async () => undefined);
    });
    const parent = sdk.span('invoke_agent planner');
    expect(parent.attributes[ATTR_GEN_AI_CONVERSATION_ID]).toBe('conv-9');
    for (const name of ['chat gpt-4o', 'memory.search notes', 'execute_tool calc', 'send x']) {
      const span = sdk.span(name);
      expect(span.attributes[ATTR_GEN_AI_AGENT_NAME], name).toBe('planner');
      expect(span.attributes[ATTR_GEN_AI_AGENT_ID], name).toBe('a-1');
      expect(span.attributes[ATTR_GEN_AI_CONVERSATION_ID], name).toBe('conv-9');
      expect(parentId(span), name).toBe(parent.spanContext().spanId);
    }
  });

  it('a sub-agent overrides the name inside, the outer agent is back afterwards; concurrent agents do not mix', async () => {
    await invokeAgent({ name: 'outer' }, async () => {
      await invokeAgent({ name: 'inner' }, async () => {
        await tick();
        await aiRequest({ provider: 'p', model: 'inner-model' }, async () => ({}));
      });
      await aiRequest({ provider: 'p', model: 'outer-model' }, async () => ({}));
    });
    expect(sdk.span('chat inner-model').attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('inner');
    expect(sdk.span('chat outer-model').attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('outer');

    sdk.exporter.reset();
    const run = (name: string) =>
      invokeAgent({ name }, async () => {
        for (let i = 0; i < 3; i++) {
          await tick();
          await aiRequest({ provider: 'p', model: `${name}-${i}` }, async () => ({}));
        }
      });
    await Promise.all([run('alpha'), run('beta')]);
    for (const agent of ['alpha', 'beta']) {
      for (let i = 0; i < 3; i++) expect(sdk.span(`chat ${agent}-${i}`).attributes[ATTR_GEN_AI_AGENT_NAME]).toBe(agent);
    }
  });

  it('no agent outside invokeAgent', () => {
    aiRequest({ provider: 'p', model: 'lonely' }, () => expect(getCurrentAgent()).toBeUndefined());
    expect(sdk.span('chat lonely').attributes[ATTR_GEN_AI_AGENT_NAME]).toBeUndefined();
  });
});

describe('hostile options and results lose only what cannot be read', () => {
  const boom = (): never => {
    throw new Error('getter');
  };
  const withThrowing = <T extends object>(fields: T, key: string): T => Object.defineProperty({ ...fields }, key, { enumerable: true, get: boom });
  const throwingProxy = (): object => new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });

  it('a getter that throws loses its own option; every other option is recorded', async () => {
    await invokeAgent(withThrowing({ name: 'planner', id: 'a-1', conversationId: 'c-9', model: 'm' }, 'description'), async () => {
      await aiRequest(withThrowing({ provider: 'openai', model: 'gpt-4o', maxTokens: 100 }, 'temperature'), async () => ({ id: 'r-1' }));
      await memoryOperation(withThrowing({ operation: 'search', store: 'notes' }, 'dataSourceId'), async () => [1, 2]);
      executeTool(withThrowing({ name: 'lookup', callId: 'call-1' }, 'type'), () => 1);
    });
    expect(sdk.span('invoke_agent planner').attributes).toMatchObject({ [ATTR_GEN_AI_AGENT_ID]: 'a-1', [ATTR_GEN_AI_CONVERSATION_ID]: 'c-9', [ATTR_GEN_AI_REQUEST_MODEL]: 'm' });
    const chat = sdk.span('chat gpt-4o').attributes;
    expect(chat).toMatchObject({ [ATTR_GEN_AI_PROVIDER_NAME]: 'openai', [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 100, [ATTR_GEN_AI_RESPONSE_ID]: 'r-1', [ATTR_GEN_AI_AGENT_NAME]: 'planner' });
    expect(chat[ATTR_GEN_AI_REQUEST_TEMPERATURE]).toBeUndefined();
    expect(sdk.span('memory.search notes').attributes).toMatchObject({ [ATTR_GEN_AI_MEMORY_STORE_ID]: 'notes', [ATTR_AGENT_MEMORY_RESULT_COUNT]: 2 });
    expect(sdk.span('execute_tool lookup').attributes).toMatchObject({ [ATTR_GEN_AI_TOOL_CALL_ID]: 'call-1', [ATTR_GEN_AI_CONVERSATION_ID]: 'c-9' });
  });

  it('options that are no object, or a proxy that throws on every trap, give the defaults', () => {
    for (const options of [undefined, null, 'gpt-4o', 42, throwingProxy()]) {
      expect(aiRequest(options as never, () => 'ok')).toBe('ok');
      expect(invokeAgent(options as never, () => 'ok')).toBe('ok');
    }
    expect(sdk.exporter.getFinishedSpans().map((span) => span.name)).toEqual(Array(10).fill('').map((_, i) => (i % 2 === 0 ? 'chat' : 'invoke_agent unknown')));
  });

  it('a result or usage object with throwing getters still gives every count that can be read', async () => {
    await aiRequest({ model: 'a' }, async () => withThrowing({ model: 'gpt-4o-1', id: 'r-2' }, 'usage'));
    expect(sdk.span('chat a').attributes).toMatchObject({ [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-1', [ATTR_GEN_AI_RESPONSE_ID]: 'r-2' });
    const usage = withThrowing({ prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: withThrowing({}, 'cached_tokens') }, 'cacheReadInputTokens');
    await aiRequest({ model: 'b' }, async () => ({ usage, choices: [withThrowing({}, 'finish_reason'), { finish_reason: 'length' }] }));
    const attributes = sdk.span('chat b').attributes;
    expect(attributes).toMatchObject({ [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12, [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5, [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: '["length"]' });
    expect(attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBeUndefined();
  });
});

describe('errors', () => {
  const helpers: [string, (fn: () => unknown) => unknown][] = [
    ['chat m', (fn) => aiRequest({ provider: 'p', model: 'm' }, fn)],
    ['memory.get s', (fn) => memoryOperation({ operation: 'get', store: 's' }, fn)],
    ['invoke_agent a', (fn) => invokeAgent({ name: 'a' }, fn)],
    ['execute_tool t', (fn) => executeTool({ name: 't' }, fn)],
    ['send b', (fn) => sendToAgent({ to: 'b', message: {} }, fn)],
    ['process c', (fn) => receiveFromAgent({ message: {}, agent: 'c' }, fn)],
  ];

  function expectErrorSpan(name: string, type: string, message: string): ReadableSpan {
    const span = sdk.span(name);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe(type);
    expect(span.events).toHaveLength(1);
    expect(span.events[0]!.name).toBe('exception');
    expect(span.events[0]!.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe(message);
    return span;
  }

  it.each(helpers)('%s: a sync throw is recorded and reaches the caller as the same object', (name, helper) => {
    const err = new ValidationError('bad input');
    let caught: unknown;
    try {
      helper(() => {
        throw err;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    const span = expectErrorSpan(name, 'ValidationError', 'bad input');
    expect(span.events[0]!.attributes?.[ATTR_EXCEPTION_TYPE]).toBe('ValidationError');
    expect(span.events[0]!.attributes?.[ATTR_EXCEPTION_STACKTRACE]).toBe(err.stack);
  });

  it.each(helpers)('%s: an async rejection is recorded and reaches the caller as the same object', async (name, helper) => {
    const err = new TypeError('nope');
    const result = helper(async () => {
      await tick();
      throw err;
    });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(err);
    expectErrorSpan(name, 'TypeError', 'nope');
  });

  it('the exact attribute set of a failed ai.request adds error.type (and the HTTP status when the error has one)', async () => {
    const err = Object.assign(new Error('rate limited'), { status: 429 });
    await expect(aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => Promise.reject(err))).rejects.toBe(err);
    const span = expectErrorSpan('chat gpt-4o', '429', 'rate limited');
    expect(span.attributes).toEqual({
      [ATTR_AGENT_SPAN_TYPE]: 'ai.request',
      [ATTR_SENTRY_OP]: 'gen_ai.chat',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_ERROR_TYPE]: '429',
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 429,
    });
  });

  it('statusCode 503, error codes, thrown strings and odd objects', () => {
    const cases: [string, unknown, string][] = [
      ['s503', Object.assign(new Error('down'), { statusCode: 503 }), '503'],
      ['code', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'Error'],
      ['str', 'just a string', '_OTHER'],
      ['named', { name: 'RateLimitError', message: 'slow down' }, 'RateLimitError'],
      ['s200', Object.assign(new RangeError('odd'), { status: 200 }), 'RangeError'],
    ];
    for (const [model, thrown, type] of cases) {
      let caught: unknown;
      try {
        aiRequest({ provider: 'p', model }, () => {
          throw thrown;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(thrown);
      const span = sdk.span(`chat ${model}`);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes[ATTR_ERROR_TYPE], model).toBe(type);
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
    expect(sdk.span('chat s503').attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).toBe(503);
    expect(sdk.span('chat s200').attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).toBeUndefined();
  });

  it('recordError marks the span failed without ending it or throwing', async () => {
    const result = await executeTool({ name: 'flaky' }, async (span) => {
      span.recordError(new Error('retrying'));
      return 'recovered';
    });
    expect(result).toBe('recovered');
    expect(sdk.span('execute_tool flaky').status.code).toBe(SpanStatusCode.ERROR);
  });
});

// The sustained bench's agent step, written two ways: through the bridge's agent helpers, and by hand through the
// OpenTelemetry API with the same spans — names, kinds, parents and every attribute the helpers set (a user who wants
// the same telemetry without the helpers writes this). test/bench/agent-step.test.ts holds the two equal: a bare
// stack that wrote fewer attributes would be compared for less work (until 2026-12-02 it wrote 13 of the 24).
// Step `i` is call `i` of a real agent: its LLM response has an id of its own and a conversation lasts 20 steps, so
// per-span work that depends on values changing (the scrubber, the encoder's caches) is paid as it would be.
import { SpanKind, context, trace } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import { ROOT } from './lib.js';

const {
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_GEN_AI_MEMORY_STORE_ID,
  ATTR_SENTRY_OP,
} = await import(`${ROOT}dist/src/agent/attributes.js`);

/** What step `i`'s LLM call returns (an OpenAI-like result the helpers harvest). */
const resultOf = (i) => ({ id: `chatcmpl-${i}`, model: 'gpt-4o', usage: { input_tokens: 12, output_tokens: 34 }, finish_reason: 'stop' });
const conversationOf = (i) => `conv-${Math.floor(i / 20)}`;

/** The step by hand: `invoke_agent planner` → `memory.search notes` + `chat gpt-4o`, on `tracer`. */
export function rawStep(tracer) {
  return async (i) => {
    const conversation = conversationOf(i);
    const agent = tracer.startSpan('invoke_agent planner', {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR_AGENT_SPAN_TYPE]: 'agent.invocation',
        [ATTR_SENTRY_OP]: 'gen_ai.invoke_agent',
        [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [ATTR_GEN_AI_AGENT_NAME]: 'planner',
        [ATTR_GEN_AI_CONVERSATION_ID]: conversation,
      },
    });
    const inAgent = trace.setSpan(context.active(), agent);
    const memory = tracer.startSpan('memory.search notes', {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_AGENT_SPAN_TYPE]: 'memory.operation',
        [ATTR_SENTRY_OP]: 'memory.search',
        [ATTR_AGENT_MEMORY_OPERATION]: 'search',
        [ATTR_AGENT_MEMORY_STORE]: 'notes',
        [ATTR_GEN_AI_MEMORY_STORE_ID]: 'notes',
        [ATTR_GEN_AI_AGENT_NAME]: 'planner',
        [ATTR_GEN_AI_CONVERSATION_ID]: conversation,
      },
    }, inAgent);
    const hits = await context.with(trace.setSpan(inAgent, memory), async () => []);
    memory.setAttribute(ATTR_AGENT_MEMORY_RESULT_COUNT, hits.length);
    memory.end();
    const chat = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_AGENT_SPAN_TYPE]: 'ai.request',
        [ATTR_SENTRY_OP]: 'gen_ai.chat',
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
        [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
        [ATTR_GEN_AI_AGENT_NAME]: 'planner',
        [ATTR_GEN_AI_CONVERSATION_ID]: conversation,
      },
    }, inAgent);
    const reply = await context.with(trace.setSpan(inAgent, chat), async () => resultOf(i));
    chat.setAttributes({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: reply.usage.input_tokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: reply.usage.output_tokens,
      [ATTR_GEN_AI_RESPONSE_MODEL]: reply.model,
      [ATTR_GEN_AI_RESPONSE_ID]: reply.id,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: JSON.stringify([reply.finish_reason]),
    });
    chat.end();
    agent.end();
  };
}

/** The same step through the bridge's agent helpers (on the global tracer provider). */
export async function helperStep() {
  const { aiRequest, invokeAgent, memoryOperation } = await import(`${ROOT}dist/src/agent/index.js`);
  return (i) =>
    invokeAgent({ name: 'planner', conversationId: conversationOf(i) }, async () => {
      await memoryOperation({ operation: 'search', store: 'notes' }, async () => []);
      await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => resultOf(i));
    });
}

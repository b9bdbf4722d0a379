/**
 * One classification of agent spans for the sampler's rules and every processor: by the GenAI semantic conventions, so a span from any
 * source — the agent helpers, the openai instrumentation, another library's OpenTelemetry spans — lands in the
 * same metric series and gets the same Sentry tags as a helper-made one.
 *
 * `agent.span.type` (set by the helpers) is a hint that wins when present; without it the type follows from
 * `gen_ai.operation.name` (open-telemetry/semantic-conventions docs/gen-ai/gen-ai-spans.md and
 * gen-ai-agent-spans.md): an inference or embeddings call is an `ai.request`, `invoke_agent` an agent invocation,
 * `execute_tool` a tool execution. Memory operations and agent-to-agent messages have no GenAI operation of their
 * own: they are recognised by the hint only.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
} from './semconv-incubating.js';
import {
  AGENT_SPAN_TYPES,
  AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
  ATTR_AGENT_SPAN_TYPE,
  type AgentSpanType,
} from './attributes.js';

const BY_OPERATION: ReadonlyMap<string, AgentSpanType> = new Map<string, AgentSpanType>([
  [GEN_AI_OPERATION_NAME_VALUE_CHAT, AGENT_SPAN_TYPE_VALUE_AI_REQUEST],
  [GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION, AGENT_SPAN_TYPE_VALUE_AI_REQUEST],
  [GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT, AGENT_SPAN_TYPE_VALUE_AI_REQUEST],
  [GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS, AGENT_SPAN_TYPE_VALUE_AI_REQUEST],
  [GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT, AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION],
  [GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION],
]);

/**
 * The hint for a GenAI span that is no call of its own — a wrapper around the calls it makes (the AI SDK's
 * `embeddings` operation around one `embeddings` span per provider call): classified as nothing, so each call is
 * counted once (src/processors/ai-sdk-spans.ts sets it).
 */
export const AGENT_SPAN_TYPE_VALUE_NONE = 'none';

/** The span's agent span type, or undefined for ordinary (HTTP, DB, …) spans. Two attribute reads, no allocation. */
export function agentSpanTypeOf(attributes: Attributes): AgentSpanType | undefined {
  const hint = attributes[ATTR_AGENT_SPAN_TYPE];
  if (typeof hint === 'string') {
    if ((AGENT_SPAN_TYPES as readonly string[]).includes(hint)) return hint as AgentSpanType;
    if (hint === AGENT_SPAN_TYPE_VALUE_NONE) return undefined;
  }
  return agentSpanTypeOfOperation(attributes[ATTR_GEN_AI_OPERATION_NAME]);
}

/**
 * The helpers' span type for a GenAI operation: what `aiRequest`, `invokeAgent` and `executeTool` set for the same
 * `gen_ai.operation.name`. Other operations (`agent_step`, `create_agent`, `rerank`, …) have none.
 */
export function agentSpanTypeOfOperation(operation: unknown): AgentSpanType | undefined {
  return typeof operation === 'string' ? BY_OPERATION.get(operation) : undefined;
}

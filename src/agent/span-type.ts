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
} from '@opentelemetry/semantic-conventions/incubating';
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

/** The span's agent span type, or undefined for ordinary (HTTP, DB, …) spans. Two attribute reads, no allocation. */
export function agentSpanTypeOf(attributes: Attributes): AgentSpanType | undefined {
  const hint = attributes[ATTR_AGENT_SPAN_TYPE];
  if (typeof hint === 'string' && (AGENT_SPAN_TYPES as readonly string[]).includes(hint)) return hint as AgentSpanType;
  const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
  return typeof operation === 'string' ? BY_OPERATION.get(operation) : undefined;
}

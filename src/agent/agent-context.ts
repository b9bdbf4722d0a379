/**
 * The current agent travels in OpenTelemetry context (not in a global), so concurrent agents in one process
 * never see each other's name, and every span started inside `invokeAgent` / `receiveFromAgent({ agent })`
 * carries `gen_ai.agent.name` without the caller passing it around.
 */
import { context, createContextKey, type Attributes, type Context } from '@opentelemetry/api';
import { ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_CONVERSATION_ID } from './semconv-incubating.js';

export interface AgentIdentity {
  /** `gen_ai.agent.name` — keep it low-cardinality (it is a metric label). */
  readonly name: string;
  /** `gen_ai.agent.id`, when the agent has a stable identifier. */
  readonly id?: string | undefined;
  /** `gen_ai.conversation.id` inherited by nested spans unless they pass their own. */
  readonly conversationId?: string | undefined;
}

const AGENT_KEY = createContextKey('agent-otel-bridge.agent');

/** The agent of the enclosing `invokeAgent` (or receiving agent), if any. */
export function getCurrentAgent(ctx: Context = context.active()): AgentIdentity | undefined {
  const value = ctx.getValue(AGENT_KEY);
  return value === undefined ? undefined : (value as AgentIdentity);
}

/** `ctx` with `agent` as the current agent. */
export function setCurrentAgent(ctx: Context, agent: AgentIdentity): Context {
  return ctx.setValue(AGENT_KEY, agent);
}

/**
 * The agent's name and id and the conversation id (the agent's unless given) on a span's start `attributes` —
 * those that are set; every helper span inside an agent carries them.
 */
export function setAgentAttributes(attributes: Attributes, agent: AgentIdentity | undefined, conversationId = agent?.conversationId): void {
  if (agent !== undefined) {
    attributes[ATTR_GEN_AI_AGENT_NAME] = agent.name;
    if (agent.id !== undefined) attributes[ATTR_GEN_AI_AGENT_ID] = agent.id;
  }
  if (conversationId !== undefined) attributes[ATTR_GEN_AI_CONVERSATION_ID] = conversationId;
}

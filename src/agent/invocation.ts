/**
 * `invokeAgent` — one run of an agent (agent.span.type `agent.invocation`): span `invoke_agent {name}`, kind
 * INTERNAL (SERVER when it is the entry point of a request from outside, CLIENT for a remote agent service),
 * sentry.op `gen_ai.invoke_agent`. The agent becomes the current agent for everything inside the callback.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_VERSION,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
} from './semconv-incubating.js';
import { AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION, ATTR_AGENT_SPAN_TYPE, ATTR_SENTRY_OP, SENTRY_OP_GEN_AI_INVOKE_AGENT } from './attributes.js';
import { getCurrentAgent, setAgentAttributes, type AgentIdentity } from './agent-context.js';
import { toSemconvMessages } from './ai-result.js';
import { identifier, readFields } from './internal.js';
import { runInSpan, SpanHandle, startSpan, type AgentSpan, type SpanPlan } from './span-handle.js';

export interface InvokeAgentOptions {
  /** gen_ai.agent.name — low cardinality (a metric label). */
  name: string;
  /** gen_ai.agent.id */
  id?: string;
  description?: string;
  version?: string;
  /** gen_ai.conversation.id, inherited by nested spans; default: the enclosing agent's. */
  conversationId?: string;
  /** Model provider / model the agent runs on, when fixed. */
  provider?: string;
  model?: string;
  /** SpanKind.INTERNAL (default), SERVER at a process entry, CLIENT for a remote agent service. */
  kind?: SpanKind;
  /** The task given to the agent (content capture only → gen_ai.input.messages). */
  input?: unknown;
}

export interface AgentInvocationSpan extends AgentSpan {
  /** The agent's final answer (content capture only → gen_ai.output.messages). */
  recordOutput(output: unknown): this;
}

class AgentInvocationSpanImpl extends SpanHandle implements AgentInvocationSpan {
  private outputSet = false;

  recordOutput(output: unknown): this {
    this.outputSet = true;
    this.setContent(ATTR_GEN_AI_OUTPUT_MESSAGES, toSemconvMessages(output, 'assistant'));
    return this;
  }

  recordInput(input: unknown): void {
    this.setContent(ATTR_GEN_AI_INPUT_MESSAGES, toSemconvMessages(input, 'user'));
  }

  /** A string answer is the agent's output; other return values are the caller's business. */
  protected override harvest(result: unknown): void {
    if (!this.outputSet && typeof result === 'string') this.setContent(ATTR_GEN_AI_OUTPUT_MESSAGES, toSemconvMessages(result, 'assistant'));
  }
}

const KINDS: readonly SpanKind[] = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT];

const FIELDS = ['name', 'id', 'description', 'version', 'conversationId', 'provider', 'model', 'kind', 'input'] as const;

/**
 * Trace one agent run. Spans started inside `fn` (ai.request, memory, tool, send) carry this agent's
 * `gen_ai.agent.name` / `gen_ai.agent.id` and conversation id.
 *
 * @example
 * const answer = await invokeAgent({ name: 'planner' }, async () => plan(task));
 */
export function invokeAgent<T>(options: InvokeAgentOptions, fn: (span: AgentInvocationSpan) => T): T {
  let input: unknown;
  const handle = startSpan(
    (active) => readFields<InvokeAgentOptions, SpanPlan>(options, FIELDS, (o) => {
      input = o.input;
      const name = identifier(o.name) ?? 'unknown';
      const id = identifier(o.id);
      const conversationId = identifier(o.conversationId) ?? getCurrentAgent(active)?.conversationId;
      const agent: AgentIdentity = { name, id, conversationId };
      return {
        name: `invoke_agent ${name}`,
        kind: KINDS.includes(o.kind as SpanKind) ? (o.kind as SpanKind) : SpanKind.INTERNAL,
        agent,
        attributes: () => readFields<InvokeAgentOptions, Attributes>(o, FIELDS, (a) => {
          const description = identifier(a.description);
          const version = identifier(a.version);
          const provider = identifier(a.provider);
          const model = identifier(a.model);
          const attributes: Attributes = {
            [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
            [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_INVOKE_AGENT,
            [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
          };
          setAgentAttributes(attributes, agent);
          if (description !== undefined) attributes[ATTR_GEN_AI_AGENT_DESCRIPTION] = description;
          if (version !== undefined) attributes[ATTR_GEN_AI_AGENT_VERSION] = version;
          if (provider !== undefined) attributes[ATTR_GEN_AI_PROVIDER_NAME] = provider;
          if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
          return attributes;
        }),
      };
    }),
    (span, ctx) => new AgentInvocationSpanImpl(span, ctx),
  );
  if (input !== undefined) handle.recordInput(input);
  return runInSpan(handle, fn);
}

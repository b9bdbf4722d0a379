/**
 * `executeTool` — one tool/function call made on a model's behalf (agent.span.type `tool.execution`): span
 * `execute_tool {name}`, kind INTERNAL, sentry.op `gen_ai.execute_tool`.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from './semconv-incubating.js';
import { AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION, ATTR_AGENT_SPAN_TYPE, ATTR_SENTRY_OP, SENTRY_OP_GEN_AI_EXECUTE_TOOL } from './attributes.js';
import { getCurrentAgent, setAgentAttributes } from './agent-context.js';
import { identifier, readFields } from './internal.js';
import { runInSpan, SpanHandle, startSpan, type AgentSpan, type SpanPlan } from './span-handle.js';

export interface ExecuteToolOptions {
  /** gen_ai.tool.name */
  name: string;
  /** gen_ai.tool.call.id — the id the model gave this call. */
  callId?: string;
  /** gen_ai.tool.type: `function`, `extension`, `datastore`. */
  type?: string;
  description?: string;
  /** Arguments the model passed (content capture only → gen_ai.tool.call.arguments). */
  arguments?: unknown;
}

export interface ToolSpan extends AgentSpan {
  /** The tool's result (content capture only); by default the callback's return value is used. */
  recordResult(result: unknown): this;
}

class ToolSpanImpl extends SpanHandle implements ToolSpan {
  private resultSet = false;

  recordResult(result: unknown): this {
    this.resultSet = true;
    this.setContent(ATTR_GEN_AI_TOOL_CALL_RESULT, result);
    return this;
  }

  recordArguments(args: unknown): void {
    this.setContent(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, args);
  }

  protected override harvest(result: unknown): void {
    if (!this.resultSet) this.setContent(ATTR_GEN_AI_TOOL_CALL_RESULT, result);
  }
}

const FIELDS = ['name', 'callId', 'type', 'description', 'arguments'] as const;

/**
 * Trace a tool execution. The return value is the tool result (recorded only with content capture on).
 *
 * @example
 * const weather = await executeTool({ name: 'get_weather', callId: call.id, arguments: call.args }, () => getWeather(call.args));
 */
export function executeTool<T>(options: ExecuteToolOptions, fn: (span: ToolSpan) => T): T {
  let args: unknown;
  const handle = startSpan(
    (active) => readFields<ExecuteToolOptions, SpanPlan>(options, FIELDS, (o) => {
      args = o.arguments;
      const name = identifier(o.name) ?? 'unknown';
      const agent = getCurrentAgent(active);
      return {
        name: `execute_tool ${name}`,
        kind: SpanKind.INTERNAL,
        attributes: () => readFields<ExecuteToolOptions, Attributes>(o, FIELDS, (a) => {
          const callId = identifier(a.callId);
          const type = identifier(a.type);
          const description = identifier(a.description);
          const attributes: Attributes = {
            [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
            [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_EXECUTE_TOOL,
            [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
            [ATTR_GEN_AI_TOOL_NAME]: name,
          };
          if (callId !== undefined) attributes[ATTR_GEN_AI_TOOL_CALL_ID] = callId;
          if (type !== undefined) attributes[ATTR_GEN_AI_TOOL_TYPE] = type;
          if (description !== undefined) attributes[ATTR_GEN_AI_TOOL_DESCRIPTION] = description;
          setAgentAttributes(attributes, agent);
          return attributes;
        }),
      };
    }),
    (span, ctx) => new ToolSpanImpl(span, ctx),
  );
  if (args !== undefined) handle.recordArguments(args);
  return runInSpan(handle, fn);
}

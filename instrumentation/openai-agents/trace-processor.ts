/**
 * An OpenAI Agents SDK (`@openai/agents` 0.x) trace processor that mirrors its spans as OpenTelemetry spans in the
 * current trace, with the attributes the agent helpers give the same operations (docs/agent.md):
 *
 *   agent        → `invoke_agent {name}`   INTERNAL  agent.invocation   gen_ai.invoke_agent
 *   generation,  → `chat {model}`          CLIENT    ai.request         gen_ai.chat  (model, tokens, response id)
 *   response
 *   function     → `execute_tool {name}`   INTERNAL  tool.execution     gen_ai.execute_tool
 *   handoff      → `send {to_agent}`       PRODUCER  agent.communication queue.publish (source = from_agent)
 *   anything else (task, turn, guardrail, custom, mcp_tools, …) → `{type} {name}` INTERNAL, no hint
 *
 * A model call's model comes from the SDK's span data (generation `model`, response `_response.model`) or, when
 * the SDK leaves it out, from the model client's request (./model-call.ts, through the `openai` instrumentation),
 * so no chat span reaches Sentry as an LLM call without a model. The same hook runs the client's request in the
 * chat span's context: its HTTP span is the chat span's child.
 *
 * Parentage follows the SDK's tree (span.parentId); a span without a parent hangs under the OpenTelemetry span that
 * was active when its SDK trace started, so an agent run joins the trace of the request that caused it. Only ids,
 * names, models and token counts are read — never prompts, tool inputs/outputs or responses' content.
 *
 * The SDK calls processors in order and awaits each (agents-core tracing/processor.mjs MultiTracingProcessor), and
 * span start/end notifications are not awaited by the code being traced: everything here is synchronous, returns a
 * resolved promise and never throws, so neither the run nor the processors after this one are delayed or skipped.
 * State is bounded: open spans and started traces are kept up to a count and an age; what is pushed out (a span the
 * SDK never ended) is forgotten unended — not exported — and counted (agent_bridge_instrumentation_drops_total).
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '../../src/agent/semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
  AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
  ATTR_AGENT_COMMUNICATION_SOURCE,
  ATTR_AGENT_COMMUNICATION_TARGET,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_SENTRY_OP,
  SENTRY_OP_GEN_AI_EXECUTE_TOOL,
  SENTRY_OP_GEN_AI_INVOKE_AGENT,
  SENTRY_OP_GEN_AI_PREFIX,
  SENTRY_OP_QUEUE_PUBLISH,
} from '../../src/agent/attributes.js';
import { errorHttpStatus, errorType } from '../../src/agent/errors.js';
import { warnOnce } from '../../src/log.js';
import { recordInstrumentationDrop } from '../../src/self-metrics.js';
import { forgetAgentsSdkModelCall, registerAgentsSdkModelCall } from './model-call.js';

/** The instrumentation's name: `OTEL_NODE_DISABLED_INSTRUMENTATIONS=openai-agents` switches it off. */
export const OPENAI_AGENTS_INSTRUMENTATION = 'openai-agents';

/** What this processor reads of an SDK trace (agents-core tracing/traces.d.ts `Trace`). */
export interface AgentsTraceLike {
  readonly traceId: string;
  readonly groupId?: string | null;
}

/** What this processor reads of an SDK span (agents-core tracing/spans.d.ts `Span`). */
export interface AgentsSpanLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly spanData: { readonly type: string } & Record<string, unknown>;
  readonly error: { readonly message: string } | null;
  readonly startedAt?: string | null;
}

/** The SDK's `TracingProcessor` interface (agents-core tracing/processor.d.ts), structurally. */
export interface AgentsTracingProcessor {
  onTraceStart(trace: AgentsTraceLike): Promise<void>;
  onTraceEnd(trace: AgentsTraceLike): Promise<void>;
  onSpanStart(span: AgentsSpanLike): Promise<void>;
  onSpanEnd(span: AgentsSpanLike): Promise<void>;
  shutdown(timeout?: number): Promise<void>;
  forceFlush(): Promise<void>;
}

export interface OpenAiAgentsTraceProcessorOptions {
  /** The tracer the mirrored spans are started with (read on every span: the provider may be replaced). */
  tracer: () => Tracer;
  /** Open spans / started traces kept; beyond them the oldest is forgotten and counted. Default 4096 / 1024. */
  maxOpenSpans?: number;
  maxOpenTraces?: number;
  /** Age after which an open entry is forgotten (a run that never ends). Default 1 hour. */
  maxAgeMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

interface OpenSpan {
  readonly span: Span;
  /** The SDK's span object of a model call, whose mirror the model client may still look up (./model-call.ts). */
  readonly modelCall?: object;
  readonly context: Context;
  /** The agent this span runs in, inherited by its children. */
  readonly agent: string | undefined;
  readonly conversationId: string | undefined;
  readonly at: number;
}

interface OpenTrace {
  readonly context: Context;
  readonly conversationId: string | undefined;
  readonly at: number;
}

const MAX_NAME_LENGTH = 128;
const RESOLVED = Promise.resolve();

export class OpenAiAgentsTraceProcessor implements AgentsTracingProcessor {
  /** Set false when the instrumentation is disabled: the SDK may keep calling a processor it cannot remove. */
  enabled = true;
  private readonly spans = new Map<string, OpenSpan>();
  private readonly traces = new Map<string, OpenTrace>();
  private readonly tracer: () => Tracer;
  private readonly maxOpenSpans: number;
  private readonly maxOpenTraces: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: OpenAiAgentsTraceProcessorOptions) {
    this.tracer = options.tracer;
    this.maxOpenSpans = options.maxOpenSpans ?? 4096;
    this.maxOpenTraces = options.maxOpenTraces ?? 1024;
    this.maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** How many spans / traces are open (tests). */
  get openSpans(): number {
    return this.spans.size;
  }

  get openTraces(): number {
    return this.traces.size;
  }

  onTraceStart(agentsTrace: AgentsTraceLike): Promise<void> {
    this.guard(() => {
      // The OpenTelemetry context of whoever started the run: its root spans' parent.
      const entry: OpenTrace = { context: context.active(), conversationId: shortString(agentsTrace.groupId), at: this.now() };
      this.bounded(this.traces, this.maxOpenTraces, agentsTrace.traceId, entry);
    });
    return RESOLVED;
  }

  onTraceEnd(agentsTrace: AgentsTraceLike): Promise<void> {
    this.guard(() => this.traces.delete(agentsTrace.traceId));
    return RESOLVED;
  }

  onSpanStart(span: AgentsSpanLike): Promise<void> {
    this.guard(() => {
      if (!this.spans.has(span.spanId)) this.mirror(span, undefined);
    });
    return RESOLVED;
  }

  onSpanEnd(span: AgentsSpanLike): Promise<void> {
    this.guard(() => {
      // A start this processor never saw (added mid-run, or a processor before it held the start back): start it
      // at the SDK's recorded time, so the span still exists with its real duration.
      const open = this.spans.get(span.spanId) ?? this.mirror(span, startTimeOf(span));
      if (open === undefined) return;
      this.spans.delete(span.spanId);
      if (open.modelCall !== undefined) forgetAgentsSdkModelCall(open.modelCall);
      finish(open, span);
    });
    return RESOLVED;
  }

  /** Nothing to stop: the SDK calls this when its processors are replaced, and this one stays registered. */
  shutdown(): Promise<void> {
    return RESOLVED;
  }

  /** Spans are exported by the bridge's own pipeline, flushed with it. */
  forceFlush(): Promise<void> {
    return RESOLVED;
  }

  private guard(fn: () => void): void {
    if (!this.enabled) return;
    try {
      fn();
    } catch (err) {
      warnOnce('openai-agents', `OpenAI Agents SDK span could not be mirrored (${String(err)}); continuing`);
    }
  }

  private mirror(span: AgentsSpanLike, startTime: Date | undefined): OpenSpan | undefined {
    const parent = span.parentId === null ? undefined : this.spans.get(span.parentId);
    const traceEntry = parent === undefined ? this.traces.get(span.traceId) : undefined;
    const parentContext = parent?.context ?? traceEntry?.context ?? context.active();
    const conversationId = parent?.conversationId ?? traceEntry?.conversationId;
    const data = span.spanData;
    const agent = data.type === 'agent' ? shortString(data.name) : (parent?.agent ?? shortString(data.agent_name));
    const plan = planOf(data, agent);
    if (conversationId !== undefined) plan.attributes[ATTR_GEN_AI_CONVERSATION_ID] = conversationId;
    const otelSpan = this.tracer().startSpan(plan.name, { kind: plan.kind, attributes: plan.attributes, startTime }, parentContext);
    const modelCall = isModelCall(data) ? span : undefined;
    const open: OpenSpan = { span: otelSpan, context: trace.setSpan(parentContext, otelSpan), agent, conversationId, at: this.now(), modelCall };
    this.bounded(this.spans, this.maxOpenSpans, span.spanId, open);
    if (modelCall !== undefined) {
      registerAgentsSdkModelCall(modelCall, { context: open.context, noteRequestModel: (model) => noteRequestModel(open, model), noteFailure: (err) => noteFailure(open, err) });
    }
    return open;
  }

  /** Insert, first forgetting entries beyond the count bound and the oldest ones past the age bound (counted). */
  private bounded<T extends { at: number; modelCall?: object }>(map: Map<string, T>, max: number, key: string, value: T): void {
    const cutoff = value.at - this.maxAgeMs;
    for (const [oldKey, old] of map) {
      if (map.size < max && old.at >= cutoff) break;
      map.delete(oldKey);
      // a forgotten span is never exported: no HTTP span may be put under it
      if (old.modelCall !== undefined) forgetAgentsSdkModelCall(old.modelCall);
      recordInstrumentationDrop(OPENAI_AGENTS_INSTRUMENTATION, 'evicted');
    }
    map.set(key, value);
  }
}

export { isInAgentsSdkModelCall } from './model-call.js';

/** The SDK spans that are one model call, mirrored as a chat span. */
function isModelCall(data: AgentsSpanLike['spanData']): boolean {
  return data.type === 'generation' || data.type === 'response';
}

/**
 * The model the client was asked for. A `response` span names its model only through `_response`, which the SDK
 * leaves out when the run traces no data (`traceIncludeSensitiveData: false`) and when the call failed: without
 * this, Relay would take such a span for an LLM call it cannot price (an `ai_client` item without a model).
 */
function noteRequestModel(open: OpenSpan, value: string): void {
  const model = shortString(value);
  if (model === undefined) return;
  open.span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
  open.span.updateName(`${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${model}`);
}

interface SpanPlan {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
}

function planOf(data: AgentsSpanLike['spanData'], agent: string | undefined): SpanPlan {
  const withAgent = (attributes: Attributes): Attributes => (agent === undefined ? attributes : { ...attributes, [ATTR_GEN_AI_AGENT_NAME]: agent });
  switch (data.type) {
    case 'agent':
      return {
        name: `invoke_agent ${agent ?? 'unknown'}`,
        kind: SpanKind.INTERNAL,
        attributes: withAgent({
          [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
          [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_INVOKE_AGENT,
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
        }),
      };
    case 'generation':
    case 'response':
      return {
        // the model is known once the client is called (noteRequestModel) or at the end: renamed `chat {model}` then
        name: GEN_AI_OPERATION_NAME_VALUE_CHAT,
        kind: SpanKind.CLIENT,
        attributes: withAgent({
          [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
          [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_PREFIX + GEN_AI_OPERATION_NAME_VALUE_CHAT,
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
          // The SDK's built-in models (OpenAIResponsesModel, OpenAIChatCompletionsModel) speak the OpenAI API.
          [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
        }),
      };
    case 'function': {
      const tool = shortString(data.name) ?? 'unknown';
      return {
        name: `execute_tool ${tool}`,
        kind: SpanKind.INTERNAL,
        attributes: withAgent({
          [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
          [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_EXECUTE_TOOL,
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
          [ATTR_GEN_AI_TOOL_NAME]: tool,
          [ATTR_GEN_AI_TOOL_TYPE]: 'function',
        }),
      };
    }
    case 'handoff': {
      // The target is known at the end (the SDK sets to_agent once the handoff resolved): completed in finish().
      const source = shortString(data.from_agent) ?? agent;
      const attributes: Attributes = withAgent({
        [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
        [ATTR_SENTRY_OP]: SENTRY_OP_QUEUE_PUBLISH,
        [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
      });
      if (source !== undefined) attributes[ATTR_AGENT_COMMUNICATION_SOURCE] = source;
      return { name: 'send', kind: SpanKind.PRODUCER, attributes };
    }
    default: {
      const name = shortString(data.name);
      const type = shortString(data.type) ?? 'span';
      return { name: name === undefined ? type : `${type} ${name}`, kind: SpanKind.INTERNAL, attributes: withAgent({}) };
    }
  }
}

/** What the SDK only knows at the end: models, usage, the handoff target, the error. Then end the span. */
function finish(open: OpenSpan, agentsSpan: AgentsSpanLike): void {
  const span = open.span;
  const data = agentsSpan.spanData;
  switch (data.type) {
    case 'generation': {
      const model = shortString(data.model);
      if (model !== undefined) {
        span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
        span.updateName(`${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${model}`);
      }
      setUsage(span, data.usage);
      break;
    }
    case 'response': {
      // `_response` is the Responses API object, present when the run traces data (the SDK's default).
      const response = record(data._response);
      const model = shortString(response?.model);
      if (model !== undefined) {
        span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, model);
        span.updateName(`${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${model}`);
      }
      const id = shortString(data.response_id) ?? shortString(response?.id);
      if (id !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, id);
      setUsage(span, response?.usage);
      break;
    }
    case 'handoff': {
      const target = shortString(data.to_agent);
      const source = shortString(data.from_agent);
      if (source !== undefined) span.setAttribute(ATTR_AGENT_COMMUNICATION_SOURCE, source);
      if (target !== undefined) {
        span.setAttribute(ATTR_AGENT_COMMUNICATION_TARGET, target);
        span.setAttribute(ATTR_MESSAGING_DESTINATION_NAME, target);
        span.updateName(`send ${target}`);
      }
      break;
    }
    default:
      break;
  }
  const error = agentsSpan.error;
  if (error !== null && error !== undefined) {
    const message = typeof error.message === 'string' ? error.message.slice(0, 1024) : undefined;
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (data.type === 'generation' || data.type === 'response') recordModelCallStatus(span, message);
  }
  span.end();
}

/**
 * A failed call as the client saw it: its HTTP status becomes `error.type` and `http.response.status_code`, as
 * `aiRequest` records it (src/agent/errors.ts), so a 429 is classified operational even when the SDK's span says
 * only "Error getting response" (a run that traces no data). The status itself is the SDK's to set, at the end.
 */
function noteFailure(open: OpenSpan, err: unknown): void {
  const status = errorHttpStatus(err);
  if (status === undefined) return;
  open.span.setAttribute(ATTR_ERROR_TYPE, errorType(err));
  open.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
}

/**
 * The SDK keeps only the message of a failed model call, and openai-node writes an API error's message as
 * `{status} {detail}` (openai 7.x core/error.js APIError.makeMessage): the status becomes `error.type` and
 * `http.response.status_code`, as `aiRequest` records the same failure (src/agent/errors.ts), so a 429 is
 * classified operational. Reads the first four characters only.
 */
function recordModelCallStatus(span: Span, message: string | undefined): void {
  if (message === undefined || message.length < 4 || message[3] !== ' ') return;
  const status = Number(message.slice(0, 3));
  if (!Number.isInteger(status) || status < 400 || status > 599) return;
  span.setAttribute(ATTR_ERROR_TYPE, String(status));
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
}

/** `{ input_tokens, output_tokens }` — the shape of both generation usage and the Responses API's usage. */
function setUsage(span: Span, usage: unknown): void {
  const u = record(usage);
  if (u === undefined) return;
  const input = tokenCount(u.input_tokens);
  const output = tokenCount(u.output_tokens);
  if (input !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
  if (output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output);
}

function startTimeOf(span: AgentsSpanLike): Date | undefined {
  if (typeof span.startedAt !== 'string') return undefined;
  const date = new Date(span.startedAt);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function shortString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_NAME_LENGTH) : undefined;
}

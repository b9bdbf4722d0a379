/**
 * Recognises GenAI spans the bridge did not make — the AI SDK's (`ai` 7.x with `@ai-sdk/otel`, both its current
 * and its legacy shape) and any other instrumentation that follows the GenAI semantic conventions — so metrics,
 * Sentry ops and the AI-agent views treat them like the helpers' `aiRequest` / `invokeAgent` / `executeTool` spans.
 * Runs first in the processor chain (architecture §1), before scrub and span-metrics.
 *
 * What the AI SDK emits (read from @ai-sdk/otel 1.0 src/open-telemetry.ts and src/legacy-open-telemetry.ts):
 * - current (`new OpenTelemetry()`): `invoke_agent {model}` (gen_ai.operation.name `invoke_agent`, gen_ai.agent.name
 *   = telemetry.functionId) → `step N` (`agent_step`, sent to Sentry as an unnamed `invoke_agent`: startStep) →
 *   `chat {model}` (CLIENT, usage, provider, and the stream's
 *   first-chunk time as `gen_ai.client.operation.time_to_first_chunk`) and `execute_tool {tool}`;
 * - legacy (`new LegacyOpenTelemetry()`): `ai.generateText` → `ai.generateText.doGenerate` → `ai.toolCall`, keyed by
 *   `ai.operationId`, with `ai.model.*`, `ai.usage.*`, `ai.telemetry.functionId`, `ai.toolCall.*`.
 *
 * At start: a span with a GenAI operation but no `agent.span.type` gets the hint and `sentry.op` the helpers set;
 * a legacy span gets its gen_ai.* attributes from the `ai.*` ones; chat/tool spans without `gen_ai.agent.name` take
 * their enclosing agent's (the AI SDK puts the name on the root span only); an LLM-call span that wraps another one
 * (the AI SDK's embeddings operation) is marked `none` at its end, so each provider call is counted once. At ending:
 * legacy usage and first-chunk time, and the current shape's first-chunk attribute, are copied to the gen_ai.* names
 * span-metrics reads; a failed call's HTTP status becomes its error.type. With content capture off, the prompt and
 * completion attributes the AI SDK records by default are removed by the scrub processor (src/agent/content.ts
 * `MESSAGE_CONTENT_ATTRIBUTES`), from every span.
 * Work per span is a fixed number of attribute reads and writes; no string is scanned beyond a fixed bound.
 */
import { SpanStatusCode, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
} from '../agent/semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_SENTRY_OP,
  SENTRY_OP_GEN_AI_INVOKE_AGENT,
  SENTRY_OP_GEN_AI_PREFIX,
} from '../agent/attributes.js';
import { getCurrentAgent } from '../agent/agent-context.js';
import { AGENT_SPAN_TYPE_VALUE_NONE, agentSpanTypeOfOperation } from '../agent/span-type.js';
import { warnOnce } from '../log.js';
import { recordInstrumentationDrop } from '../self-metrics.js';
import { SpanStage } from './span-path.js';

/** The AI SDK's legacy attribute names (no semantic-convention constants exist for them). */
export const ATTR_AI_OPERATION_ID = 'ai.operationId' as const;
const ATTR_AI_MODEL_ID = 'ai.model.id';
const ATTR_AI_MODEL_PROVIDER = 'ai.model.provider';
const ATTR_AI_TELEMETRY_FUNCTION_ID = 'ai.telemetry.functionId';
const ATTR_AI_TOOL_CALL_NAME = 'ai.toolCall.name';
const ATTR_AI_TOOL_CALL_ID = 'ai.toolCall.id';
const ATTR_AI_RESPONSE_MODEL = 'ai.response.model';
const ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
/** AI SDK 4.x names. */
const ATTR_AI_STREAM_MS_TO_FIRST_CHUNK = 'ai.stream.msToFirstChunk';
const LEGACY_INPUT_TOKENS = ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'];
const LEGACY_OUTPUT_TOKENS = ['ai.usage.outputTokens', 'ai.usage.completionTokens'];
/**
 * The current shape writes the first-chunk time (seconds) under the metric's name as a span attribute
 * (@ai-sdk/otel src/open-telemetry.ts getGenAIClientPerformanceAttributes); span-metrics reads the semconv attribute.
 */
const ATTR_AI_SDK_TIME_TO_FIRST_CHUNK = METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK;

/**
 * The current shape's step span operation (@ai-sdk/otel src/open-telemetry.ts onStepStart); not a GenAI
 * semantic-conventions value, so no constant exists.
 */
export const AI_SDK_OPERATION_AGENT_STEP = 'agent_step' as const;

/** Legacy `ai.operationId` → gen_ai.operation.name (@ai-sdk/otel src/legacy-open-telemetry.ts span names). */
const LEGACY_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['ai.generateText', GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT],
  ['ai.streamText', GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT],
  ['ai.generateObject', GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT],
  ['ai.streamObject', GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT],
  ['ai.generateText.doGenerate', GEN_AI_OPERATION_NAME_VALUE_CHAT],
  ['ai.streamText.doStream', GEN_AI_OPERATION_NAME_VALUE_CHAT],
  ['ai.generateObject.doGenerate', GEN_AI_OPERATION_NAME_VALUE_CHAT],
  ['ai.streamObject.doStream', GEN_AI_OPERATION_NAME_VALUE_CHAT],
  ['ai.toolCall', GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL],
  ['ai.embed.doEmbed', GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS],
  ['ai.embedMany.doEmbed', GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS],
]);

/**
 * AI SDK provider ids (`openai.chat`, `amazon-bedrock`, …) → gen_ai.provider.name, as @ai-sdk/otel's current shape
 * maps them (src/gen-ai-format-messages.ts mapProviderName); the legacy shape sends the raw id.
 */
const PROVIDER_PREFIXES: readonly (readonly [string, string])[] = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  ['anthropic', 'anthropic'],
  ['openai', 'openai'],
  ['azure', 'azure.ai.inference'],
  ['google', 'gcp.gemini'],
  ['mistral', 'mistral_ai'],
  ['cohere', 'cohere'],
  ['bedrock', 'aws.bedrock'],
  ['groq', 'groq'],
  ['deepseek', 'deepseek'],
  ['perplexity', 'perplexity'],
  ['xai', 'x_ai'],
];
const MAX_ID_LENGTH = 128;

export function providerNameOfAiSdkId(id: string): string {
  if (id.length > MAX_ID_LENGTH) return id.slice(0, MAX_ID_LENGTH);
  const lower = id.toLowerCase();
  for (const [prefix, name] of PROVIDER_PREFIXES) {
    if (lower === prefix || lower.startsWith(`${prefix}.`) || lower.startsWith(`${prefix}-`)) return name;
  }
  return id;
}

export interface AiSdkSpansProcessorOptions {
  /** Open GenAI spans whose agent name is remembered for their children; beyond it the oldest is forgotten (counted). */
  maxOpenSpans?: number;
}

/** The self-metric label of what this processor drops. */
const INSTRUMENTATION = 'genai-spans';

/** What is remembered of an open GenAI span for its children. */
interface OpenGenAiSpan {
  /** Its agent name, inherited by children without one. */
  readonly agent: string | undefined;
  /** It is an LLM call (ai.request hint) … */
  readonly request: boolean;
  /** … that turned out to wrap another one (set when such a child starts). */
  wrapsRequest: boolean;
}

export class AiSdkSpansProcessor extends SpanStage {
  /** spanId → what children need of open GenAI spans. Bounded, insertion-ordered. */
  private readonly open = new Map<string, OpenGenAiSpan>();
  private readonly maxOpenSpans: number;

  constructor(options: AiSdkSpansProcessorOptions = {}) {
    super();
    this.maxOpenSpans = options.maxOpenSpans ?? 4096;
  }

  override onStart(span: Span, parentContext: Context): void {
    try {
      this.start(span, parentContext);
    } catch (err) {
      warnOnce('ai-sdk-spans', `GenAI span recognition failed for a span (${String(err)}); continuing`);
    }
  }

  onEnding(span: Span): void {
    try {
      const attrs = span.attributes;
      if (attrs[ATTR_GEN_AI_OPERATION_NAME] === undefined && attrs[ATTR_AI_OPERATION_ID] === undefined) return;
      this.complete(span);
    } catch (err) {
      warnOnce('ai-sdk-spans', `GenAI span recognition failed for a span (${String(err)}); continuing`);
    }
  }

  override onEnd(span: ReadableSpan): void {
    if (this.open.size > 0) this.open.delete(span.spanContext().spanId);
  }

  override shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }

  private start(span: Span, parentContext: Context): void {
    const attrs = span.attributes;
    if (attrs[ATTR_AGENT_SPAN_TYPE] !== undefined) return; // a helper span: already classified
    const legacyId = attrs[ATTR_AI_OPERATION_ID];
    if (typeof legacyId === 'string') applyLegacyStart(span, legacyId);
    const operation = span.attributes[ATTR_GEN_AI_OPERATION_NAME];
    if (typeof operation !== 'string') return;
    if (operation === AI_SDK_OPERATION_AGENT_STEP) {
      this.startStep(span, parentContext);
      return;
    }

    const type = agentSpanTypeOfOperation(operation);
    if (type !== undefined) {
      span.setAttribute(ATTR_AGENT_SPAN_TYPE, type);
      if (span.attributes[ATTR_SENTRY_OP] === undefined) span.setAttribute(ATTR_SENTRY_OP, SENTRY_OP_GEN_AI_PREFIX + operation);
    }
    const parentId = span.parentSpanContext?.spanId;
    const parent = parentId === undefined ? undefined : this.open.get(parentId);
    const request = type === AGENT_SPAN_TYPE_VALUE_AI_REQUEST;
    // An LLM-call span inside another (the AI SDK's `embeddings` operation around one `embeddings` span per
    // provider call): the inner one is the call aiRequest would make; the outer one loses its hint at its end.
    if (request && parent?.request === true) parent.wrapsRequest = true;
    let agent = span.attributes[ATTR_GEN_AI_AGENT_NAME];
    // An agent run without a name stays unnamed (inheriting would count the enclosing agent's run twice).
    if (agent === undefined && type !== AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION) {
      // The nearest open GenAI ancestor's agent name, else the helpers' current agent in the parent context.
      const inherited = parent?.agent ?? getCurrentAgent(parentContext)?.name;
      if (inherited !== undefined) span.setAttribute(ATTR_GEN_AI_AGENT_NAME, (agent = inherited));
    }
    if (typeof agent === 'string' || request) this.remember(span.spanContext().spanId, { agent: typeof agent === 'string' ? agent : undefined, request, wrapsRequest: false });
  }

  /**
   * An AI SDK step (`step N`, `agent_step`): one model call and the tools it asked for, inside the run. Relay types
   * a span by its gen_ai.operation.name and takes any name it does not know for an LLM call (`ai_client`), so sent
   * as is a step is a model call without a model in Sentry: it is sent as Sentry's own AI SDK 7 integration sends
   * it, an `invoke_agent` span with op `gen_ai.invoke_agent` (Relay type `agent`). It stays unnamed — a named one
   * would count as one more run of its agent — and is no invocation for the metrics (hint `none`); its children
   * still inherit the run's agent name through it.
   */
  private startStep(span: Span, parentContext: Context): void {
    span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT);
    span.setAttribute(ATTR_SENTRY_OP, SENTRY_OP_GEN_AI_INVOKE_AGENT);
    span.setAttribute(ATTR_AGENT_SPAN_TYPE, AGENT_SPAN_TYPE_VALUE_NONE);
    const parentId = span.parentSpanContext?.spanId;
    const parent = parentId === undefined ? undefined : this.open.get(parentId);
    const agent = parent?.agent ?? getCurrentAgent(parentContext)?.name;
    if (agent !== undefined) this.remember(span.spanContext().spanId, { agent, request: false, wrapsRequest: false });
  }

  private remember(spanId: string, entry: OpenGenAiSpan): void {
    if (this.open.size >= this.maxOpenSpans) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
      recordInstrumentationDrop(INSTRUMENTATION, 'evicted');
    }
    this.open.set(spanId, entry);
  }

  private complete(span: Span): void {
    const attrs = span.attributes;
    if (this.open.size > 0 && this.open.get(span.spanContext().spanId)?.wrapsRequest === true) span.setAttribute(ATTR_AGENT_SPAN_TYPE, AGENT_SPAN_TYPE_VALUE_NONE);
    if (attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] === undefined) {
      const seconds = nonNegative(attrs[ATTR_AI_SDK_TIME_TO_FIRST_CHUNK]);
      const legacyMs = nonNegative(attrs[ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK]) ?? nonNegative(attrs[ATTR_AI_STREAM_MS_TO_FIRST_CHUNK]);
      const ttfc = seconds ?? (legacyMs === undefined ? undefined : legacyMs / 1000);
      if (ttfc !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttfc);
    }
    if (typeof attrs[ATTR_AI_OPERATION_ID] === 'string') {
      setIfAbsent(span, ATTR_GEN_AI_USAGE_INPUT_TOKENS, firstNonNegative(attrs, LEGACY_INPUT_TOKENS));
      setIfAbsent(span, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, firstNonNegative(attrs, LEGACY_OUTPUT_TOKENS));
      setIfAbsent(span, ATTR_GEN_AI_RESPONSE_MODEL, shortString(attrs[ATTR_AI_RESPONSE_MODEL]));
    }
    // A failed HTTP call: the status is the error type, as aiRequest records it (src/agent/errors.ts); the AI SDK
    // sets only http.response.status_code and an exception named after its own error class (AI_APICallError).
    if (span.status.code === SpanStatusCode.ERROR && attrs[ATTR_ERROR_TYPE] === undefined) {
      const status = attrs[ATTR_HTTP_RESPONSE_STATUS_CODE];
      if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) span.setAttribute(ATTR_ERROR_TYPE, String(status));
    }
  }
}

/** gen_ai.* from the legacy shape's start attributes (all set at span start by @ai-sdk/otel). */
function applyLegacyStart(span: Span, operationId: string): void {
  const attrs = span.attributes;
  const operation = LEGACY_OPERATIONS.get(operationId);
  if (operation === undefined) return;
  span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, operation);
  const provider = shortString(attrs[ATTR_AI_MODEL_PROVIDER]);
  if (provider !== undefined) setIfAbsent(span, ATTR_GEN_AI_PROVIDER_NAME, providerNameOfAiSdkId(provider));
  setIfAbsent(span, ATTR_GEN_AI_REQUEST_MODEL, shortString(attrs[ATTR_AI_MODEL_ID]));
  if (operation === GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT) setIfAbsent(span, ATTR_GEN_AI_AGENT_NAME, shortString(attrs[ATTR_AI_TELEMETRY_FUNCTION_ID]));
  if (operation === GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) {
    setIfAbsent(span, ATTR_GEN_AI_TOOL_NAME, shortString(attrs[ATTR_AI_TOOL_CALL_NAME]));
    setIfAbsent(span, ATTR_GEN_AI_TOOL_CALL_ID, shortString(attrs[ATTR_AI_TOOL_CALL_ID]));
  }
}

function setIfAbsent(span: Span, key: string, value: string | number | undefined): void {
  if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value);
}

function firstNonNegative(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = nonNegative(attrs[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function nonNegative(value: AttributeValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function shortString(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_ID_LENGTH) : undefined;
}

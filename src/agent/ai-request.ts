/**
 * `aiRequest` — one call to an LLM (agent.span.type `ai.request`): span `{operation} {model}`, kind CLIENT,
 * sentry.op `gen_ai.{operation}`. `startAiRequest` is the manual form for streaming responses.
 */
import { context, createContextKey, SpanKind, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
} from './semconv-incubating.js';
import { AGENT_SPAN_TYPE_VALUE_AI_REQUEST, ATTR_AGENT_SPAN_TYPE, ATTR_SENTRY_OP, SENTRY_OP_GEN_AI_PREFIX } from './attributes.js';
import { getCurrentAgent, setAgentAttributes } from './agent-context.js';
import { readAiResult, readOutputMessages, readUsage, toSemconvMessages, type TokenUsage } from './ai-result.js';
import { isCaptureMessageContentEnabled } from './content.js';
import { count, finite, guard, identifier, isRecord, prop, readFields } from './internal.js';
import { runInSpan, SpanHandle, startSpan, type AgentSpan, type ManualSpan, type SpanPlan } from './span-handle.js';

export type { TokenUsage } from './ai-result.js';

/** `gen_ai.operation.name` values of an LLM call (custom values allowed, keep them low-cardinality). */
export type AiOperation = 'chat' | 'text_completion' | 'generate_content' | 'embeddings' | (string & {});

export interface AiRequestOptions {
  /** gen_ai.operation.name; default `chat`. */
  operation?: AiOperation;
  /** gen_ai.provider.name, e.g. `openai`, `anthropic`, `aws.bedrock`. */
  provider?: string;
  /** gen_ai.request.model, e.g. `gpt-4o`. */
  model?: string;
  /** gen_ai.conversation.id; default: the enclosing agent's. */
  conversationId?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  /** gen_ai.request.stream */
  stream?: boolean;
  /** Prompt messages (string, `{ role, content }[]`, or semconv messages). Recorded only with content capture on. */
  input?: unknown;
}

/** Handle passed to an `aiRequest` callback. */
export interface AiRequestSpan extends AgentSpan {
  /** Token counts; explicit values win over what the return value reports. */
  recordUsage(usage: TokenUsage): this;
  setResponseModel(model: string): this;
  setResponseId(id: string): this;
  setFinishReasons(reasons: string | readonly string[]): this;
  /** Time since the span started → gen_ai.response.time_to_first_chunk (seconds). Only the first call counts. */
  recordFirstChunk(): this;
  /** Prompt messages (content capture only). */
  recordInput(messages: unknown): this;
  /** Completion messages (content capture only). */
  recordOutput(messages: unknown): this;
}

/** Manual form of an ai.request span (see `startAiRequest`). */
export interface AiRequestHandle extends AiRequestSpan, ManualSpan {
  /**
   * Wrap a response stream: records the first chunk, usage / model / finish reasons found in chunks, ends the
   * span when the stream completes or the consumer stops early, fails it when the stream throws.
   */
  observeStream<C>(stream: AsyncIterable<C>): AsyncIterable<C>;
}

const USAGE_KEYS = ['input', 'output', 'cacheRead', 'cacheCreation', 'reasoning'];

/** A `TokenUsage` (any of its keys), not a provider's usage object. */
function isTypedUsage(usage: unknown): usage is TokenUsage {
  if (!isRecord(usage)) return false;
  for (const key of USAGE_KEYS) if (key in usage) return true;
  return false;
}

class AiRequestSpanImpl extends SpanHandle implements AiRequestHandle {
  private readonly startedAt = this.isRecording() ? performance.now() : 0; // only needed for time to first chunk
  private firstChunkSeen = false;
  private explicit = { usage: false, model: false, id: false, finishReasons: false, output: false };

  recordUsage(usage: TokenUsage): this {
    this.explicit.usage = true;
    this.applyGivenUsage(usage);
    return this;
  }

  setResponseModel(model: string): this {
    this.explicit.model = true;
    const value = identifier(model);
    if (value !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, value);
    return this;
  }

  setResponseId(id: string): this {
    this.explicit.id = true;
    const value = identifier(id);
    if (value !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_ID, value);
    return this;
  }

  setFinishReasons(reasons: string | readonly string[]): this {
    this.explicit.finishReasons = true;
    const list = (typeof reasons === 'string' ? [reasons] : Array.isArray(reasons) ? reasons : []).map(identifier).filter((r): r is string => r !== undefined);
    if (list.length > 0) this.recordFinishReasons(list);
    return this;
  }

  /**
   * A string holding a JSON array (`["stop"]`): sentry-conventions type `gen_ai.response.finish_reasons` as a string
   * (getsentry/sentry-conventions model/attributes/gen_ai/gen_ai__response__finish_reasons.json), Sentry's own SDKs
   * send `JSON.stringify(reasons)` (getsentry/sentry-javascript packages/core/src/tracing/openai/utils.ts), and Relay
   * would turn an OTLP array into that same JSON string (getsentry/relay relay-spans/src/otel_to_sentry_v2.rs).
   */
  private recordFinishReasons(reasons: readonly string[]): void {
    this.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, JSON.stringify(reasons));
  }

  recordFirstChunk(): this {
    if (this.firstChunkSeen) return this;
    this.firstChunkSeen = true;
    this.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (performance.now() - this.startedAt) / 1000);
    return this;
  }

  recordInput(messages: unknown): this {
    this.setContent(ATTR_GEN_AI_INPUT_MESSAGES, toSemconvMessages(messages, 'user'));
    return this;
  }

  recordOutput(messages: unknown): this {
    this.explicit.output = true;
    this.setContent(ATTR_GEN_AI_OUTPUT_MESSAGES, toSemconvMessages(messages, 'assistant'));
    return this;
  }

  observeStream<C>(stream: AsyncIterable<C>): AsyncIterable<C> {
    return { [Symbol.asyncIterator]: () => this.iterate(stream) };
  }

  private async *iterate<C>(stream: AsyncIterable<C>): AsyncGenerator<C, void, undefined> {
    try {
      for await (const chunk of stream) {
        this.recordFirstChunk();
        if (this.live) guard('harvest chunk', () => this.absorbChunk(chunk));
        yield chunk;
      }
    } catch (err) {
      this.fail(err);
      throw err;
    } finally {
      this.end(); // completion, or the consumer stopped early (`break` → return())
    }
  }

  protected override harvest(result: unknown): void {
    const facts = readAiResult(result);
    if (!this.explicit.usage && facts.usage !== undefined) this.applyUsage(facts.usage);
    if (!this.explicit.model && facts.model !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, facts.model);
    if (!this.explicit.id && facts.id !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_ID, facts.id);
    if (!this.explicit.finishReasons && facts.finishReasons !== undefined) this.recordFinishReasons(facts.finishReasons);
    // Only with content capture on: converting a response's messages is work whose result would be thrown away.
    if (!this.explicit.output && isCaptureMessageContentEnabled()) {
      const output = readOutputMessages(result);
      if (output !== undefined) this.setContent(ATTR_GEN_AI_OUTPUT_MESSAGES, output);
    }
  }

  /**
   * Streams report facts piecemeal (OpenAI Chat: usage in the last chunk; OpenAI Responses: model and id in
   * `response.created`, usage in `response.completed`, both under `response`; Anthropic: model and input tokens in
   * `message_start`, output tokens and stop reason in `message_delta`): each chunk adds what it knows.
   */
  private absorbChunk(chunk: unknown): void {
    for (const source of [chunk, prop(chunk, 'message'), prop(chunk, 'delta'), prop(chunk, 'response')]) {
      if (!isRecord(source)) continue;
      const facts = readAiResult(source);
      if (!this.explicit.usage && facts.usage !== undefined) this.applyUsage(facts.usage);
      if (!this.explicit.model && facts.model !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, facts.model);
      if (!this.explicit.id && facts.id !== undefined) this.setAttribute(ATTR_GEN_AI_RESPONSE_ID, facts.id);
      if (!this.explicit.finishReasons && facts.finishReasons !== undefined) this.recordFinishReasons(facts.finishReasons);
    }
  }

  /** What a caller passed to `recordUsage`: a typed TokenUsage or (from JS callers) a provider usage object such as { input_tokens, output_tokens }. */
  private applyGivenUsage(usage: TokenUsage): void {
    this.applyUsage(isTypedUsage(usage) ? usage : (readUsage(usage) ?? {}));
  }

  private applyUsage(normalised: TokenUsage): void {
    this.setCount(ATTR_GEN_AI_USAGE_INPUT_TOKENS, normalised.input);
    this.setCount(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, normalised.output);
    this.setCount(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, normalised.cacheRead);
    this.setCount(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, normalised.cacheCreation);
    this.setCount(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, normalised.reasoning);
  }

  private setCount(key: string, value: unknown): void {
    const n = count(value);
    if (n !== undefined) this.setAttribute(key, n);
  }
}

const FIELDS = ['operation', 'provider', 'model', 'conversationId', 'temperature', 'maxTokens', 'topP', 'stream', 'input'] as const;

/** Marks the context of an ai.request span (see `isInAiRequest`). */
const AI_REQUEST_KEY = createContextKey('agent-otel-bridge.ai_request');

/**
 * Whether `ctx` (default: the active context) is inside an ai.request span's callback or `run`. A library
 * instrumentation (the bridge's openai one) skips its own span there: the caller's `aiRequest` already traces the
 * call, and a second span would count it twice in every metric.
 */
export function isInAiRequest(ctx: Context = context.active()): boolean {
  return ctx.getValue(AI_REQUEST_KEY) === true;
}

function create(options: AiRequestOptions, tracer?: Tracer): AiRequestSpanImpl {
  let input: unknown;
  const handle = startSpan(
    (active) => readFields<AiRequestOptions, SpanPlan>(options, FIELDS, (o) => {
      input = o.input;
      const operation = identifier(o.operation) ?? GEN_AI_OPERATION_NAME_VALUE_CHAT;
      const model = identifier(o.model);
      const agent = getCurrentAgent(active);
      return {
        tracer,
        name: model === undefined ? operation : `${operation} ${model}`,
        kind: SpanKind.CLIENT,
        attributes: () => readFields<AiRequestOptions, Attributes>(o, FIELDS, (a) => {
          const provider = identifier(a.provider);
          const temperature = finite(a.temperature);
          const maxTokens = count(a.maxTokens);
          const topP = finite(a.topP);
          const stream = a.stream;
          const attributes: Attributes = {
            [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
            [ATTR_SENTRY_OP]: SENTRY_OP_GEN_AI_PREFIX + operation,
            [ATTR_GEN_AI_OPERATION_NAME]: operation,
          };
          if (provider !== undefined) attributes[ATTR_GEN_AI_PROVIDER_NAME] = provider;
          if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
          setAgentAttributes(attributes, agent, identifier(a.conversationId)); // else the agent's
          if (temperature !== undefined) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = temperature;
          if (maxTokens !== undefined) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
          if (topP !== undefined) attributes[ATTR_GEN_AI_REQUEST_TOP_P] = topP;
          if (typeof stream === 'boolean') attributes[ATTR_GEN_AI_REQUEST_STREAM] = stream;
          return attributes;
        }),
      };
    }),
    (span: Span, ctx: Context) => new AiRequestSpanImpl(span, ctx.setValue(AI_REQUEST_KEY, true)),
  );
  if (input !== undefined) handle.recordInput(input);
  return handle;
}

/**
 * Trace one LLM call. `fn` runs with the span active; its return value is harvested for usage, response
 * model, id, finish reasons (and output messages with content capture on) and returned unchanged.
 *
 * @example
 * const reply = await aiRequest({ provider: 'openai', model: 'gpt-4o' }, () => openai.chat.completions.create({ … }));
 */
export function aiRequest<T>(options: AiRequestOptions, fn: (span: AiRequestSpan) => T): T {
  return runInSpan(create(options), fn);
}

/**
 * Start an ai.request span without a callback — for streaming. End it with `end()` / `fail(err)`, or let
 * `observeStream(stream)` do both. Use `run(fn)` (or `context`) to make it the parent of nested work.
 */
export function startAiRequest(options: AiRequestOptions): AiRequestHandle {
  return create(options);
}

/**
 * `startAiRequest` on a given tracer — for instrumentations, whose spans come from their own tracer (their scope,
 * and the provider set with `setTracerProvider`). Not part of the public `agent-otel-bridge/agent` API.
 */
export function startAiRequestOn(tracer: Tracer, options: AiRequestOptions): AiRequestHandle {
  return create(options, tracer);
}

/**
 * Span-metrics processor (docs/architecture.md §1, processor 2): turns every *recorded* span — sampled or not, the sampler is
 * AlwaysRecord-wrapped — into the metrics of docs/metrics.md, like a collector's spanmetrics connector but in-process
 * and GenAI-aware. Metrics therefore stay exact whatever the trace sampling rate.
 *
 * Spans are classified by the GenAI semantic conventions, `agent.span.type` as a hint (src/agent/span-type.ts), so a
 * chat span from an instrumented library and one from `aiRequest` land in the same series; other spans (HTTP, DB, …)
 * only feed agent_errors_total with agent_span_type="other" when they end with ERROR, so ordinary traffic adds no series. agent_errors_total counts
 * each error once, on the span where it happened (src/errors/error-origin.ts).
 *
 * onEnd is on every span's hot path: attribute reads, one cached-Map lookup per label value, then one series
 * lookup per recorded point in the pre-aggregated store (src/metrics/span-metrics-store.ts; why not SDK
 * instruments, and how a lookup stays allocation-free: there). onStart reads one attribute; only agent
 * invocations do more (agent_active_invocations, src/metrics/active-invocations.ts).
 *
 * Cost: an ai.request span with token usage adds its cost to agent_llm_cost_usd_total (src/metrics/price-table.ts),
 * or, when its model has no price, 1 to agent_llm_unpriced_requests_total. The cost is never put on the span:
 * Sentry computes its own from the token attributes (docs/sentry.md, "Cost").
 */
import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE, ATTR_EXCEPTION_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_MESSAGING_OPERATION_TYPE,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '../agent/semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
  AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
  AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
  ATTR_AGENT_COMMUNICATION_SOURCE,
  ATTR_AGENT_COMMUNICATION_TARGET,
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
} from '../agent/attributes.js';
import { classifyError, DEFAULT_OPERATIONAL_ERRORS } from '../errors/classify.js';
import { agentSpanTypeOf } from '../agent/span-type.js';
import { warnOnce } from '../log.js';
import { LABEL_CLASSIFICATION, LABEL_SOURCE_AGENT, LABEL_TARGET_AGENT, METRICS, SPAN_TYPE_OTHER } from '../metrics/catalog.js';
import { ErrorOrigin } from '../errors/error-origin.js';
import { EXCEPTION_EVENT } from '../errors/exception-event.js';
import { LabelNormalizer } from '../metrics/normalize.js';
import { ActiveInvocations } from '../metrics/active-invocations.js';
import { PICO_PER_USD, PriceTable } from '../metrics/price-table.js';
import type { ModelPrice } from '../metrics/prices.js';
import type { FixedPointCounter, PreAggregatedCounter, PreAggregatedHistogram, SpanMetricsStore } from '../metrics/span-metrics-store.js';
import { SpanStage } from './span-path.js';

export interface SpanMetricsProcessorOptions {
  /** Where the series live: the store the Prometheus reader collects (exporters/prometheus.ts). */
  store: SpanMetricsStore;
  /** Error types classified as operational (agent_errors_total{classification}); defaults to classify.ts's list. */
  operationalErrors?: readonly string[];
  /** Longest label value kept (agent / model names …). Default 64. */
  maxLabelLength?: number;
  /** Prices (USD per 1M tokens) by model, over the built-in ones (the config file's `prices`). */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** An invocation running longer leaves agent_active_invocations as abandoned (AGENT_BRIDGE_INVOCATION_MAX_AGE_MS). Default 1 h. */
  invocationMaxAgeMs?: number;
  /** Invocations tracked at once for agent_active_invocations. Default 10,000. */
  maxInFlightInvocations?: number;
  /** Monotonic milliseconds for invocation ages; tests drive it. Default performance.now. */
  now?: () => number;
}

// Label keys per metric, in exposition order. Each record() passes its values in exactly this order.
const LLM_LABELS = [ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_AGENT_NAME, ATTR_ERROR_TYPE];
const TOKEN_LABELS = [ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_TOKEN_TYPE];
const MEMORY_LABELS = [ATTR_AGENT_MEMORY_OPERATION, ATTR_AGENT_MEMORY_STORE, ATTR_GEN_AI_AGENT_NAME, ATTR_ERROR_TYPE];
const MEMORY_RESULT_LABELS = [ATTR_AGENT_MEMORY_OPERATION, ATTR_AGENT_MEMORY_STORE];
const COMMUNICATION_LABELS = [LABEL_SOURCE_AGENT, LABEL_TARGET_AGENT, ATTR_MESSAGING_OPERATION_TYPE, ATTR_ERROR_TYPE];
const INVOCATION_LABELS = [ATTR_GEN_AI_AGENT_NAME, ATTR_ERROR_TYPE];
const TOOL_LABELS = [ATTR_GEN_AI_TOOL_NAME, ATTR_GEN_AI_AGENT_NAME, ATTR_ERROR_TYPE];
const ERROR_LABELS = [ATTR_GEN_AI_AGENT_NAME, ATTR_AGENT_SPAN_TYPE, ATTR_ERROR_TYPE, LABEL_CLASSIFICATION];
const ACTIVE_LABELS = [ATTR_GEN_AI_AGENT_NAME];
const COST_LABELS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_AGENT_NAME];
const UNPRICED_LABELS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL];

export class SpanMetricsProcessor extends SpanStage {
  private readonly operationDuration: PreAggregatedHistogram;
  private readonly timeToFirstChunk: PreAggregatedHistogram;
  private readonly tokenUsage: PreAggregatedHistogram;
  private readonly memoryDuration: PreAggregatedHistogram;
  private readonly memoryResults: PreAggregatedHistogram;
  private readonly communicationDuration: PreAggregatedHistogram;
  private readonly invocationDuration: PreAggregatedHistogram;
  private readonly toolDuration: PreAggregatedHistogram;
  private readonly errors: PreAggregatedCounter;
  private readonly cost: FixedPointCounter;
  private readonly unpriced: PreAggregatedCounter;
  private readonly prices: PriceTable;
  private readonly active: ActiveInvocations;
  private readonly operationalErrors: readonly string[];
  /** Agent, model, provider, store, tool names: lowercased, bounded cache. */
  private readonly names: LabelNormalizer;
  /** error.type keeps its case (`ValidationError`). */
  private readonly errorTypes: LabelNormalizer;
  /** Counts each error once, on the span where it happened (see error-origin.ts). */
  private readonly errorOrigin = new ErrorOrigin();

  constructor(options: SpanMetricsProcessorOptions) {
    super();
    const store = options.store;
    this.operationDuration = store.histogram(METRICS.operationDuration, LLM_LABELS);
    this.timeToFirstChunk = store.histogram(METRICS.timeToFirstChunk, LLM_LABELS);
    this.tokenUsage = store.histogram(METRICS.tokenUsage, TOKEN_LABELS);
    this.memoryDuration = store.histogram(METRICS.memoryDuration, MEMORY_LABELS);
    this.memoryResults = store.histogram(METRICS.memoryResults, MEMORY_RESULT_LABELS);
    this.communicationDuration = store.histogram(METRICS.communicationDuration, COMMUNICATION_LABELS);
    this.invocationDuration = store.histogram(METRICS.invocationDuration, INVOCATION_LABELS);
    this.toolDuration = store.histogram(METRICS.toolDuration, TOOL_LABELS);
    this.errors = store.counter(METRICS.errors, ERROR_LABELS);
    this.operationalErrors = options.operationalErrors ?? DEFAULT_OPERATIONAL_ERRORS;
    const maxLength = options.maxLabelLength ?? 64;
    this.names = new LabelNormalizer({ maxLength, maxEntries: 4096 });
    this.errorTypes = new LabelNormalizer({ lowercase: false, maxLength, maxEntries: 512 });
    this.cost = store.fixedPointCounter(METRICS.llmCost, COST_LABELS, PICO_PER_USD);
    this.unpriced = store.counter(METRICS.llmUnpriced, UNPRICED_LABELS);
    this.prices = new PriceTable(options.prices, (name) => this.names.normalize(name));
    this.active = new ActiveInvocations({
      gauge: store.gauge(METRICS.activeInvocations, ACTIVE_LABELS),
      abandoned: store.counter(METRICS.abandonedInvocations, ACTIVE_LABELS),
      untracked: store.counter(METRICS.bridgeUntrackedInvocations, []),
      maxAgeMs: options.invocationMaxAgeMs,
      maxInFlight: options.maxInFlightInvocations,
      now: options.now,
    });
    store.onCollect(() => this.active.sweep());
  }

  override onStart(span: Span, _parentContext: Context): void {
    try {
      // An invocation by the one classification (helpers set agent.span.type, instrumented libraries
      // gen_ai.operation.name = invoke_agent), both at start, with gen_ai.agent.name.
      if (agentSpanTypeOf(span.attributes) !== AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION) return;
      const { traceId, spanId } = span.spanContext();
      this.active.started(traceId, spanId, [this.names.normalize(span.attributes[ATTR_GEN_AI_AGENT_NAME])]);
    } catch (err) {
      warnOnce('span-metrics-start', `span metrics: an invocation start could not be recorded (${String(err)}); continuing`);
    }
  }

  override onEnd(span: ReadableSpan): void {
    try {
      if (agentSpanTypeOf(span.attributes) === AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION) {
        const { traceId, spanId } = span.spanContext();
        this.active.ended(traceId, spanId);
      }
      this.record(span);
    } catch (err) {
      warnOnce('span-metrics', `span metrics: a span could not be recorded (${String(err)}); continuing`);
    }
  }

  private record(span: ReadableSpan): void {
    const attrs = span.attributes;
    const type = agentSpanTypeOf(attrs);
    const failed = span.status.code === SpanStatusCode.ERROR;
    const errorType = failed ? this.errorTypeOf(span) : undefined;
    const seconds = span.duration[0] + span.duration[1] / 1e9;
    const agent = this.names.normalize(attrs[ATTR_GEN_AI_AGENT_NAME]);

    switch (type) {
      case AGENT_SPAN_TYPE_VALUE_AI_REQUEST:
        this.recordAiRequest(attrs, seconds, agent, errorType);
        break;
      case AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION: {
        const operation = this.names.normalize(attrs[ATTR_AGENT_MEMORY_OPERATION]);
        const store = this.names.normalize(attrs[ATTR_AGENT_MEMORY_STORE]);
        this.memoryDuration.record(seconds, [operation, store, agent, errorType]);
        const count = attrs[ATTR_AGENT_MEMORY_RESULT_COUNT];
        if (isNonNegative(count)) this.memoryResults.record(count, [operation, store]);
        break;
      }
      case AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION: {
        const source = this.names.normalize(attrs[ATTR_AGENT_COMMUNICATION_SOURCE]);
        const target = this.names.normalize(attrs[ATTR_AGENT_COMMUNICATION_TARGET]);
        // Both ends of a message produce a span; without this label each edge would be counted twice and
        // send (ms) and process (s) latencies would share one histogram.
        const side =
          span.kind === SpanKind.CONSUMER || span.kind === SpanKind.SERVER ? MESSAGING_OPERATION_TYPE_VALUE_PROCESS : MESSAGING_OPERATION_TYPE_VALUE_SEND;
        this.communicationDuration.record(seconds, [source, target, side, errorType]);
        break;
      }
      case AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION:
        this.invocationDuration.record(seconds, [agent, errorType]);
        break;
      case AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION:
        this.toolDuration.record(seconds, [this.names.normalize(attrs[ATTR_GEN_AI_TOOL_NAME]), agent, errorType]);
        break;
      default:
        break;
    }

    if (errorType !== undefined && this.errorOrigin.isOrigin(span)) {
      const classification = classifyError({ errorType, httpStatus: httpStatusOf(attrs) }, this.operationalErrors);
      this.errors.add(1, [agent, type ?? SPAN_TYPE_OTHER, errorType, classification]);
    }
  }

  private recordAiRequest(attrs: Attributes, seconds: number, agent: string | undefined, errorType: string | undefined): void {
    const operation = this.names.normalize(attrs[ATTR_GEN_AI_OPERATION_NAME]);
    const provider = this.names.normalize(attrs[ATTR_GEN_AI_PROVIDER_NAME]);
    const model = this.names.normalize(attrs[ATTR_GEN_AI_REQUEST_MODEL] ?? attrs[ATTR_GEN_AI_RESPONSE_MODEL]);
    const input = attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
    const output = attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
    // Token series carry the model labels but no error.type (semconv: token usage is recorded per outcome-less call).
    if (isNonNegative(input)) this.tokenUsage.record(input, [operation, provider, model, agent, GEN_AI_TOKEN_TYPE_VALUE_INPUT]);
    if (isNonNegative(output)) this.tokenUsage.record(output, [operation, provider, model, agent, GEN_AI_TOKEN_TYPE_VALUE_OUTPUT]);
    const labels = [operation, provider, model, agent, errorType];
    this.operationDuration.record(seconds, labels);
    const firstChunk = attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK];
    if (isNonNegative(firstChunk)) this.timeToFirstChunk.record(firstChunk, labels);
    if (isNonNegative(input) || isNonNegative(output)) this.recordCost(attrs, provider, model, agent);
  }

  /**
   * Priced by the model that answered (gen_ai.response.model: the snapshot actually billed) when it has a price,
   * else by the requested one; labelled by the requested model like every LLM series, so costs join with calls.
   */
  private recordCost(attrs: Attributes, provider: string | undefined, model: string | undefined, agent: string | undefined): void {
    const price = this.prices.priceOf(this.names.normalize(attrs[ATTR_GEN_AI_RESPONSE_MODEL])) ?? this.prices.priceOf(model);
    const cost =
      price === undefined
        ? undefined
        : PriceTable.costOf(price, {
            input: tokenCount(attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS]),
            output: tokenCount(attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]),
            cacheRead: tokenCount(attrs[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]),
            cacheCreation: tokenCount(attrs[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]),
          });
    if (cost === undefined) this.unpriced.add(1, [provider, model]);
    else this.cost.addUnits(cost, [provider, model, agent]);
  }

  /** error.type attribute → exception event's exception.type → HTTP status → `_OTHER` (semconv fallback). */
  private errorTypeOf(span: ReadableSpan): string {
    const attrs = span.attributes;
    const fromAttr = this.errorTypes.normalize(attrs[ATTR_ERROR_TYPE]);
    if (fromAttr !== undefined) return fromAttr;
    const events = span.events;
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i];
      if (event?.name === EXCEPTION_EVENT) {
        const fromEvent = this.errorTypes.normalize(event.attributes?.[ATTR_EXCEPTION_TYPE]);
        if (fromEvent !== undefined) return fromEvent;
      }
    }
    const status = httpStatusOf(attrs);
    if (status !== undefined) return this.errorTypes.normalize(status) ?? ERROR_TYPE_VALUE_OTHER;
    return ERROR_TYPE_VALUE_OTHER;
  }
}

function isNonNegative(value: AttributeValue | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A token count as the cost needs it: a non-negative whole number, else absent. */
function tokenCount(value: AttributeValue | undefined): number | undefined {
  return isNonNegative(value) ? Math.floor(value) : undefined;
}

function httpStatusOf(attrs: Attributes): number | undefined {
  const status = attrs[ATTR_HTTP_RESPONSE_STATUS_CODE];
  return typeof status === 'number' ? status : undefined;
}

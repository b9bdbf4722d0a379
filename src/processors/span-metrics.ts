/**
 * Span-metrics processor (DESIGN §1, processor 2): turns every *recorded* span — sampled or not, the sampler is
 * AlwaysRecord-wrapped — into the metrics of DESIGN §3, like a collector's spanmetrics connector but in-process
 * and GenAI-aware. Metrics therefore stay exact whatever the trace sampling rate.
 *
 * Spans are classified by `agent.span.type`; spans without it (HTTP, DB, …) only feed agent_errors_total with
 * agent_span_type="other" when they end with ERROR, so ordinary traffic adds no series.
 *
 * onEnd is on every span's hot path: attribute reads, one cached-Map lookup per label value, one attributes
 * object per recording (the SDK keeps the first object of each series as its key, so they cannot be reused).
 */
import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Context, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
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
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_MESSAGING_OPERATION_TYPE,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '@opentelemetry/semantic-conventions/incubating';
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
import { warnOnce } from '../log.js';
import { LABEL_CLASSIFICATION, LABEL_SOURCE_AGENT, LABEL_TARGET_AGENT, METER_NAME, METRICS, SPAN_TYPE_OTHER, type MetricSpec } from '../metrics/catalog.js';
import { LabelNormalizer } from '../metrics/normalize.js';

export interface SpanMetricsProcessorOptions {
  /** Where the instruments live (the Prometheus meter provider). */
  meterProvider: MeterProvider;
  /** Error types classified as operational (agent_errors_total{classification}); defaults to classify.ts's list. */
  operationalErrors?: readonly string[];
  /** Longest label value kept (agent / model names …). Default 64. */
  maxLabelLength?: number;
}

export class SpanMetricsProcessor implements SpanProcessor {
  private readonly operationDuration: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly tokenUsage: Histogram;
  private readonly memoryDuration: Histogram;
  private readonly memoryResults: Histogram;
  private readonly communicationDuration: Histogram;
  private readonly invocationDuration: Histogram;
  private readonly toolDuration: Histogram;
  private readonly errors: Counter;
  private readonly operationalErrors: readonly string[];
  /** Agent, model, provider, store, tool names: lowercased, bounded cache. */
  private readonly names: LabelNormalizer;
  /** error.type keeps its case (`ValidationError`). */
  private readonly errorTypes: LabelNormalizer;

  constructor(options: SpanMetricsProcessorOptions) {
    const meter = options.meterProvider.getMeter(METER_NAME);
    const histogram = (spec: MetricSpec): Histogram =>
      meter.createHistogram(spec.instrument, {
        unit: spec.unit,
        description: spec.description,
        ...(spec.buckets ? { advice: { explicitBucketBoundaries: [...spec.buckets] } } : {}),
      });
    this.operationDuration = histogram(METRICS.operationDuration);
    this.timeToFirstChunk = histogram(METRICS.timeToFirstChunk);
    this.tokenUsage = histogram(METRICS.tokenUsage);
    this.memoryDuration = histogram(METRICS.memoryDuration);
    this.memoryResults = histogram(METRICS.memoryResults);
    this.communicationDuration = histogram(METRICS.communicationDuration);
    this.invocationDuration = histogram(METRICS.invocationDuration);
    this.toolDuration = histogram(METRICS.toolDuration);
    this.errors = meter.createCounter(METRICS.errors.instrument, { unit: METRICS.errors.unit, description: METRICS.errors.description });
    this.operationalErrors = options.operationalErrors ?? DEFAULT_OPERATIONAL_ERRORS;
    const maxLength = options.maxLabelLength ?? 64;
    this.names = new LabelNormalizer({ maxLength, maxEntries: 4096 });
    this.errorTypes = new LabelNormalizer({ lowercase: false, maxLength, maxEntries: 512 });
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      this.record(span);
    } catch (err) {
      warnOnce('span-metrics', `span metrics: a span could not be recorded (${String(err)}); continuing`);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private record(span: ReadableSpan): void {
    const attrs = span.attributes;
    const type = attrs[ATTR_AGENT_SPAN_TYPE];
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
        const a: Attributes = {};
        if (operation !== undefined) a[ATTR_AGENT_MEMORY_OPERATION] = operation;
        if (store !== undefined) a[ATTR_AGENT_MEMORY_STORE] = store;
        if (agent !== undefined) a[ATTR_GEN_AI_AGENT_NAME] = agent;
        if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
        this.memoryDuration.record(seconds, a);
        const count = attrs[ATTR_AGENT_MEMORY_RESULT_COUNT];
        if (isNonNegative(count)) {
          const r: Attributes = {};
          if (operation !== undefined) r[ATTR_AGENT_MEMORY_OPERATION] = operation;
          if (store !== undefined) r[ATTR_AGENT_MEMORY_STORE] = store;
          this.memoryResults.record(count, r);
        }
        break;
      }
      case AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION: {
        const a: Attributes = {};
        const source = this.names.normalize(attrs[ATTR_AGENT_COMMUNICATION_SOURCE]);
        const target = this.names.normalize(attrs[ATTR_AGENT_COMMUNICATION_TARGET]);
        if (source !== undefined) a[LABEL_SOURCE_AGENT] = source;
        if (target !== undefined) a[LABEL_TARGET_AGENT] = target;
        // Both ends of a message produce a span; without this label each edge would be counted twice and
        // send (ms) and process (s) latencies would share one histogram.
        a[ATTR_MESSAGING_OPERATION_TYPE] =
          span.kind === SpanKind.CONSUMER || span.kind === SpanKind.SERVER ? MESSAGING_OPERATION_TYPE_VALUE_PROCESS : MESSAGING_OPERATION_TYPE_VALUE_SEND;
        if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
        this.communicationDuration.record(seconds, a);
        break;
      }
      case AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION: {
        const a: Attributes = {};
        if (agent !== undefined) a[ATTR_GEN_AI_AGENT_NAME] = agent;
        if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
        this.invocationDuration.record(seconds, a);
        break;
      }
      case AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION: {
        const a: Attributes = {};
        const tool = this.names.normalize(attrs[ATTR_GEN_AI_TOOL_NAME]);
        if (tool !== undefined) a[ATTR_GEN_AI_TOOL_NAME] = tool;
        if (agent !== undefined) a[ATTR_GEN_AI_AGENT_NAME] = agent;
        if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
        this.toolDuration.record(seconds, a);
        break;
      }
      default:
        break;
    }

    if (errorType !== undefined) {
      const a: Attributes = {};
      if (agent !== undefined) a[ATTR_GEN_AI_AGENT_NAME] = agent;
      a[ATTR_AGENT_SPAN_TYPE] = isKnownType(type) ? type : SPAN_TYPE_OTHER;
      a[ATTR_ERROR_TYPE] = errorType;
      a[LABEL_CLASSIFICATION] = classifyError({ errorType, httpStatus: httpStatusOf(attrs) }, this.operationalErrors);
      this.errors.add(1, a);
    }
  }

  private recordAiRequest(attrs: Attributes, seconds: number, agent: string | undefined, errorType: string | undefined): void {
    const operation = this.names.normalize(attrs[ATTR_GEN_AI_OPERATION_NAME]);
    const provider = this.names.normalize(attrs[ATTR_GEN_AI_PROVIDER_NAME]);
    const model = this.names.normalize(attrs[ATTR_GEN_AI_REQUEST_MODEL] ?? attrs[ATTR_GEN_AI_RESPONSE_MODEL]);
    const a: Attributes = {};
    if (operation !== undefined) a[ATTR_GEN_AI_OPERATION_NAME] = operation;
    if (provider !== undefined) a[ATTR_GEN_AI_PROVIDER_NAME] = provider;
    if (model !== undefined) a[ATTR_GEN_AI_REQUEST_MODEL] = model;
    if (agent !== undefined) a[ATTR_GEN_AI_AGENT_NAME] = agent;
    const input = attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
    const output = attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
    // Token series carry the model labels but no error.type (semconv: token usage is recorded per outcome-less call).
    if (isNonNegative(input)) this.tokenUsage.record(input, { ...a, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_INPUT });
    if (isNonNegative(output)) this.tokenUsage.record(output, { ...a, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_OUTPUT });
    if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
    this.operationDuration.record(seconds, a);
    const firstChunk = attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK];
    if (isNonNegative(firstChunk)) this.timeToFirstChunk.record(firstChunk, a); // `a` is never mutated after recording
  }

  /** error.type attribute → exception event's exception.type → HTTP status → `_OTHER` (semconv fallback). */
  private errorTypeOf(span: ReadableSpan): string {
    const attrs = span.attributes;
    const fromAttr = this.errorTypes.normalize(attrs[ATTR_ERROR_TYPE]);
    if (fromAttr !== undefined) return fromAttr;
    const events = span.events;
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i];
      if (event?.name === 'exception') {
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

function httpStatusOf(attrs: Attributes): number | undefined {
  const status = attrs[ATTR_HTTP_RESPONSE_STATUS_CODE];
  return typeof status === 'number' ? status : undefined;
}

function isKnownType(type: AttributeValue | undefined): type is string {
  return (
    type === AGENT_SPAN_TYPE_VALUE_AI_REQUEST ||
    type === AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION ||
    type === AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION ||
    type === AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION ||
    type === AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION
  );
}

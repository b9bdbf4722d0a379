/**
 * The metrics the bridge derives from spans (docs/metrics.md) and its self metrics: instrument names, units,
 * descriptions, bucket boundaries and the name Prometheus sees. One table shared by the span-metrics processor
 * and its store (src/metrics/span-metrics-store.ts), the self metrics, their views and docs/metrics.md.
 *
 * Instrument names follow OTel semconv where one exists (`gen_ai.client.*`). @opentelemetry/exporter-prometheus
 * 0.301 converts `.` to `_` and adds `_total` to counters but does not append unit suffixes, so the store writes
 * the second-based histograms under their `_seconds` Prometheus names directly.
 */
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '../agent/semconv-incubating.js';

export const METER_NAME = 'agent-otel-bridge';

/**
 * Bucket boundaries, chosen per operation (why: docs/metrics.md). Explicit buckets, not exponential histograms,
 * because the Prometheus text exposition only carries classic buckets and dashboards use histogram_quantile.
 */
export const BUCKETS = {
  /** LLM calls: GenAI semconv's advice for gen_ai.client.operation.duration (10 ms … 82 s, ×2 steps). */
  llmSeconds: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  /** Time to first chunk of streamed LLM responses: GenAI semconv's advice (1 ms … 10 s). */
  firstChunkSeconds: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  /** Agent invocations / tool runs / messages: span several LLM calls, so the range reaches 5 min. */
  agentSeconds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120, 300],
  /** Memory (vector search, KV get/put): mostly milliseconds; anything above 10 s is an outage. */
  memorySeconds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  /** Tokens per call: GenAI semconv's ×4 steps from 1 to 4 M (covers 1–2 M context windows). */
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
  /** Memory results per operation: `le="0"` isolates misses (0 results). */
  results: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
} as const satisfies Record<string, readonly number[]>;

export interface MetricSpec {
  /** OTel instrument name. */
  readonly instrument: string;
  /** Base name in the Prometheus exposition (before `_bucket`/`_count`/`_sum`; counters get `_total`). */
  readonly prometheus: string;
  readonly kind: 'histogram' | 'counter' | 'gauge';
  readonly unit: string;
  readonly description: string;
  readonly buckets?: readonly number[];
}

export const METRICS = {
  operationDuration: {
    instrument: METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
    prometheus: 'gen_ai_client_operation_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of GenAI client operations (every recorded ai.request span, sampled or not).',
    buckets: BUCKETS.llmSeconds,
  },
  timeToFirstChunk: {
    instrument: METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
    prometheus: 'gen_ai_client_operation_time_to_first_chunk_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time to the first chunk of streamed GenAI responses (ai.request spans with gen_ai.response.time_to_first_chunk).',
    buckets: BUCKETS.firstChunkSeconds,
  },
  tokenUsage: {
    instrument: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
    prometheus: 'gen_ai_client_token_usage',
    kind: 'histogram',
    unit: '{token}',
    description: 'Input and output tokens per GenAI client operation.',
    buckets: BUCKETS.tokens,
  },
  memoryDuration: {
    instrument: 'agent.memory.operation.duration',
    prometheus: 'agent_memory_operation_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of agent memory operations (search, get, put, delete).',
    buckets: BUCKETS.memorySeconds,
  },
  memoryResults: {
    instrument: 'agent.memory.results',
    prometheus: 'agent_memory_results',
    kind: 'histogram',
    unit: '{result}',
    description: 'Results returned per agent memory operation (0 = miss).',
    buckets: BUCKETS.results,
  },
  communicationDuration: {
    instrument: 'agent.communication.duration',
    prometheus: 'agent_communication_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of agent-to-agent messages: sending (messaging_operation_type="send") and processing ("process").',
    buckets: BUCKETS.agentSeconds,
  },
  invocationDuration: {
    instrument: 'agent.invocation.duration',
    prometheus: 'agent_invocation_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of agent invocations.',
    buckets: BUCKETS.agentSeconds,
  },
  toolDuration: {
    instrument: 'agent.tool.execution.duration',
    prometheus: 'agent_tool_execution_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of tool executions.',
    buckets: BUCKETS.agentSeconds,
  },
  errors: {
    instrument: 'agent.errors',
    prometheus: 'agent_errors',
    kind: 'counter',
    unit: '{error}',
    description: 'Spans ended with ERROR status, by span type and classification (bug / operational).',
  },
  activeInvocations: {
    instrument: 'agent.invocations.active',
    prometheus: 'agent_active_invocations',
    kind: 'gauge',
    unit: '{invocation}',
    description: 'Agent invocations started and not yet ended (every recorded agent.invocation span, sampled or not).',
  },
  abandonedInvocations: {
    instrument: 'agent.invocations.abandoned',
    prometheus: 'agent_invocations_abandoned',
    kind: 'counter',
    unit: '{invocation}',
    description: 'Agent invocations still running after AGENT_BRIDGE_INVOCATION_MAX_AGE_MS: removed from agent_active_invocations.',
  },
  llmCost: {
    instrument: 'agent.llm.cost',
    // Prometheus naming: the unit (USD) as a suffix before `_total` (prometheus.io/docs/practices/naming).
    prometheus: 'agent_llm_cost_usd',
    kind: 'counter',
    unit: 'USD',
    description: 'Cost of GenAI calls in US dollars: token usage × the price table (src/metrics/prices.ts, the config file\'s `prices`).',
  },
  llmUnpriced: {
    instrument: 'agent.llm.unpriced_requests',
    prometheus: 'agent_llm_unpriced_requests',
    kind: 'counter',
    unit: '{request}',
    description: 'GenAI calls with token usage whose model has no price (never guessed): they add nothing to agent_llm_cost_usd_total.',
  },
  bridgeUntrackedInvocations: {
    instrument: 'agent.bridge.untracked_invocations',
    prometheus: 'agent_bridge_untracked_invocations',
    kind: 'counter',
    unit: '{invocation}',
    description: 'Agent invocations not counted in agent_active_invocations because the in-flight table was full.',
  },
  bridgeSpans: {
    instrument: 'agent.bridge.spans',
    prometheus: 'agent_bridge_spans',
    kind: 'counter',
    unit: '{span}',
    description: 'Sampled spans handed to an exporter, by outcome: exported, dropped (queue full / after shutdown), failed.',
  },
  bridgeSentryEvents: {
    instrument: 'agent.bridge.sentry_events',
    prometheus: 'agent_bridge_sentry_events',
    kind: 'counter',
    unit: '{event}',
    description: 'Sentry events by outcome: sent, dropped (transport / rate limit / queue), filtered (beforeSend, sampling).',
  },
  bridgeScrubFailures: {
    instrument: 'agent.bridge.scrub_failures',
    prometheus: 'agent_bridge_scrub_failures',
    kind: 'counter',
    unit: '{value}',
    description: 'Values filtered (or Sentry events dropped) because they could not be scrubbed, by reason.',
  },
  bridgeErrorTraceSpans: {
    instrument: 'agent.bridge.error_trace_spans',
    prometheus: 'agent_bridge_error_trace_spans',
    kind: 'counter',
    unit: '{span}',
    description: 'Unsampled spans held for an error in their trace: kept (exported because the trace failed), expired, evicted (byte bound).',
  },
  bridgeContextDropped: {
    instrument: 'agent.bridge.context_dropped',
    prometheus: 'agent_bridge_context_dropped',
    kind: 'counter',
    unit: '{item}',
    description: 'Context values not copied (too long) and trace breadcrumbs forgotten (per-trace, trace-count or byte bound), by reason.',
  },
  bridgeInstrumentationDrops: {
    instrument: 'agent.bridge.instrumentation_drops',
    prometheus: 'agent_bridge_instrumentation_drops',
    kind: 'counter',
    unit: '{item}',
    description: 'State an instrumentation gave up to stay bounded, by instrumentation and reason (evicted: a span that never ended was forgotten).',
  },
} as const satisfies Record<string, MetricSpec>;

/**
 * The bridge's own counters (src/self-metrics.ts), by the kind of total each one reports: one list, so the self
 * metrics and their views (./views.ts) cannot drift apart.
 */
export const SELF_METRICS = {
  spans: METRICS.bridgeSpans,
  sentry: METRICS.bridgeSentryEvents,
  scrub: METRICS.bridgeScrubFailures,
  errorTraces: METRICS.bridgeErrorTraceSpans,
  context: METRICS.bridgeContextDropped,
  drops: METRICS.bridgeInstrumentationDrops,
} as const satisfies Record<string, MetricSpec>;

/** Metric attribute keys that are not span attribute names (docs/metrics.md label names). */
export const LABEL_SOURCE_AGENT = 'source_agent';
export const LABEL_TARGET_AGENT = 'target_agent';
export const LABEL_CLASSIFICATION = 'classification';
export const LABEL_OUTCOME = 'outcome';
export const LABEL_EXPORTER = 'exporter';
export const LABEL_REASON = 'reason';
export const LABEL_INSTRUMENTATION = 'instrumentation';
/** `agent_span_type` value for ERROR spans that are no agent span (src/agent/span-type.ts), e.g. HTTP spans. */
export const SPAN_TYPE_OTHER = 'other';

/**
 * The metrics the dashboards and alert rules read, as Prometheus shows them (docs/metrics.md):
 * names, types and label sets. One table so the dashboards, the test fixture (test/grafana/fixture-metrics.ts)
 * and the contract test (every metric/label a query names must be here) cannot drift apart.
 *
 * Two of them beyond the first metric plan, both emitted by span-metrics (src/metrics/catalog.ts is the emitting side):
 *  - agent_tool_execution_duration_seconds (tool.execution spans; the overview needs every span type);
 *  - gen_ai_client_operation_time_to_first_chunk_seconds (GenAI semconv `gen_ai.client.operation.time_to_first_chunk`,
 *    from the span attribute `gen_ai.response.time_to_first_chunk` on streaming ai.request spans; labels as
 *    gen_ai_client_operation_duration_seconds).
 * Issue 22 adds the live agent count and the LLM cost (src/metrics/active-invocations.ts, src/metrics/price-table.ts):
 * agent_active_invocations, agent_invocations_abandoned_total, agent_llm_cost_usd_total,
 * agent_llm_unpriced_requests_total, and the budget the spend alert compares with (a recording rule in
 * grafana/alerts/agent-bridge.rules.yml).
 * Two runtime gauges the alert rules read (issue 23), under their semconv names without a unit suffix (the exporter
 * keeps instrument names): nodejs_eventloop_delay_p99 (@opentelemetry/instrumentation-runtime-node) and
 * process_memory_usage (RSS, src/metrics/process-metrics.ts).
 * Issue 23 adds latency budgets (recording rules in the same file: the budgets operators set, and the `:effective`
 * budget of every agent, tool and route seen) and reads http_server_request_duration, which the OpenTelemetry HTTP
 * instrumentation records (stable HTTP semconv `http.server.request.duration`, seconds; the Prometheus exporter
 * adds no unit suffix) on the same meter provider, for the HTTP entry points' budget.
 */

/** Labels Prometheus adds at scrape time (or the OTLP → Prometheus translation: job = service, instance = instance id). */
export const SCRAPE_LABELS = ['job', 'instance'] as const;
/** Labels @opentelemetry/exporter-prometheus adds to every series of an instrumentation scope. */
export const SCOPE_LABELS = ['otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url'] as const;

export type MetricType = 'histogram' | 'counter' | 'gauge';

export interface MetricContract {
  /** Name as Prometheus shows it (histograms: the base name; the series are `_bucket`, `_sum`, `_count`). */
  readonly name: string;
  readonly type: MetricType;
  /** Labels set by the bridge (scrape and scope labels come on top). */
  readonly labels: readonly string[];
  /**
   * design = the first metric plan; addition = see the header (both emitted by span-metrics / self-metrics);
   * runtime = the runtime gauges (see the header, not span-derived); instrumentation = recorded by an OpenTelemetry
   * instrumentation the preload registers; prometheus = produced by the scrape, the exporter itself or a recording
   * rule.
   */
  readonly origin: 'design' | 'addition' | 'runtime' | 'instrumentation' | 'prometheus';
}

const LLM_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_agent_name'] as const;

export const METRIC = {
  llmDuration: 'gen_ai_client_operation_duration_seconds',
  llmTokens: 'gen_ai_client_token_usage',
  llmTimeToFirstChunk: 'gen_ai_client_operation_time_to_first_chunk_seconds',
  memoryDuration: 'agent_memory_operation_duration_seconds',
  memoryResults: 'agent_memory_results',
  communicationDuration: 'agent_communication_duration_seconds',
  invocationDuration: 'agent_invocation_duration_seconds',
  toolDuration: 'agent_tool_execution_duration_seconds',
  errors: 'agent_errors_total',
  bridgeSpans: 'agent_bridge_spans_total',
  sentryEvents: 'agent_bridge_sentry_events_total',
  activeInvocations: 'agent_active_invocations',
  abandonedInvocations: 'agent_invocations_abandoned_total',
  llmCost: 'agent_llm_cost_usd_total',
  llmUnpriced: 'agent_llm_unpriced_requests_total',
  /** Recording rule: the LLM spend budget in USD per hour (set it in the rule file). */
  llmBudget: 'agent_llm:budget_usd_per_hour',
  /** @opentelemetry/instrumentation-http: duration of the requests a process serves (its HTTP entry points). */
  httpServerDuration: 'http_server_request_duration',
  /** Recording rules: p95 latency budgets in seconds as set (no label = the default) and per agent / tool / route seen. */
  invocationBudget: 'agent_invocation:latency_budget_seconds',
  invocationBudgetEffective: 'agent_invocation:latency_budget_seconds:effective',
  toolBudget: 'agent_tool:latency_budget_seconds',
  toolBudgetEffective: 'agent_tool:latency_budget_seconds:effective',
  httpBudget: 'http_server:latency_budget_seconds',
  httpBudgetEffective: 'http_server:latency_budget_seconds:effective',
  up: 'up',
  targetInfo: 'target_info',
  eventLoopDelayP99: 'nodejs_eventloop_delay_p99',
  processMemory: 'process_memory_usage',
} as const;

export const METRICS: readonly MetricContract[] = [
  { name: METRIC.llmDuration, type: 'histogram', labels: [...LLM_LABELS, 'error_type'], origin: 'design' },
  { name: METRIC.llmTokens, type: 'histogram', labels: [...LLM_LABELS, 'gen_ai_token_type'], origin: 'design' },
  { name: METRIC.memoryDuration, type: 'histogram', labels: ['agent_memory_operation', 'agent_memory_store', 'gen_ai_agent_name', 'error_type'], origin: 'design' },
  { name: METRIC.memoryResults, type: 'histogram', labels: ['agent_memory_operation', 'agent_memory_store'], origin: 'design' },
  // messaging_operation_type (send / process) separates the two ends of a message (src/processors/span-metrics.ts).
  { name: METRIC.communicationDuration, type: 'histogram', labels: ['source_agent', 'target_agent', 'messaging_operation_type', 'error_type'], origin: 'design' },
  { name: METRIC.invocationDuration, type: 'histogram', labels: ['gen_ai_agent_name', 'error_type'], origin: 'design' },
  { name: METRIC.errors, type: 'counter', labels: ['gen_ai_agent_name', 'agent_span_type', 'error_type', 'classification'], origin: 'design' },
  { name: METRIC.bridgeSpans, type: 'counter', labels: ['outcome', 'exporter'], origin: 'design' },
  { name: METRIC.sentryEvents, type: 'counter', labels: ['outcome'], origin: 'design' },
  { name: METRIC.toolDuration, type: 'histogram', labels: ['gen_ai_tool_name', 'gen_ai_agent_name', 'error_type'], origin: 'addition' },
  { name: METRIC.llmTimeToFirstChunk, type: 'histogram', labels: [...LLM_LABELS, 'error_type'], origin: 'addition' },
  { name: METRIC.activeInvocations, type: 'gauge', labels: ['gen_ai_agent_name'], origin: 'addition' },
  { name: METRIC.abandonedInvocations, type: 'counter', labels: ['gen_ai_agent_name'], origin: 'addition' },
  { name: METRIC.llmCost, type: 'counter', labels: ['gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_agent_name'], origin: 'addition' },
  { name: METRIC.llmUnpriced, type: 'counter', labels: ['gen_ai_provider_name', 'gen_ai_request_model'], origin: 'addition' },
  { name: METRIC.llmBudget, type: 'gauge', labels: [], origin: 'prometheus' },
  { name: METRIC.eventLoopDelayP99, type: 'gauge', labels: [], origin: 'runtime' },
  { name: METRIC.processMemory, type: 'gauge', labels: [], origin: 'runtime' },
  // Stable HTTP semconv attributes of http.server.request.duration; http_route only where a framework reports it.
  {
    name: METRIC.httpServerDuration,
    type: 'histogram',
    labels: ['http_request_method', 'http_route', 'http_response_status_code', 'url_scheme', 'network_protocol_version', 'error_type'],
    origin: 'instrumentation',
  },
  { name: METRIC.invocationBudget, type: 'gauge', labels: ['gen_ai_agent_name'], origin: 'prometheus' },
  { name: METRIC.invocationBudgetEffective, type: 'gauge', labels: ['gen_ai_agent_name'], origin: 'prometheus' },
  { name: METRIC.toolBudget, type: 'gauge', labels: ['gen_ai_tool_name'], origin: 'prometheus' },
  { name: METRIC.toolBudgetEffective, type: 'gauge', labels: ['gen_ai_tool_name'], origin: 'prometheus' },
  { name: METRIC.httpBudget, type: 'gauge', labels: ['http_route'], origin: 'prometheus' },
  { name: METRIC.httpBudgetEffective, type: 'gauge', labels: ['http_route'], origin: 'prometheus' },
  { name: METRIC.up, type: 'gauge', labels: [], origin: 'prometheus' },
  // Resource attributes of the process (service.name → service_name, …); the exporter writes them here only.
  {
    name: METRIC.targetInfo,
    type: 'gauge',
    labels: ['service_name', 'service_version', 'service_instance_id', 'deployment_environment_name', 'telemetry_sdk_language', 'telemetry_sdk_name', 'telemetry_sdk_version'],
    origin: 'prometheus',
  },
];

/** The series names Prometheus stores for a metric (histograms expand to three). */
export function seriesNames(metric: MetricContract): string[] {
  return metric.type === 'histogram' ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name];
}

/** Every label a series of `metric` can carry, given its series name (only `_bucket` has `le`). */
export function labelsOf(metric: MetricContract, series: string): string[] {
  const extra = metric.origin === 'prometheus' ? [] : [...SCOPE_LABELS];
  return [...metric.labels, ...SCRAPE_LABELS, ...extra, ...(series.endsWith('_bucket') && metric.type === 'histogram' ? ['le'] : [])];
}

/** Series name → its metric, for every series name in the contract. */
export function seriesIndex(): Map<string, MetricContract> {
  const index = new Map<string, MetricContract>();
  for (const m of METRICS) for (const s of seriesNames(m)) index.set(s, m);
  return index;
}

/** agent.span.type values (label agent_span_type), as src/agent/attributes.ts defines them. */
export const SPAN_TYPE = {
  invocation: 'agent.invocation',
  aiRequest: 'ai.request',
  tool: 'tool.execution',
  memory: 'memory.operation',
  communication: 'agent.communication',
} as const;

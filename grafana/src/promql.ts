/**
 * Small PromQL string helpers. The dashboards are many variations of a few shapes (rate of a histogram count,
 * histogram_quantile by some labels, error ratio); building them here keeps every panel consistent.
 * Nothing clever: plain strings, readable in the generated JSON.
 */
import { SPAN_TYPE, METRIC } from './metrics.js';

/** Grafana's rate window: at least four scrape intervals (the datasource's timeInterval). */
export const RATE = '$__rate_interval';
/** The dashboard's time range (tables summarising "the selected range"). */
export const RANGE = '$__range';

/** Dashboard variable filters (see variables.ts). `instance` carries the service selection. */
export const F = {
  instance: 'instance=~"$instance"',
  agent: 'gen_ai_agent_name=~"$agent"',
  model: 'gen_ai_request_model=~"$model"',
} as const;

export function sel(metric: string, ...matchers: string[]): string {
  const m = matchers.filter((x) => x !== '');
  return m.length === 0 ? metric : `${metric}{${m.join(', ')}}`;
}

export function rate(selector: string, window: string = RATE): string {
  return `rate(${selector}[${window}])`;
}

export function increase(selector: string, window: string = RANGE): string {
  return `increase(${selector}[${window}])`;
}

export function sumBy(labels: readonly string[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(', ')}) (${expr})`;
}

/** histogram_quantile over a histogram's buckets, aggregated by `by` (+ le). */
export function quantile(q: number, histogram: string, by: readonly string[], matchers: readonly string[], window: string = RATE): string {
  return `histogram_quantile(${q}, ${sumBy(['le', ...by], rate(sel(`${histogram}_bucket`, ...matchers), window))})`;
}

/** Calls per second of a histogram (its `_count`), aggregated by `by`. */
export function perSecond(histogram: string, by: readonly string[], matchers: readonly string[], window: string = RATE): string {
  return sumBy(by, rate(sel(`${histogram}_count`, ...matchers), window));
}

/**
 * Fraction of a histogram's observations that carry error_type, by `by`. Series without errors show 0 rather
 * than vanishing (the `or … * 0` arm), so a healthy model/agent still has a line.
 */
export function errorRatio(histogram: string, by: readonly string[], matchers: readonly string[], window: string = RATE): string {
  const all = perSecond(histogram, by, matchers, window);
  const failed = perSecond(histogram, by, [...matchers, 'error_type!=""'], window);
  return `(${failed} or ${all} * 0) / ${all}`;
}

/** `expr or vector(0)`: a stat that shows 0 instead of "No data" when nothing happened. */
export function orZero(expr: string): string {
  return `${expr} or vector(0)`;
}

/**
 * One histogram per agent.span.type (docs/metrics.md), with the label that names the agent doing the work. For
 * agent.communication that is the receiving agent of `process` spans (the send side is a quick publish and
 * would count every message twice).
 */
interface SpanTypeSource {
  readonly type: string;
  readonly histogram: string;
  readonly agentLabel: string;
  readonly matchers: readonly string[];
}

export const SPAN_TYPE_SOURCES: readonly SpanTypeSource[] = [
  { type: SPAN_TYPE.invocation, histogram: METRIC.invocationDuration, agentLabel: 'gen_ai_agent_name', matchers: [] },
  { type: SPAN_TYPE.aiRequest, histogram: METRIC.llmDuration, agentLabel: 'gen_ai_agent_name', matchers: [] },
  { type: SPAN_TYPE.tool, histogram: METRIC.toolDuration, agentLabel: 'gen_ai_agent_name', matchers: [] },
  { type: SPAN_TYPE.memory, histogram: METRIC.memoryDuration, agentLabel: 'gen_ai_agent_name', matchers: [] },
  { type: SPAN_TYPE.communication, histogram: METRIC.communicationDuration, agentLabel: 'target_agent', matchers: ['messaging_operation_type="process"'] },
];

/** Adds agent_span_type (constant) and, where the agent label differs, gen_ai_agent_name to a per-agent result. */
function labelled(source: SpanTypeSource, expr: string): string {
  let out = expr;
  if (source.agentLabel !== 'gen_ai_agent_name') out = `label_replace(${out}, "gen_ai_agent_name", "$1", "${source.agentLabel}", "(.*)")`;
  return `label_replace(${out}, "agent_span_type", "${source.type}", "", "")`;
}

/**
 * One expression over all span types: `shape(source, agentFilter)` builds the per-agent expression of one
 * source; the results are labelled and joined with `or` (their agent_span_type labels keep them apart).
 */
export function perSpanType(shape: (source: SpanTypeSource, agentMatcher: string) => string): string {
  return SPAN_TYPE_SOURCES.map((s) => labelled(s, shape(s, `${s.agentLabel}=~"$agent"`))).join('\nor\n');
}

/**
 * Template variables shared by the dashboards.
 *
 * Service selection. The OTel Prometheus exporter does not put resource attributes on the metric series: it
 * writes them once, as labels of `target_info` (service_name, service_version, …). `job` and `instance` come
 * from Prometheus' scrape config (one job, `agent-otel-bridge`, for every agent process; `instance` = the
 * target's host:port). So:
 *   $service  — visible, the OTel service.name values found in target_info (what Sentry shows too);
 *   $instance — hidden, the scrape targets whose target_info carries the selected service(s);
 * and every query filters `instance=~"$instance"`. The same holds when metrics arrive through an OTel
 * collector's Prometheus/remote-write exporter (job = service.name, instance = service.instance.id, and
 * target_info carries the same pair).
 */
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableHide, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';

/** Every panel and query reads from the dashboard's datasource variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

const ALL = { selected: true, text: 'All', value: '$__all' };

function labelValues(name: string, label: string, query: string): QueryVariableBuilder {
  const definition = `label_values(${query}, ${label})`;
  return new QueryVariableBuilder(name)
    .datasource(DATASOURCE)
    // A plain string: every Grafana version since 7 reads it (newer ones migrate it to their editor model).
    .query(definition)
    .definition(definition)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current(ALL);
}

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** `.*` as All value: series without the label (e.g. an ai.request outside any agent) still match. */
export function serviceVariable(): QueryVariableBuilder {
  return labelValues('service', 'service_name', METRIC.targetInfo).label('Service').allValue('.*');
}

/**
 * Hidden. No custom All value on purpose: "All" then expands to the list of this service's instances, which is
 * what filters the metrics when one service is selected.
 */
export function instanceVariable(): QueryVariableBuilder {
  return labelValues('instance', 'instance', `${METRIC.targetInfo}{service_name=~"$service"}`).label('Instance').hide(VariableHide.HideVariable);
}

/** Agents of the selected services: any histogram labelled with gen_ai_agent_name. */
export function agentVariable(): QueryVariableBuilder {
  const names = [METRIC.invocationDuration, METRIC.llmDuration, METRIC.toolDuration, METRIC.memoryDuration].map((m) => `${m}_count`);
  return labelValues('agent', 'gen_ai_agent_name', `{__name__=~"${names.join('|')}", instance=~"$instance"}`).label('Agent').allValue('.*');
}

export function modelVariable(): QueryVariableBuilder {
  return labelValues('model', 'gen_ai_request_model', `${METRIC.llmDuration}_count{instance=~"$instance", gen_ai_agent_name=~"$agent"}`)
    .label('Model')
    .allValue('.*');
}

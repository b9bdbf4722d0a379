/**
 * "Agent graph": agent → agent messages (agent.communication spans) as an edge table — volume, error ratio,
 * processing latency per (source_agent, target_agent) — plus the same per edge over time.
 *
 * An edge table rather than Grafana's node-graph panel: the node graph needs `nodes`/`edges` frames with
 * id/source/target fields, which Prometheus results only become through a chain of transformations that
 * differs between Grafana versions; the table is exact everywhere.
 *
 * Both ends of a message record a span (messaging_operation_type = send | process). Volume counts the send side
 * (once per message), latency is the receiving agent's processing time, errors count both sides.
 * $agent keeps the edges that start or end at the selected agent(s).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';
import { dashboard, mergeColumns, table, timeseries } from './panels.js';
import { F, perSecond, quantile, RANGE, rate, RATE, sel, sumBy } from './promql.js';
import { agentVariable, datasourceVariable, instanceVariable, serviceVariable } from './variables.js';

const EDGE = ['source_agent', 'target_agent'];
const EDGE_LEGEND = '{{source_agent}} → {{target_agent}}';
const SEND = 'messaging_operation_type="send"';
const PROCESS = 'messaging_operation_type="process"';

/** `build(agentMatcher)` once for edges from the agent, once for edges to it; `or` merges (identical sides dedupe). */
function touching(build: (agentMatcher: string) => string): string {
  return `${build('source_agent=~"$agent"')}\nor\n${build('target_agent=~"$agent"')}`;
}

const messages = (window: string): string => touching((a) => perSecond(METRIC.communicationDuration, EDGE, [F.instance, a, SEND], window));
const processingP95 = (window: string): string =>
  `histogram_quantile(0.95, ${touching((a) => sumBy(['le', ...EDGE], rate(sel(`${METRIC.communicationDuration}_bucket`, F.instance, a, PROCESS), window)))})`;

function edgeErrorRatio(window: string): string {
  const all = touching((a) => perSecond(METRIC.communicationDuration, EDGE, [F.instance, a], window));
  const failed = touching((a) => perSecond(METRIC.communicationDuration, EDGE, [F.instance, a, 'error_type!=""'], window));
  return `((${failed}) or (${all}) * 0) / (${all})`;
}

export function agentGraph(): DashboardBuilder {
  return dashboard({
    uid: 'aob-agent-graph',
    title: 'Agent graph',
    description: 'Agent-to-agent messages: volume, errors and latency per edge (source → target).',
    tags: ['agents'],
  })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withVariable(instanceVariable())
    .withVariable(agentVariable())
    .withRow(new RowBuilder('Edges'))
    .withPanel(
      table('Agent → agent edges in the range', [{ expr: messages(RANGE) }, { expr: edgeErrorRatio(RANGE) }, { expr: processingP95(RANGE) }], {
        description: 'One row per edge over the selected range: messages per second (send side), share of failed send/process spans, p95 processing time at the target.',
        transformations: mergeColumns(['messages /s', 'error ratio', 'p95 processing']),
        units: { 'messages /s': 'reqps', 'error ratio': 'percentunit', 'p95 processing': 's' },
        sortBy: 'messages /s',
        w: 24,
        h: 9,
      }),
    )
    .withRow(new RowBuilder('Per edge over time'))
    .withPanel(timeseries('Messages /s per edge', [{ expr: messages(RATE), legend: EDGE_LEGEND }], { unit: 'reqps', description: 'Messages sent per second on each edge.', w: 8, h: 8 }))
    .withPanel(timeseries('Error ratio per edge', [{ expr: edgeErrorRatio(RATE), legend: EDGE_LEGEND }], { unit: 'percentunit', min: 0, description: 'Share of failed send/process spans on each edge.', w: 8, h: 8 }))
    .withPanel(timeseries('p95 processing latency per edge', [{ expr: processingP95(RATE), legend: EDGE_LEGEND }], { unit: 's', description: 'p95 time the target agent spends processing a message of this edge.', w: 8, h: 8 }))
    .withRow(new RowBuilder('Agents'))
    .withPanel(
      timeseries('Invocations /s by agent', [{ expr: perSecond(METRIC.invocationDuration, ['gen_ai_agent_name'], [F.instance, F.agent]), legend: '{{gen_ai_agent_name}}' }], {
        unit: 'reqps',
        description: 'invoke_agent spans per second: the nodes of the graph.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('p95 invocation latency by agent', [{ expr: quantile(0.95, METRIC.invocationDuration, ['gen_ai_agent_name'], [F.instance, F.agent]), legend: '{{gen_ai_agent_name}}' }], {
        unit: 's',
        description: '95th percentile agent invocation duration.',
        w: 12,
        h: 8,
      }),
    );
}

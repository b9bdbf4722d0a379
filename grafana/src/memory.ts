/**
 * "Memory": agent memory operations (memory.operation spans) by store — latency, traffic, errors and hit ratio.
 *
 * Hit ratio: a read (search / get) hits when it returns at least one result. agent_memory_results is a
 * histogram whose first bucket boundary is 0, so its `le="0"` bucket counts the misses:
 *   hit ratio = 1 − rate(results_bucket{le="0"}) / rate(results_count).
 * agent_memory_results carries no agent label (docs/metrics.md), so the $agent filter does not apply to it.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';
import { dashboard, stat, threshold, timeseries } from './panels.js';
import { errorRatio, F, perSecond, quantile, rate, sel, sumBy } from './promql.js';
import { agentVariable, datasourceVariable, instanceVariable, serviceVariable } from './variables.js';

const FILTERS = [F.instance, F.agent];
const STORE_OP = ['agent_memory_store', 'agent_memory_operation'];
const STORE_OP_LEGEND = '{{agent_memory_store}} {{agent_memory_operation}}';
const READS = 'agent_memory_operation=~"search|get"';

function hitRatio(by: string[]): string {
  const misses = sumBy(by, rate(sel(`${METRIC.memoryResults}_bucket`, F.instance, READS, 'le="0"')));
  const reads = sumBy(by, rate(sel(`${METRIC.memoryResults}_count`, F.instance, READS)));
  return `1 - (${misses} / ${reads})`;
}

export function memory(): DashboardBuilder {
  return dashboard({
    uid: 'aob-memory',
    title: 'Memory',
    description: 'Agent memory operations by store: latency, errors, hit ratio of reads.',
    tags: ['memory'],
  })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withVariable(instanceVariable())
    .withVariable(agentVariable())
    .withRow(new RowBuilder('Summary'))
    .withPanel(stat('Memory operations /s', { expr: perSecond(METRIC.memoryDuration, [], FILTERS) }, { unit: 'ops', description: 'search / get / put / delete per second.', w: 6, h: 4 }))
    .withPanel(
      stat('Memory error ratio', { expr: errorRatio(METRIC.memoryDuration, [], FILTERS) }, {
        unit: 'percentunit',
        description: 'Share of memory operations that failed.',
        thresholds: [threshold(null, 'green'), threshold(0.01, 'orange'), threshold(0.05, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Read hit ratio', { expr: hitRatio([]) }, {
        unit: 'percentunit',
        description: 'Reads (search, get) that returned at least one result, all stores. Not filtered by agent.',
        thresholds: [threshold(null, 'red'), threshold(0.5, 'orange'), threshold(0.8, 'green')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(stat('p95 latency', { expr: quantile(0.95, METRIC.memoryDuration, [], FILTERS) }, { unit: 's', description: '95th percentile memory operation duration.', w: 6, h: 4 }))
    .withRow(new RowBuilder('Latency and traffic'))
    .withPanel(
      timeseries(
        'Latency by store and operation',
        [
          { expr: quantile(0.5, METRIC.memoryDuration, STORE_OP, FILTERS), legend: `p50 ${STORE_OP_LEGEND}` },
          { expr: quantile(0.95, METRIC.memoryDuration, STORE_OP, FILTERS), legend: `p95 ${STORE_OP_LEGEND}` },
          { expr: quantile(0.99, METRIC.memoryDuration, STORE_OP, FILTERS), legend: `p99 ${STORE_OP_LEGEND}` },
        ],
        { unit: 's', description: 'p50 / p95 / p99 of agent_memory_operation_duration_seconds.', w: 12, h: 9 },
      ),
    )
    .withPanel(
      timeseries('Operations /s by store and operation', [{ expr: perSecond(METRIC.memoryDuration, STORE_OP, FILTERS), legend: STORE_OP_LEGEND }], {
        unit: 'ops',
        stacked: true,
        description: 'Memory operations per second.',
        w: 12,
        h: 9,
      }),
    )
    .withRow(new RowBuilder('Hits and errors'))
    .withPanel(
      timeseries('Hit ratio by store', [{ expr: hitRatio(['agent_memory_store']), legend: '{{agent_memory_store}}' }], {
        unit: 'percentunit',
        min: 0,
        max: 1,
        description: 'Share of reads (search, get) returning ≥ 1 result: 1 − le="0" bucket / count of agent_memory_results. Not filtered by agent.',
        w: 8,
        h: 8,
      }),
    )
    .withPanel(
      timeseries(
        'Results per read by store',
        [
          {
            expr: `${sumBy(['agent_memory_store'], rate(sel(`${METRIC.memoryResults}_sum`, F.instance, READS)))} / ${sumBy(['agent_memory_store'], rate(sel(`${METRIC.memoryResults}_count`, F.instance, READS)))}`,
            legend: '{{agent_memory_store}}',
          },
        ],
        { unit: 'short', description: 'Average number of results a read returns.', w: 8, h: 8 },
      ),
    )
    .withPanel(
      timeseries('Errors /s by store and error type', [{ expr: perSecond(METRIC.memoryDuration, ['agent_memory_store', 'error_type'], [...FILTERS, 'error_type!=""']), legend: '{{agent_memory_store}} {{error_type}}' }], {
        unit: 'short',
        stacked: true,
        description: 'Failed memory operations per second.',
        w: 8,
        h: 8,
      }),
    );
}

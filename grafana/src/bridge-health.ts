/**
 * "Bridge health": is the bridge itself doing its job — spans exported / dropped / failed per exporter, Sentry
 * events sent / dropped / filtered, event-loop delay and memory of each process, and whether Prometheus can scrape it.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';
import { dashboard, mergeColumns, stat, table, threshold, timeseries } from './panels.js';
import { F, increase, orZero, rate, sel, sumBy } from './promql.js';
import { datasourceVariable, instanceVariable, serviceVariable } from './variables.js';

const spans = (...m: string[]): string => sel(METRIC.bridgeSpans, F.instance, ...m);
const sentry = (...m: string[]): string => sel(METRIC.sentryEvents, F.instance, ...m);
const BAD_SPANS = 'outcome=~"dropped|failed"';

export function bridgeHealth(): DashboardBuilder {
  return dashboard({
    uid: 'aob-bridge-health',
    title: 'Bridge health',
    description: 'agent-otel-bridge self-monitoring: span export outcomes, Sentry events, scrape health.',
    tags: ['bridge'],
  })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withVariable(instanceVariable())
    .withRow(new RowBuilder('Summary'))
    .withPanel(
      stat('Targets down', { expr: orZero(`count(${sel(METRIC.up, F.instance)} == 0)`) }, {
        unit: 'short',
        description: 'Scrape targets of the selected services whose last scrape failed (up == 0).',
        thresholds: [threshold(null, 'green'), threshold(1, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Spans exported /s', { expr: orZero(sumBy([], rate(spans('outcome="exported"')))) }, { unit: 'short', description: 'Sampled spans accepted by the exporters.', w: 6, h: 4 }),
    )
    .withPanel(
      stat('Span loss ratio', { expr: `(${sumBy([], rate(spans(BAD_SPANS)))} or vector(0)) / ${sumBy([], rate(spans()))}` }, {
        unit: 'percentunit',
        description: 'Dropped (queue full, after shutdown) + failed (exporter error) spans over all spans handed to exporters.',
        thresholds: [threshold(null, 'green'), threshold(0.001, 'orange'), threshold(0.01, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Sentry events dropped in the range', { expr: orZero(sumBy([], increase(sentry('outcome="dropped"')))) }, {
        unit: 'short',
        description: 'Error events Sentry never received (transport failure, rate limit, full queue).',
        thresholds: [threshold(null, 'green'), threshold(1, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withRow(new RowBuilder('Spans'))
    .withPanel(
      timeseries('Spans /s by outcome and exporter', [{ expr: sumBy(['exporter', 'outcome'], rate(spans())), legend: '{{exporter}} {{outcome}}' }], {
        unit: 'short',
        description: 'agent_bridge_spans_total: exported / dropped / failed per exporter (sentry, otlp …).',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Dropped and failed spans /s', [{ expr: sumBy(['exporter', 'outcome'], rate(spans(BAD_SPANS))), legend: '{{exporter}} {{outcome}}' }], {
        unit: 'short',
        stacked: true,
        description: 'Spans lost on the way out. dropped: the batch queue was full (raise OTEL_BSP_MAX_QUEUE_SIZE or check the exporter); failed: the exporter returned an error.',
        w: 12,
        h: 8,
      }),
    )
    .withRow(new RowBuilder('Runtime'))
    .withPanel(
      timeseries('Event-loop delay p99', [{ expr: `max by (instance) (${sel(METRIC.eventLoopDelayP99, F.instance)})`, legend: '{{instance}}' }], {
        unit: 's',
        description:
          'nodejs_eventloop_delay_p99 (@opentelemetry/instrumentation-runtime-node): p99 of how late the event loop ran timers since the previous scrape. Alert AgentEventLoopDelayHigh above 500 ms for 5 m.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Resident memory (RSS)', [{ expr: `max by (instance) (${sel(METRIC.processMemory, F.instance)})`, legend: '{{instance}}' }], {
        unit: 'bytes',
        description: 'process_memory_usage: resident set size of each process. Alert AgentMemoryGrowing when it keeps climbing (1.5 × its 2 h low and rising for 30 m).',
        w: 12,
        h: 8,
      }),
    )
    .withRow(new RowBuilder('Sentry and scraping'))
    .withPanel(
      timeseries('Sentry events /s by outcome', [{ expr: sumBy(['outcome'], rate(sentry())), legend: '{{outcome}}' }], {
        unit: 'short',
        stacked: true,
        description: 'agent_bridge_sentry_events_total: sent / dropped / filtered (beforeSend, operational errors, sampling).',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Scrape up by target', [{ expr: sel(METRIC.up, F.instance), legend: '{{job}} {{instance}}' }], {
        unit: 'short',
        min: 0,
        max: 1,
        description: 'Prometheus `up` of each scrape target (1 = last scrape succeeded).',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      table(
        'Bridged processes',
        [{ expr: `max by (job, instance, service_name, service_version, deployment_environment_name) (${sel(METRIC.targetInfo, F.instance)})` }],
        {
          description: 'One row per scrape target, with its OTel resource attributes (target_info).',
          transformations: mergeColumns([], ['Value', 'Value #A']), // the value is always 1: show the labels only
          w: 24,
          h: 7,
        },
      ),
    );
}

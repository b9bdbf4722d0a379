/**
 * Panel and dashboard building blocks on top of @grafana/grafana-foundation-sdk, with this project's defaults:
 * the datasource variable on every panel and query, code-mode PromQL, visible legends, multi-series tooltips.
 *
 * Dashboards use the SDK's classic (schema v1) DashboardBuilder on purpose: it is the JSON model that a stock
 * Grafana's file provisioning loads without feature flags (the v2 schema needs Grafana 12's new APIs).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DataTransformerConfig,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat, QueryEditorMode } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE } from './variables.js';

/** Tag shared by the dashboards: the dashboard links and the provisioning folder find them by it. */
export const TAG = 'agent-otel-bridge';

const REF_IDS = 'ABCDEFGHIJ';

export interface Query {
  expr: string;
  legend?: string;
}

function target(query: Query, index: number, kind: 'range' | 'instant-table' | 'instant'): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .editorMode(QueryEditorMode.Code)
    .refId(REF_IDS[index] ?? `Q${index}`)
    .expr(query.expr);
  if (query.legend !== undefined) b.legendFormat(query.legend);
  if (kind === 'range') b.range();
  else b.instant();
  if (kind === 'instant-table') b.format(PromQueryFormat.Table);
  return b;
}

export interface Size {
  /** Width in grid columns (24 = full width). */
  w: number;
  h: number;
}

export interface TimeseriesOptions extends Size {
  unit: string;
  description: string;
  min?: number;
  max?: number;
  stacked?: boolean;
}

export function timeseries(title: string, queries: Query[], o: TimeseriesOptions): TimeseriesPanelBuilder {
  const b = new TimeseriesPanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.w)
    .height(o.h)
    .lineWidth(1)
    .fillOpacity(o.stacked ? 30 : 8)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).calcs([]))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  queries.forEach((q, i) => b.withTarget(target(q, i, 'range')));
  return b;
}

export interface StatOptions extends Size {
  unit: string;
  description: string;
  /** Absolute thresholds: [green below the first value, then each colour from its value on]. */
  thresholds?: Threshold[];
}

export function stat(title: string, query: Query, o: StatOptions): StatPanelBuilder {
  const b = new StatPanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.w)
    .height(o.h)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(o.thresholds ?? [{ value: null, color: 'green' }]))
    .withTarget(target(query, 0, 'range'));
  return b;
}

export interface TableOptions extends Size {
  description: string;
  transformations?: DataTransformerConfig[];
  /** Unit per value column, by its display name (after the organize transformation). */
  units?: Record<string, string>;
  sortBy?: string;
}

/** A table of instant queries (format=table), one column per query, joined on their labels. */
export function table(title: string, queries: Query[], o: TableOptions): TablePanelBuilder {
  const b = new TablePanelBuilder().title(title).description(o.description).datasource(DATASOURCE).span(o.w).height(o.h);
  queries.forEach((q, i) => b.withTarget(target(q, i, 'instant-table')));
  for (const t of o.transformations ?? []) b.withTransformation(t);
  if (o.units) {
    b.overrides(Object.entries(o.units).map(([name, unit]) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'unit', value: unit }] })));
  }
  if (o.sortBy !== undefined) b.sortBy([new common.TableSortByFieldStateBuilder().displayName(o.sortBy).desc(true)]);
  return b;
}

/**
 * Table transformations for N instant queries: merge the frames on their labels, drop Time, and name each
 * query's `Value #<refId>` column.
 */
export function mergeColumns(columns: string[], hide: string[] = []): DataTransformerConfig[] {
  const renameByName: Record<string, string> = {};
  columns.forEach((c, i) => (renameByName[`Value #${REF_IDS[i]}`] = c));
  // Grafana names the value column plain "Value" when the panel has a single query.
  if (columns.length === 1 && columns[0] !== undefined) renameByName.Value = columns[0];
  const excludeByName: Record<string, boolean> = { Time: true };
  for (const h of hide) excludeByName[h] = true;
  return [
    { id: 'merge', options: {} },
    { id: 'organize', options: { excludeByName, renameByName, indexByName: {} } },
  ];
}

export const threshold = (value: number | null, color: string): Threshold => ({ value, color });

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags?: string[];
}

/** A dashboard with the project's defaults: 1 h range, 30 s refresh, shared crosshair, links to its siblings. */
export function dashboard(spec: DashboardSpec): DashboardBuilder {
  return new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG, ...(spec.tags ?? [])])
    .editable()
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .annotation(
      new AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .type('dashboard'),
    )
    .link(new DashboardLinkBuilder('Agent OTel Bridge').type(DashboardLinkType.Dashboards).tags([TAG]).asDropdown(true).includeVars(true).keepTime(true));
}

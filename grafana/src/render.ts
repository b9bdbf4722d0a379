/**
 * Dashboards → their committed JSON, deterministically: builder output, panel ids numbered in order, object
 * keys sorted recursively (so SDK upgrades that reorder fields do not churn the files), 2-space indent and a
 * trailing newline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { agentGraph } from './agent-graph.js';
import { agentsOverview } from './agents-overview.js';
import { bridgeHealth } from './bridge-health.js';
import { llm } from './llm.js';
import { memory } from './memory.js';

/** File name (in grafana/dashboards/) → dashboard. */
export const DASHBOARDS: ReadonlyArray<readonly [string, () => DashboardBuilder]> = [
  ['agents-overview.json', agentsOverview],
  ['llm.json', llm],
  ['memory.json', memory],
  ['agent-graph.json', agentGraph],
  ['bridge-health.json', bridgeHealth],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json);
    return out;
  }
  return value;
}

/** Grafana wants unique panel ids; the builder leaves them unset (rows get 0). */
function numberPanels(dashboard: { [key: string]: Json }): void {
  let next = 1;
  const visit = (panels: Json | undefined): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) continue;
      p.id = next++;
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
}

export function renderDashboard(builder: DashboardBuilder): string {
  // JSON round trip first: drops the SDK's marker methods and undefined fields exactly as JSON.stringify would.
  const plain = JSON.parse(JSON.stringify(builder.build())) as { [key: string]: Json };
  numberPanels(plain);
  return `${JSON.stringify(sortKeys(plain), null, 2)}\n`;
}

/** File name → JSON text of every dashboard. */
export function renderAll(): Map<string, string> {
  return new Map(DASHBOARDS.map(([file, make]) => [file, renderDashboard(make())]));
}

/** Writes every dashboard into `dir`; returns the paths written. */
export function writeAll(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of renderAll()) {
    const path = join(dir, file);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

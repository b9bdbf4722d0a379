// The PrometheusRule and the dashboards ConfigMap mirror what is committed under grafana/ — both in the generated
// files (byte-for-byte: `npm run k8s:generate` was run) and in what kustomize finally renders (deep-equal).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DASHBOARD_SIDECAR_LABEL,
  DASHBOARDS_CONFIGMAP_FILE,
  PROMETHEUS_RULE_FILE,
  readDashboards,
  renderAll,
  renderDashboardsConfigMap,
  renderPrometheusRule,
  RULES_FILE,
} from '../../k8s/generate.js';
import { kustomize, one, REPO_ROOT } from './kustomize.js';

const committedGroups = (): unknown => (parse(readFileSync(join(REPO_ROOT, RULES_FILE), 'utf8')) as { groups: unknown }).groups;
const committedDashboards = (): Record<string, string> =>
  Object.fromEntries(readDashboards().map((d) => [d.name, d.text]));

describe('generated monitoring files', () => {
  it.each([PROMETHEUS_RULE_FILE, DASHBOARDS_CONFIGMAP_FILE])('%s is up to date with grafana/ (npm run k8s:generate)', (file) => {
    const expected = renderAll().get(file);
    expect(readFileSync(join(REPO_ROOT, file), 'utf8'), `${file} is stale: run \`npm run k8s:generate\``).toBe(expected);
  });

  it('the generator rejects a rule file without groups and an invalid dashboard', () => {
    expect(() => renderPrometheusRule('rules: []\n')).toThrow(/non-empty top-level "groups:"/);
    expect(() => renderDashboardsConfigMap([{ name: 'a.json', text: '{nope' }])).toThrow(/a\.json: invalid JSON/);
    expect(() => renderDashboardsConfigMap([{ name: 'a b.json', text: '{}' }])).toThrow(/not a valid ConfigMap key/);
  });

  it('a changed rule file changes the generated PrometheusRule (the staleness check can fail)', () => {
    const original = readFileSync(join(REPO_ROOT, RULES_FILE), 'utf8');
    const changed = original.replace(/groups:/, 'groups:\n  - name: injected\n    rules: []');
    expect(renderPrometheusRule(changed)).not.toBe(renderPrometheusRule(original));
  });
});

describe('rendered monitoring objects', () => {
  it.each(['k8s/base', 'k8s/overlays/staging', 'k8s/overlays/production'])(
    '%s: PrometheusRule groups deep-equal grafana/alerts/agent-bridge.rules.yml',
    (dir) => {
      const rule = one(kustomize(dir), 'PrometheusRule', 'agent-otel-bridge');
      expect(rule.spec.groups).toEqual(committedGroups());
    },
  );

  it('the ServiceMonitor gives every agent the Prometheus job that the alert rules select', () => {
    const objects = kustomize('k8s/overlays/staging');
    const monitor = one(objects, 'ServiceMonitor', 'agent-otel-bridge');
    const selector = monitor.spec.selector.matchLabels as Record<string, string>;
    const scraped = objects.filter(
      (o) => o.kind === 'Service' && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    expect(scraped.map((s) => s.metadata.name).sort()).toEqual(['planner', 'researcher', 'writer']);
    // Prometheus Operator: job = value of the Service label named by jobLabel, else the Service name.
    const jobs = new Set(scraped.map((s) => (monitor.spec.jobLabel && s.metadata.labels?.[monitor.spec.jobLabel]) || s.metadata.name));
    expect(jobs.size, 'one job for all agents, as the dashboards aggregate by job').toBe(1);
    const rules = readFileSync(join(REPO_ROOT, RULES_FILE), 'utf8');
    for (const m of rules.matchAll(/\bjob\s*=\s*"([^"]+)"/g)) expect([...jobs]).toContain(m[1]);
  });

  it.each(['k8s/base', 'k8s/overlays/staging', 'k8s/overlays/production'])(
    '%s: dashboards ConfigMap holds exactly the committed grafana/dashboards/*.json, sidecar-labelled',
    (dir) => {
      const configMaps = kustomize(dir).filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
      expect(configMaps).toHaveLength(1);
      const cm = configMaps[0]!;
      expect(cm.metadata.labels).toMatchObject(DASHBOARD_SIDECAR_LABEL);
      expect(cm.data).toEqual(committedDashboards());
      for (const text of Object.values(cm.data as Record<string, string>)) expect(() => JSON.parse(text)).not.toThrow();
    },
  );
});

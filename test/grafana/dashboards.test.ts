// Dashboards as code: the committed JSON is exactly what the generator writes (in-process and through the
// npm script), the dashboards are well-formed for a stock Grafana, the provisioning files are loadable, and
// every metric / label a query names exists (grafana/src/metrics.ts = docs/metrics.md, cross-checked
// with what span-metrics emits, src/metrics/catalog.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labelsOf, METRICS, seriesIndex } from '../../grafana/src/metrics.js';
import { METRIC_NODEJS_EVENTLOOP_DELAY_P99, METRIC_PROCESS_MEMORY_USAGE } from '@opentelemetry/semantic-conventions/incubating';
import { DASHBOARDS, renderAll, writeAll } from '../../grafana/src/render.js';
import { METRICS as EMITTED } from '../../src/metrics/catalog.js';
import {
  createdLabelsIn,
  dashboardQueries,
  groupingLabelsIn,
  labelReplaceSourcesIn,
  metricNamesIn,
  panelsOf,
  parseLabelValues,
  ruleExprs,
  selectorsIn,
  variableQueries,
} from './promql-inspect.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DASHBOARD_DIR = join(ROOT, 'grafana', 'dashboards');
const RULES = join(ROOT, 'grafana', 'alerts', 'agent-bridge.rules.yml');
const temps: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'grafana-gen-'));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

type Dashboard = { uid: string; title: string; panels: unknown[]; templating: { list: Array<Record<string, unknown>> } } & Record<string, unknown>;
const committed = (file: string): Dashboard => JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard;

describe('generated dashboards', () => {
  it('regenerating into a temp dir reproduces the committed JSON byte for byte', () => {
    const dir = tempDir();
    const written = writeAll(dir);
    expect(written).toHaveLength(DASHBOARDS.length);
    for (const [file] of DASHBOARDS) {
      const fresh = readFileSync(join(dir, file));
      const onDisk = readFileSync(join(DASHBOARD_DIR, file));
      expect(fresh.equals(onDisk), `${file} differs from a fresh generation: run \`npm run grafana:generate\``).toBe(true);
    }
  });

  it('the npm script (tsc + node) writes the same bytes', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts['grafana:generate'];
    expect(script).toBeDefined();
    const dir = tempDir();
    const env = { ...process.env, PATH: [join(ROOT, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter) };
    const r = spawnSync('sh', ['-c', `${script} --out "$OUT_DIR"`], { cwd: ROOT, env: { ...env, OUT_DIR: dir }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(DASHBOARDS.map(([f]) => f).sort());
    for (const [file] of DASHBOARDS) expect(readFileSync(join(dir, file)).equals(readFileSync(join(DASHBOARD_DIR, file))), file).toBe(true);
  });

  it('output is canonical: sorted keys, 2-space indent, trailing newline, stable across runs', () => {
    const a = renderAll();
    const b = renderAll();
    for (const [file, text] of a) {
      expect(text, file).toBe(b.get(file));
      expect(text.endsWith('}\n'), file).toBe(true);
      expect(text, file).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      const keysSorted = (v: unknown): boolean =>
        Array.isArray(v)
          ? v.every(keysSorted)
          : v !== null && typeof v === 'object'
            ? Object.keys(v).every((k, i, ks) => i === 0 || (ks[i - 1] ?? '') < k) && Object.values(v).every(keysSorted)
            : true;
      expect(keysSorted(JSON.parse(text)), file).toBe(true);
    }
  });

  it('has the five dashboards of issue 9 with unique uids and the shared tag', () => {
    const titles = DASHBOARDS.map(([f]) => committed(f).title);
    expect(titles).toEqual(['Agents overview', 'LLM', 'Memory', 'Agent graph', 'Bridge health']);
    const uids = DASHBOARDS.map(([f]) => committed(f).uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const [f] of DASHBOARDS) expect(committed(f).tags, f).toContain('agent-otel-bridge');
  });

  it.each(DASHBOARDS.map(([f]) => f))('%s: datasource variable, service/instance variables, every panel and query on ${datasource}', (file) => {
    const d = committed(file);
    const vars = d.templating.list;
    const ds = vars.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.map((v) => v.name)).toEqual(expect.arrayContaining(['datasource', 'service', 'instance']));
    for (const v of vars.filter((x) => x.type === 'query')) {
      expect(v.datasource, `${file} $${String(v.name)}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      parseLabelValues(String(v.query));
    }
    const panels = panelsOf(d as never) as Array<Record<string, any>>;
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size, 'unique panel ids').toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, `${file}/${p.title} fits the 24-column grid`).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource, `${file}/${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets.length, `${file}/${p.title} has queries`).toBeGreaterThan(0);
      const refIds = p.targets.map((t: { refId: string }) => t.refId);
      expect(new Set(refIds).size, `${file}/${p.title} refIds`).toBe(refIds.length);
      for (const t of p.targets) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(typeof t.expr === 'string' && t.expr.length > 0).toBe(true);
      }
    }
  });

  it('agent and model variables exist where the issue asks for them', () => {
    const names = (f: string): unknown[] => committed(f).templating.list.map((v) => v.name);
    expect(names('agents-overview.json')).toContain('agent');
    expect(names('llm.json')).toEqual(expect.arrayContaining(['agent', 'model']));
    expect(names('memory.json')).toContain('agent');
    expect(names('agent-graph.json')).toContain('agent');
  });
});

describe('metric contract', () => {
  const index = seriesIndex();
  const queries = [
    ...DASHBOARDS.flatMap(([f]) => dashboardQueries(f, committed(f) as never).map((q) => ({ where: `${f} / ${q.panel} / ${q.refId}`, expr: q.expr }))),
    ...DASHBOARDS.flatMap(([f]) => variableQueries(f, committed(f) as never).map((v) => ({ where: `${f} / $${v.name}`, expr: parseLabelValues(v.query).selector }))),
    ...ruleExprs(readFileSync(RULES, 'utf8')).map((r) => ({ where: `rules / ${r.name}`, expr: r.expr })),
  ];

  it('finds the queries', () => {
    expect(queries.length).toBeGreaterThan(50);
  });

  it('every metric a dashboard or rule reads is in docs/metrics.md (+ up, target_info) with Prometheus suffixes', () => {
    const unknown = queries.flatMap((q) => metricNamesIn(q.expr).filter((n) => !index.has(n)).map((n) => `${q.where}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it('every label a selector matches on exists on that metric', () => {
    const bad: string[] = [];
    for (const q of queries) {
      for (const s of selectorsIn(q.expr)) {
        for (const name of s.names) {
          const metric = index.get(name);
          if (!metric) continue; // reported by the previous test
          const allowed = labelsOf(metric, name);
          for (const l of s.labels) if (!allowed.includes(l)) bad.push(`${q.where}: ${name} has no label ${l}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('every label used in by / on / label_replace exists on a metric of the expression (or is created by label_replace)', () => {
    const bad: string[] = [];
    for (const q of queries) {
      const names = metricNamesIn(q.expr);
      const available = new Set([...names.flatMap((n) => (index.has(n) ? labelsOf(index.get(n)!, n) : [])), ...createdLabelsIn(q.expr)]);
      for (const l of [...groupingLabelsIn(q.expr), ...labelReplaceSourcesIn(q.expr)]) if (!available.has(l)) bad.push(`${q.where}: ${l}`);
    }
    expect(bad).toEqual([]);
  });

  it('every metric of the contract is shown on some dashboard', () => {
    const used = new Set(queries.filter((q) => !q.where.startsWith('rules')).flatMap((q) => metricNamesIn(q.expr)));
    const missing = METRICS.filter((m) => ![...index].some(([series, metric]) => metric === m && used.has(series))).map((m) => m.name);
    expect(missing).toEqual([]);
  });

  // The emitting side: span-metrics + self-metrics name their series in src/metrics/catalog.ts.
  const emitted = new Set(Object.values(EMITTED).map((m) => (m.kind === 'counter' ? `${m.prometheus}_total` : m.prometheus)));

  it('every bridge metric the dashboards and rules read is emitted by span-metrics / self-metrics (src/metrics/catalog.ts)', () => {
    const bridge = METRICS.filter((m) => m.origin === 'design' || m.origin === 'addition').map((m) => m.name);
    expect(bridge.filter((n) => !emitted.has(n))).toEqual([]);
  });

  // The runtime gauges come from the runtime instrumentation and src/metrics/process-metrics.ts under their semconv
  // names; test/e2e/runtime-health.test.ts scrapes them from a real bridged process.
  it('the runtime gauges are the semconv metric names the bridge registers', () => {
    const runtime = METRICS.filter((m) => m.origin === 'runtime').map((m) => m.name);
    expect(runtime).toEqual([METRIC_NODEJS_EVENTLOOP_DELAY_P99, METRIC_PROCESS_MEMORY_USAGE].map((name) => name.replaceAll('.', '_')));
  });
});

describe('provisioning', () => {
  it('datasource file: one default Prometheus datasource', () => {
    const doc = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8')) as { apiVersion: number; datasources: Array<Record<string, any>> };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toHaveLength(1);
    expect(doc.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy', isDefault: true });
    expect(String(doc.datasources[0]?.url)).toMatch(/^https?:\/\//);
  });

  it('dashboard provider: a file provider pointing at the documented path', () => {
    const doc = parse(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/agent-otel-bridge.yaml'), 'utf8')) as { apiVersion: number; providers: Array<Record<string, any>> };
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    const p = doc.providers[0] ?? {};
    expect(p).toMatchObject({ type: 'file', orgId: 1 });
    expect(typeof p.options?.path).toBe('string');
    expect(readFileSync(join(ROOT, 'grafana/README.md'), 'utf8')).toContain(p.options.path);
  });
});

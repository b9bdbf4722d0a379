// Every PromQL expression of the dashboards and the alert rules, executed through a real Prometheus HTTP API
// over realistic data: the OpenMetrics fixture (test/grafana/fixture-metrics.ts) backfilled with promtool.
// Variables are resolved as Grafana resolves them (label_values → /api/v1/label/…/values, in dashboard order);
// then each panel query must run without error and return data, and each rule expression must run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesIndex } from '../../grafana/src/metrics.js';
import { DASHBOARDS } from '../../grafana/src/render.js';
import { generateFixture, type Fixture } from './fixture-metrics.js';
import { startBackfilledPrometheus, type BackfilledPrometheus } from './prometheus-backfill.js';
import { dashboardQueries, escapeRegex, interpolate, leftoverVariables, parseLabelValues, ruleExprs, variableQueries, type VariableQuery } from './promql-inspect.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES = join(ROOT, 'grafana', 'alerts', 'agent-bridge.rules.yml');
const STEP = 60;
/** Grafana's built-ins for a 1 h dashboard range over 60 s scrapes ($__rate_interval = 4 × scrape interval). */
const BUILTINS = { __rate_interval: '4m', __interval: '1m', __range: '1h', __range_s: '3600' };

const dashboards = DASHBOARDS.map(([file]) => [file, JSON.parse(readFileSync(join(ROOT, 'grafana', 'dashboards', file), 'utf8'))] as const);
const panelQueries = dashboards.flatMap(([file, d]) => dashboardQueries(file, d));
const variables = new Map<string, VariableQuery[]>(dashboards.map(([file, d]) => [file, variableQueries(file, d)]));
const rules = ruleExprs(readFileSync(RULES, 'utf8'));

describe('dashboards and rules on a real Prometheus (backfilled fixture)', () => {
  let prom: BackfilledPrometheus | undefined;
  let fixture: Fixture;
  /** Per dashboard: variable values with everything selected ("All") and with each variable's first value. */
  const resolved = new Map<string, { all: Record<string, string>; first: Record<string, string> }>();

  const api = (): BackfilledPrometheus => {
    if (!prom) throw new Error('prometheus did not start');
    return prom;
  };

  async function resolve(file: string, mode: 'all' | 'first'): Promise<Record<string, string>> {
    const values: Record<string, string> = { ...BUILTINS };
    for (const v of variables.get(file) ?? []) {
      const { selector, label } = parseLabelValues(interpolate(v.query, values));
      const r = await api().labelValues(label, selector, fixture.end - 3600, fixture.end);
      if (!r.ok) throw new Error(`${file} $${v.name}: ${r.error}`);
      const found = r.data ?? [];
      if (found.length === 0) throw new Error(`${file} $${v.name}: label_values(${selector}, ${label}) found nothing`);
      // Grafana: the custom All value if set, else the regex of every value; one value → itself, escaped.
      values[v.name] = mode === 'all' ? (v.allValue ?? `(${found.map(escapeRegex).join('|')})`) : escapeRegex(found[0] ?? '');
    }
    return values;
  }

  beforeAll(async () => {
    // The last sample a minute ago: Prometheus keeps the blocks (retention counts from now) and queries at
    // fixture.end see the data as fresh.
    fixture = generateFixture({ end: Math.floor(Date.now() / 1000 / STEP) * STEP - STEP, step: STEP, duration: 9000 });
    prom = await startBackfilledPrometheus({ openMetrics: fixture.text, ruleFiles: [RULES] });
    for (const [file] of dashboards) resolved.set(file, { all: await resolve(file, 'all'), first: await resolve(file, 'first') });
  }, 240_000);

  afterAll(async () => {
    await prom?.stop();
  });

  it('the fixture holds every series of the metric contract', async () => {
    const missing: string[] = [];
    for (const series of seriesIndex().keys()) {
      const r = await api().query(`count(${series})`, fixture.end);
      if (!r.ok || (r.data ?? []).length === 0) missing.push(series);
    }
    expect(missing).toEqual([]);
  });

  it('every variable query returns values (service → instance → agent → model)', () => {
    for (const [file, vars] of variables) {
      const all = resolved.get(file)?.all ?? {};
      for (const v of vars) expect(all[v.name], `${file} $${v.name}`).toBeTruthy();
    }
    expect(resolved.get('llm.json')?.all.instance).toBe(`(${fixture.instances.join('|')})`);
  });

  it.each(panelQueries.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q] as const))('%s: runs and returns data', async (_name, q) => {
    const values = resolved.get(q.dashboard)?.all ?? {};
    const expr = interpolate(q.expr, values);
    expect(leftoverVariables(expr), expr).toEqual([]);

    const instant = await api().query(expr, fixture.end);
    expect(instant.error, expr).toBeUndefined();
    const samples = instant.data ?? [];
    expect(samples.length, `no data: ${expr}`).toBeGreaterThan(0);
    expect(
      samples.some((s) => Number.isFinite(s.value)),
      `only NaN/Inf: ${expr}`,
    ).toBe(true);

    if (!q.instant) {
      const range = await api().queryRange(expr, fixture.end - 3600, fixture.end, STEP);
      expect(range.error, expr).toBeUndefined();
      expect((range.data ?? []).length, `no range data: ${expr}`).toBeGreaterThan(0);
    }
  });

  it('with one value picked for every variable, every panel query still runs without error', async () => {
    const errors: string[] = [];
    for (const q of panelQueries) {
      const expr = interpolate(q.expr, resolved.get(q.dashboard)?.first ?? {});
      const r = await api().query(expr, fixture.end);
      if (!r.ok) errors.push(`${q.dashboard} / ${q.panel}: ${r.error}`);
    }
    expect(errors).toEqual([]);
  });

  it.each(rules.map((r) => [r.name, r] as const))('rule %s: its expression runs without error', async (_name, r) => {
    const res = await api().query(r.expr, fixture.end);
    expect(res.error, r.expr).toBeUndefined();
  });

  it('Prometheus loads the rule file and evaluates every rule without error', async () => {
    let last: Awaited<ReturnType<BackfilledPrometheus['rules']>> = [];
    for (let i = 0; i < 60; i++) {
      last = await api().rules();
      if (last.length === rules.length && last.every((r) => r.health !== 'unknown')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last.map((r) => r.name).sort()).toEqual(rules.map((r) => r.name).sort());
    expect(last.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });
});

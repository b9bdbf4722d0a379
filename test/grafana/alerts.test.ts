// Alert rules and the Alertmanager example, checked by the tools that load them: promtool (Debian's
// `prometheus` package) and amtool (`prometheus-alertmanager`). A missing tool fails its tests with the install hint.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireDebianTool } from '../helpers/binaries.js';
import { requirePrometheusBinaries } from '../helpers/prometheus.js';
import { ruleExprs } from './promql-inspect.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RULES = join(ROOT, 'grafana', 'alerts', 'agent-bridge.rules.yml');
const RULE_TESTS = join(ROOT, 'grafana', 'alerts', 'agent-bridge.rules.test.yml');
const ALERTMANAGER = join(ROOT, 'grafana', 'alertmanager', 'alertmanager.yml');

function run(cmd: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const amtool = (): string => requireDebianTool('amtool', 'prometheus-alertmanager');

interface RuleDoc {
  groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>;
}
const rules = (parse(readFileSync(RULES, 'utf8')) as RuleDoc).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);

describe('alert rules: shape', () => {
  it('is a plain rule file with the alerts of issue 9', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining(['AgentBugErrorRateHigh', 'LLMLatencyP95High', 'LLMTokenUsageSpike', 'AgentBridgeSpansLost', 'AgentBridgeSentryEventsDropped', 'AgentBridgeTargetDown']),
    );
    expect(ruleExprs(readFileSync(RULES, 'utf8'))).toHaveLength(rules.length);
  });

  it.each(alerts.map((a) => [a.alert ?? '?', a] as const))('%s: for, severity, summary / description / runbook', (_name, a) => {
    expect(a.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning']).toContain(a.labels?.severity);
    expect(a.annotations?.summary).toBeTruthy();
    expect(a.annotations?.description).toBeTruthy();
    expect(a.annotations?.runbook).toBeTruthy();
  });

  it('the promtool tests cover every alert, both firing and not firing', () => {
    const doc = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> };
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${a.alert} fires somewhere`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${a.alert} does not fire somewhere`).toBe(true);
    }
  });
});

describe('alert rules: promtool', () => {
  it('promtool check rules is clean', () => {
    const { promtool } = requirePrometheusBinaries();
    const r = run(promtool, ['check', 'rules', RULES]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
    expect(r.output).not.toMatch(/WARNING/i);
  });

  it('promtool test rules passes', () => {
    const { promtool } = requirePrometheusBinaries();
    const r = run(promtool, ['test', 'rules', RULE_TESTS]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });
});

describe('alertmanager example: amtool', () => {
  it('amtool check-config accepts it', () => {
    const r = run(amtool(), ['check-config', ALERTMANAGER]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it.each([
    [{ severity: 'critical', alertname: 'AgentBridgeTargetDown', job: 'agent-otel-bridge' }, 'slack-critical'],
    [{ severity: 'critical', alertname: 'AgentBugErrorRateHigh', job: 'agent-otel-bridge' }, 'slack-critical'],
    [{ severity: 'warning', alertname: 'LLMLatencyP95High', job: 'agent-otel-bridge' }, 'default'],
    [{ alertname: 'SomethingElse' }, 'default'],
  ])('routes %j to %s', (labels, receiver) => {
    const r = run(amtool(), [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER}`,
      `--verify.receivers=${receiver}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ]);
    expect(r.status, r.output).toBe(0);
    expect(r.output.split('\n')[0]?.trim()).toBe(receiver);
  });

  it('keeps the Slack webhook out of the file (api_url_file, no hooks.slack.com URL)', () => {
    const text = readFileSync(ALERTMANAGER, 'utf8');
    const doc = parse(text) as { receivers: Array<{ name: string; slack_configs?: Array<Record<string, unknown>> }> };
    const slack = doc.receivers.flatMap((r) => r.slack_configs ?? []);
    expect(slack.length).toBeGreaterThan(0);
    for (const s of slack) {
      expect(s.api_url).toBeUndefined();
      expect(typeof s.api_url_file).toBe('string');
    }
    expect(text).not.toMatch(/hooks\.slack\.com/);
  });
});

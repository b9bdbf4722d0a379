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
  it('is a plain rule file with the alerts of issues 9, 22 and 23', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining(['AgentBugErrorRateHigh', 'LLMLatencyP95High', 'LLMTokenUsageSpike', 'AgentBridgeSpansLost', 'AgentBridgeSentryEventsDropped', 'AgentBridgeTargetDown']),
    );
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(['LLMSpendOverBudget', 'AgentInvocationLatencyOverBudget', 'AgentToolLatencyOverBudget', 'HttpEntryLatencyOverBudget']));
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

  /** Where each severity goes: every alert reaches the generic webhook; critical pages and posts to Slack. */
  const RECEIVERS_BY_SEVERITY: Record<string, string[]> = {
    critical: ['webhook', 'pagerduty-oncall', 'slack-critical'],
    warning: ['webhook', 'email-team'],
    /** No severity label, or one the rules do not use. */
    '': ['webhook', 'email-team'],
  };

  function routesOf(labels: Record<string, string>): { receivers: string[]; status: number | null; output: string } {
    const r = run(amtool(), ['config', 'routes', 'test', `--config.file=${ALERTMANAGER}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    return { receivers: (r.output.split('\n')[0] ?? '').trim().split(','), status: r.status, output: r.output };
  }

  it('every severity the alert rules use has its receivers', () => {
    const severities = new Set(alerts.map((a) => a.labels?.severity ?? ''));
    expect([...severities].filter((s) => RECEIVERS_BY_SEVERITY[s] === undefined)).toEqual([]);
  });

  it.each([
    [{ severity: 'critical', alertname: 'AgentBridgeTargetDown', job: 'agent-otel-bridge' }, RECEIVERS_BY_SEVERITY.critical],
    [{ severity: 'warning', alertname: 'AgentInvocationLatencyOverBudget', job: 'agent-otel-bridge' }, RECEIVERS_BY_SEVERITY.warning],
    [{ severity: 'info', alertname: 'SomethingElse' }, RECEIVERS_BY_SEVERITY['']],
    [{ alertname: 'SomethingElse' }, RECEIVERS_BY_SEVERITY['']],
  ])('routes %j to %j (amtool --verify.receivers)', (labels, receivers) => {
    const r = run(amtool(), [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER}`,
      `--verify.receivers=${(receivers ?? []).join(',')}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ]);
    expect(r.status, r.output).toBe(0);
    expect(r.output.split('\n')[0]?.trim()).toBe((receivers ?? []).join(','));
  });

  it.each(alerts.map((a) => [a.alert ?? '?', a.labels?.severity ?? ''] as const))('alert %s (%s) reaches the receivers of its severity', (alertname, severity) => {
    const r = routesOf({ alertname, severity, job: 'agent-otel-bridge' });
    expect(r.status, r.output).toBe(0);
    expect(r.receivers).toEqual(RECEIVERS_BY_SEVERITY[severity]);
  });

  it('every receiver is reached by some route', () => {
    const doc = parse(readFileSync(ALERTMANAGER, 'utf8')) as { receivers: Array<{ name: string }> };
    const reached = new Set(Object.values(RECEIVERS_BY_SEVERITY).flat());
    expect(doc.receivers.map((r) => r.name).filter((n) => !reached.has(n))).toEqual([]);
  });

  it('keeps every secret out of the file: keys, passwords, webhook URLs and tokens are read from mounted files', () => {
    const text = readFileSync(ALERTMANAGER, 'utf8');
    type Config = Record<string, unknown>;
    const doc = parse(text) as {
      global: Config;
      receivers: Array<{ name: string; slack_configs?: Config[]; pagerduty_configs?: Config[]; email_configs?: Config[]; webhook_configs?: Config[] }>;
    };
    const of = (kind: 'slack_configs' | 'pagerduty_configs' | 'email_configs' | 'webhook_configs'): Config[] => doc.receivers.flatMap((r) => r[kind] ?? []);
    const secretFile = expect.stringMatching(/^\/etc\/alertmanager\/secrets\/[\w-]+$/);

    expect(of('slack_configs').length).toBeGreaterThan(0);
    for (const c of of('slack_configs')) expect(c).toMatchObject({ api_url_file: secretFile });
    for (const c of of('slack_configs')) expect(c.api_url).toBeUndefined();

    expect(of('pagerduty_configs').length).toBeGreaterThan(0);
    for (const c of of('pagerduty_configs')) {
      expect(c).toMatchObject({ routing_key_file: secretFile });
      expect(c.routing_key ?? c.service_key ?? c.service_key_file).toBeUndefined();
    }

    expect(of('email_configs').length).toBeGreaterThan(0);
    for (const c of of('email_configs')) expect(c.auth_password ?? c.auth_secret).toBeUndefined();
    expect(doc.global).toMatchObject({ smtp_auth_password_file: secretFile });
    expect(doc.global.smtp_auth_password ?? doc.global.smtp_auth_secret).toBeUndefined();

    expect(of('webhook_configs').length).toBeGreaterThan(0);
    for (const c of of('webhook_configs')) {
      const url = new URL(String(c.url));
      expect(url.username + url.password + url.search).toBe('');
      expect(c).toMatchObject({ http_config: { authorization: { credentials_file: secretFile } } });
    }

    expect(text).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com/);
  });
});

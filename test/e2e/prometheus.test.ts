/**
 * A real Prometheus scrapes two bridged agent processes; PromQL over its HTTP API must return non-empty,
 * correctly labelled request rates, p95 latencies, token rates and agent-edge counts, and `promtool check
 * metrics` must find nothing to complain about in the exposition.
 *
 * The agent processes run test/fixtures/metrics-app.mjs under the built bridge preload
 * (`--import ./dist/instrumentation/register.js`; `npm run build` first). There is no fallback: when the preload
 * does not start, the test fails with the agents' output. Missing `prometheus` / `promtool` fail with an install hint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/exposition.js';
import { PROCESS_START_TIMEOUT_MS, allowLoadedMachine } from '../helpers/timeouts.js';
import { freePort } from '../helpers/ports.js';
import { promtoolCheckMetrics, requirePrometheusBinaries, startPrometheus, type PrometheusServer, type PromSample } from '../helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(root, 'test', 'fixtures', 'metrics-app.mjs');
const register = join(root, 'dist', 'instrumentation', 'register.js');
const TOKEN = 'e2e-metrics-token';
allowLoadedMachine();

interface AgentProcess {
  agent: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

const processes: AgentProcess[] = [];
let prometheus: PrometheusServer | undefined;

function startAgent(agent: string, peer: string, port: number): AgentProcess {
  const args = ['--import', register, fixture];
  const env: Record<string, string | undefined> = {
    ...process.env,
    SENTRY_DSN: undefined,
    OTEL_SERVICE_NAME: agent,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    AGENT_BRIDGE_METRICS_TOKEN: TOKEN,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    FIXTURE_AGENT: agent,
    FIXTURE_PEER: peer,
  };
  delete env.SENTRY_DSN;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    if (output.length < 32_000) output += chunk.toString();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const p: AgentProcess = { agent, port, child, output: () => output, exited };
  processes.push(p);
  return p;
}

async function stopAgent(p: AgentProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
    await p.exited;
    clearTimeout(timer);
  }
}

/** Wait until the agent serves /healthz (bounded); false when it exits or never comes up. */
async function healthy(p: AgentProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
    if (p.child.exitCode !== null || /preload failed|telemetry is off/.test(p.output())) return false;
    try {
      if ((await get(`http://127.0.0.1:${p.port}/healthz`)).status === 200) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function startAgents(): Promise<AgentProcess[]> {
  const pair = [startAgent('planner', 'researcher', await freePort()), startAgent('researcher', 'planner', await freePort())];
  const ok = await Promise.all(pair.map((p) => healthy(p, PROCESS_START_TIMEOUT_MS)));
  if (ok.every(Boolean) && !pair.some((p) => /preload failed|telemetry is off/.test(p.output()))) return pair;
  await Promise.all(pair.map(stopAgent));
  throw new Error(`agents did not start under the preload:\n${pair.map((p) => `--- ${p.agent}\n${p.output()}`).join('\n')}`);
}

describe('Prometheus scraping two bridged processes', () => {
  let agents: AgentProcess[] = [];

  beforeAll(async () => {
    requirePrometheusBinaries(); // throws with the Debian package to install
    if (!existsSync(register)) throw new Error(`${register} is missing: run \`npm run build\` before the e2e tests`);
    agents = await startAgents();
    prometheus = await startPrometheus({ targets: agents.map((a) => `127.0.0.1:${a.port}`), bearerToken: TOKEN });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(processes.map(stopAgent));
  });

  const byLabel = (r: PromSample[], label: string) => new Set(r.map((s) => s.metric[label]));

  it('scrapes both targets (with the bearer token)', async () => {
    const up = await prometheus!.waitFor('up{job="agents"} == 1', (r) => r.length === 2);
    expect(up.map((s) => s.metric.instance).sort()).toEqual(agents.map((a) => `127.0.0.1:${a.port}`).sort());
    const targets = await prometheus!.targets();
    expect(targets.every((t) => t.health === 'up' && t.lastError === '')).toBe(true);
  });

  it('request rate per model and instance', async () => {
    const r = await prometheus!.waitFor(
      'sum by (instance, gen_ai_request_model, gen_ai_provider_name) (rate(gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat"}[10s]))',
      (x) => x.length === 4 && x.every((s) => s.value > 0),
    );
    expect(byLabel(r, 'gen_ai_request_model')).toEqual(new Set(['gpt-4o', 'claude-sonnet-4']));
    expect(r.find((s) => s.metric.gen_ai_request_model === 'gpt-4o')!.metric.gen_ai_provider_name).toBe('openai');
  });

  it('p95 latency via histogram_quantile', async () => {
    const r = await prometheus!.waitFor(
      'histogram_quantile(0.95, sum by (le, gen_ai_agent_name) (rate(gen_ai_client_operation_duration_seconds_bucket[10s])))',
      (x) => x.length === 2 && x.every((s) => Number.isFinite(s.value) && s.value > 0),
    );
    expect(byLabel(r, 'gen_ai_agent_name')).toEqual(new Set(['planner', 'researcher']));
    // The fixture's LLM calls take 0.15–2.05 s: p95 lands in the 1.28–2.56 s bucket.
    for (const s of r) {
      expect(s.value).toBeGreaterThan(1.28);
      expect(s.value).toBeLessThanOrEqual(2.56);
    }
  });

  it('token rate by token type', async () => {
    const r = await prometheus!.waitFor(
      'sum by (gen_ai_token_type) (rate(gen_ai_client_token_usage_sum[10s]))',
      (x) => x.length === 2 && x.every((s) => s.value > 0),
    );
    const rate = Object.fromEntries(r.map((s) => [s.metric.gen_ai_token_type, s.value]));
    expect(rate.input).toBeGreaterThan(rate.output!);
  });

  it('agent-edge counts (sends) in both directions, errors by classification', async () => {
    const edges = await prometheus!.waitFor(
      'sum by (source_agent, target_agent) (increase(agent_communication_duration_seconds_count{messaging_operation_type="send"}[10s]))',
      (x) => x.length === 2 && x.every((s) => s.value > 0),
    );
    expect(new Set(edges.map((s) => `${s.metric.source_agent}->${s.metric.target_agent}`))).toEqual(new Set(['planner->researcher', 'researcher->planner']));
    const errors = await prometheus!.waitFor('sum by (classification, agent_span_type) (agent_errors_total)', (x) => x.length === 2);
    expect(new Set(errors.map((s) => `${s.metric.agent_span_type}/${s.metric.classification}`))).toEqual(
      new Set(['ai.request/bug', 'tool.execution/operational']),
    );
    const misses = await prometheus!.waitFor('sum(agent_memory_results_bucket{le="0"})', (x) => x.length === 1 && x[0]!.value > 0);
    expect(misses[0]!.value).toBeGreaterThan(0);
  });

  it('promtool check metrics reports nothing on the exposition; 401 without the token', async () => {
    for (const a of agents) {
      const url = `http://127.0.0.1:${a.port}/metrics`;
      expect((await get(url)).status).toBe(401);
      const res = await get(url, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.body).toContain('gen_ai_client_operation_duration_seconds_bucket');
      const check = promtoolCheckMetrics(res.body);
      expect(check.output).toBe('');
      expect(check.status).toBe(0);
    }
  });
});

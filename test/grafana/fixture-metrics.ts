/**
 * Realistic history of every metric the dashboards and rules read (grafana/src/metrics.ts), as an OpenMetrics
 * text with timestamps, for `promtool tsdb create-blocks-from openmetrics` (backfill into a temp TSDB).
 *
 * The scene: three bridged processes (planner, researcher, writer — the k8s demo), one agent each, scraped in
 * job `agent-otel-bridge`. Every step is one scrape: Poisson-distributed calls, log-normal latencies, token
 * counts and memory results, recorded into cumulative histograms with the bucket boundaries span-metrics
 * really uses (src/metrics/catalog.ts), the labels it really sets, and the `otel_scope_name` label and
 * `target_info` series @opentelemetry/exporter-prometheus adds. Error series feed agent_errors_total with
 * the same counts. Deterministic for a given seed. LLM cost is priced by the bridge's own table (src/metrics/
 * price-table.ts) from each call's tokens; one model has no price and feeds the unpriced counter instead.
 * Each process also serves HTTP (http_server_request_duration, written by the OpenTelemetry HTTP instrumentation
 * under its own scope): the planner through a framework that reports routes, the others as plain node:http. The
 * latency-budget recording rules are written as Prometheus would have stored them, from the budgets set in the
 * rule file itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BUCKETS } from '../../src/metrics/catalog.js';
import { PICO_PER_USD, PriceTable } from '../../src/metrics/price-table.js';
import { METRIC, SPAN_TYPE } from '../../grafana/src/metrics.js';
import { seededRandom } from '../helpers/random.js';

export const FIXTURE_JOB = 'agent-otel-bridge';
export const FIXTURE_SCOPE = 'agent-otel-bridge';

type Labels = Record<string, string>;

const RULES = join(import.meta.dirname, '..', '..', 'grafana', 'alerts', 'agent-bridge.rules.yml');
/** @opentelemetry/instrumentation-http 0.301: the scope it records under and http.server.request.duration's buckets (semconv advice). */
export const HTTP_SCOPE: Labels = { otel_scope_name: '@opentelemetry/instrumentation-http', otel_scope_version: '0.301.0' };
export const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

/** The budgets the rule file sets: record name → (label value or '' for the default → seconds). */
function budgetsSet(): Map<string, Map<string, number>> {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; expr: string; labels?: Labels }> }> };
  const out = new Map<string, Map<string, number>>();
  for (const r of doc.groups.flatMap((g) => g.rules)) {
    const value = /^vector\((\d+(?:\.\d+)?)\)$/.exec(r.expr.trim())?.[1];
    if (r.record === undefined || !r.record.endsWith(':latency_budget_seconds') || value === undefined) continue;
    const byValue = out.get(r.record) ?? new Map<string, number>();
    byValue.set(Object.values(r.labels ?? {})[0] ?? '', Number(value));
    out.set(r.record, byValue);
  }
  return out;
}

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

/** One metric family: its TYPE line and, per label set, the lines of every timestamp in order. */
class Family {
  readonly series = new Map<string, string[]>();
  constructor(
    readonly name: string,
    readonly type: 'histogram' | 'counter' | 'gauge',
  ) {}

  lines(labels: Labels): string[] {
    const key = labelText(labels);
    let l = this.series.get(key);
    if (l === undefined) {
      l = [];
      this.series.set(key, l);
    }
    return l;
  }

  render(): string {
    // OpenMetrics: counters are declared without `_total`, their samples carry it.
    const declared = this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name;
    let out = `# TYPE ${declared} ${this.type}\n`;
    for (const l of this.series.values()) out += l.join('');
    return out;
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    private readonly family: Family,
    private readonly labels: Labels,
    private readonly boundaries: readonly number[],
  ) {
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = this.boundaries.findIndex((b) => value <= b);
    if (i < 0) i = this.boundaries.length;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }

  /** Cumulative buckets, then _count and _sum, as the exporter writes them (le = String(boundary)). */
  emit(ts: number): void {
    const out = this.family.lines(this.labels);
    const base = labelText(this.labels);
    let cumulative = 0;
    this.boundaries.forEach((b, i) => {
      cumulative += this.counts[i] ?? 0;
      out.push(`${this.family.name}_bucket{${base},le="${String(b)}"} ${cumulative} ${ts}\n`);
    });
    cumulative += this.counts[this.boundaries.length] ?? 0;
    out.push(`${this.family.name}_bucket{${base},le="+Inf"} ${cumulative} ${ts}\n`);
    out.push(`${this.family.name}_count{${base}} ${this.count} ${ts}\n`);
    out.push(`${this.family.name}_sum{${base}} ${Number(this.sum.toFixed(6))} ${ts}\n`);
  }
}

/** A gauge whose value the steppers set (e.g. invocations in flight). */
class Gauge {
  value = 0;
  constructor(
    private readonly family: Family,
    private readonly labels: Labels,
  ) {}
  emit(ts: number): void {
    const labels = labelText(this.labels);
    this.family.lines(this.labels).push(`${this.family.name}${labels === '' ? '' : `{${labels}}`} ${this.value} ${ts}\n`);
  }
}

class Counter {
  private value = 0;
  constructor(
    private readonly family: Family,
    private readonly labels: Labels,
  ) {}
  add(n: number): void {
    this.value += n;
  }
  emit(ts: number): void {
    this.family.lines(this.labels).push(`${this.family.name}{${labelText(this.labels)}} ${this.value} ${ts}\n`);
  }
}

export interface FixtureOptions {
  /** Unix seconds of the last sample (query at this time). */
  end: number;
  /** Seconds of history (≥ 2 h covers the token-spike rule's `[1h] offset 1h`). */
  duration?: number;
  /** Seconds between samples (the scrape interval). */
  step?: number;
  seed?: number;
}

export interface Fixture {
  text: string;
  start: number;
  end: number;
  step: number;
  services: string[];
  instances: string[];
  /** Number of series written (for sanity checks). */
  seriesCount: number;
}

interface Service {
  name: string;
  /** Requests served per minute, by route ('' = no http.route: plain node:http). */
  http: Array<{ method: string; route: string; perMinute: number; seconds: number }>;
  models: Array<{ provider: string; model: string; operation: string; perMinute: number; seconds: number; input: number; output: number; streaming: boolean }>;
  memory: Array<{ operation: string; store: string; perMinute: number; seconds: number; hitRate: number }>;
  tools: Array<{ tool: string; perMinute: number; seconds: number }>;
  /** Messages this agent sends: target → per minute. */
  sends: Array<{ target: string; perMinute: number; seconds: number }>;
}

const SERVICES: Service[] = [
  {
    name: 'planner',
    http: [
      { method: 'POST', route: '/v1/plan', perMinute: 6, seconds: 3 },
      { method: 'GET', route: '/v1/status', perMinute: 2, seconds: 0.004 },
    ],
    models: [{ provider: 'openai', model: 'gpt-4o', operation: 'chat', perMinute: 12, seconds: 2.5, input: 1800, output: 250, streaming: true }],
    memory: [{ operation: 'put', store: 'plans', perMinute: 6, seconds: 0.004, hitRate: 1 }],
    tools: [],
    sends: [
      { target: 'researcher', perMinute: 6, seconds: 0.01 },
      { target: 'writer', perMinute: 6, seconds: 0.01 },
    ],
  },
  {
    name: 'researcher',
    http: [{ method: 'POST', route: '', perMinute: 6, seconds: 1.5 }],
    models: [
      { provider: 'anthropic', model: 'claude-sonnet-4', operation: 'chat', perMinute: 10, seconds: 6, input: 6000, output: 900, streaming: true },
      { provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', perMinute: 20, seconds: 0.15, input: 300, output: 0, streaming: false },
      // No built-in price: counted in agent_llm_unpriced_requests_total.
      { provider: 'groq', model: 'llama-3.3-70b-versatile', operation: 'chat', perMinute: 2, seconds: 1, input: 800, output: 200, streaming: false },
    ],
    memory: [
      { operation: 'search', store: 'notes', perMinute: 20, seconds: 0.03, hitRate: 0.8 },
      { operation: 'get', store: 'cache', perMinute: 15, seconds: 0.002, hitRate: 0.45 },
      { operation: 'put', store: 'cache', perMinute: 8, seconds: 0.003, hitRate: 1 },
    ],
    tools: [{ tool: 'web_search', perMinute: 8, seconds: 1.2 }],
    sends: [{ target: 'writer', perMinute: 3, seconds: 0.01 }],
  },
  {
    name: 'writer',
    http: [{ method: 'POST', route: '', perMinute: 6, seconds: 2 }],
    models: [
      { provider: 'openai', model: 'gpt-4o', operation: 'chat', perMinute: 8, seconds: 9, input: 4000, output: 1500, streaming: true },
      { provider: 'anthropic', model: 'claude-sonnet-4', operation: 'chat', perMinute: 3, seconds: 7, input: 3000, output: 1200, streaming: true },
    ],
    memory: [{ operation: 'get', store: 'cache', perMinute: 10, seconds: 0.002, hitRate: 0.6 }],
    tools: [{ tool: 'format_markdown', perMinute: 6, seconds: 0.05 }],
    sends: [],
  },
];

/** Error mix per span type: error.type, classification, share of calls (error series exist from the start). */
const ERRORS = {
  llm: [
    { type: 'RateLimitError', classification: 'operational', share: 0.04 },
    { type: 'APIConnectionError', classification: 'bug', share: 0.01 },
  ],
  other: [{ type: 'TypeError', classification: 'bug', share: 0.02 }],
} as const;

export function generateFixture(options: FixtureOptions): Fixture {
  const step = options.step ?? 60;
  const duration = options.duration ?? 9000;
  const end = Math.floor(options.end);
  const start = end - Math.floor(duration / step) * step;
  const random = seededRandom(options.seed ?? 42);

  const gaussian = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  /** Log-normal around `median` (sigma 0.5): latency- and size-like. */
  const around = (median: number, sigma = 0.5): number => median * Math.exp(sigma * gaussian());
  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  };

  const families = new Map<string, Family>();
  const family = (name: string, type: Family['type']): Family => {
    let f = families.get(name);
    if (f === undefined) {
      f = new Family(name, type);
      families.set(name, f);
    }
    return f;
  };
  const histograms: Histogram[] = [];
  const counters: Counter[] = [];
  /** Gauges: `value` per step (default 1, as `up` and `target_info`). */
  const gauges: Array<{ family: Family; labels: Labels; value?: () => number }> = [];
  const liveGauges: Gauge[] = [];
  const prices = new PriceTable();
  /** The LLM budget recording rule of grafana/alerts/agent-bridge.rules.yml, as Prometheus would have stored it. */
  const budget = new Gauge(family(METRIC.llmBudget, 'gauge'), {});
  budget.value = 20;
  liveGauges.push(budget);
  const steppers: Array<(minutes: number) => void> = [];
  // The latency budgets as set, and the `:effective` budget of every agent, tool and route the fixture has.
  const budgets = budgetsSet();
  const writeBudgets = (record: string, label: string, seen: readonly string[]): void => {
    const set = budgets.get(record);
    const fallback = set?.get('');
    if (set === undefined || fallback === undefined) throw new Error(`${record}: no default budget in ${RULES}`);
    for (const [value, seconds] of set) {
      const g = new Gauge(family(record, 'gauge'), value === '' ? {} : { [label]: value });
      g.value = seconds;
      liveGauges.push(g);
    }
    for (const value of new Set(seen)) {
      const g = new Gauge(family(`${record}:effective`, 'gauge'), value === '' ? {} : { [label]: value });
      g.value = set.get(value) ?? fallback;
      liveGauges.push(g);
    }
  };
  writeBudgets(METRIC.invocationBudget, 'gen_ai_agent_name', SERVICES.map((s) => s.name));
  writeBudgets(METRIC.toolBudget, 'gen_ai_tool_name', SERVICES.flatMap((s) => s.tools.map((t) => t.tool)));
  writeBudgets(METRIC.httpBudget, 'http_route', SERVICES.flatMap((s) => s.http.map((h) => h.route)));

  // One instance per series: two call sites asking for the same labels (e.g. errors of two models of one
  // agent — agent_errors_total has no model label) must add into one series, as the real exporter does.
  // Two instances would write two different values at one timestamp, which promtool rejects.
  const histogramsByKey = new Map<string, Histogram>();
  const countersByKey = new Map<string, Counter>();
  const hist = (name: string, labels: Labels, boundaries: readonly number[]): Histogram => {
    const key = `${name}{${labelText(labels)}}`;
    let h = histogramsByKey.get(key);
    if (h === undefined) {
      h = new Histogram(family(name, 'histogram'), labels, boundaries);
      histogramsByKey.set(key, h);
      histograms.push(h);
    }
    return h;
  };
  const counter = (name: string, labels: Labels): Counter => {
    const key = `${name}{${labelText(labels)}}`;
    let c = countersByKey.get(key);
    if (c === undefined) {
      c = new Counter(family(name, 'counter'), labels);
      countersByKey.set(key, c);
      counters.push(c);
    }
    return c;
  };

  for (const svc of SERVICES) {
    const instance = `${svc.name}:9464`;
    const target: Labels = { job: FIXTURE_JOB, instance };
    const scoped: Labels = { ...target, otel_scope_name: FIXTURE_SCOPE };
    const agent = svc.name;

    gauges.push({ family: family(METRIC.up, 'gauge'), labels: target });
    gauges.push({
      family: family(METRIC.targetInfo, 'gauge'),
      labels: {
        ...target,
        service_name: svc.name,
        service_version: '0.1.0',
        service_instance_id: `00000000-0000-4000-8000-00000000000${SERVICES.indexOf(svc) + 1}`,
        deployment_environment_name: 'staging',
        telemetry_sdk_language: 'nodejs',
        telemetry_sdk_name: 'opentelemetry',
        telemetry_sdk_version: '3.1.0',
      },
    });

    const errorCounter = (spanType: string, type: string, classification: string): Counter =>
      counter(METRIC.errors, { ...scoped, gen_ai_agent_name: agent, agent_span_type: spanType, error_type: type, classification });

    /** A span type's histogram for successful calls plus one error series per error kind (and its counter). */
    const withErrors = (
      name: string,
      labels: Labels,
      boundaries: readonly number[],
      spanType: string,
      errors: ReadonlyArray<{ type: string; classification: string; share: number }>,
      perMinute: number,
      seconds: number,
      onOk?: (n: number) => void,
    ): void => {
      const ok = hist(name, labels, boundaries);
      const failed = errors.map((e) => ({ e, h: hist(name, { ...labels, error_type: e.type }, boundaries), c: errorCounter(spanType, e.type, e.classification) }));
      steppers.push((minutes) => {
        const n = poisson(perMinute * minutes);
        for (let i = 0; i < n; i++) ok.observe(around(seconds));
        onOk?.(n);
        for (const { e, h, c } of failed) {
          const k = poisson(perMinute * minutes * e.share);
          for (let i = 0; i < k; i++) h.observe(around(seconds * 1.5, 0.8));
          c.add(k);
        }
      });
    };

    // agent.invocation: one per incoming task (6 a minute of ~15 s: about 1.5 in flight), a rare one abandoned.
    withErrors(METRIC.invocationDuration, { ...scoped, gen_ai_agent_name: agent }, BUCKETS.agentSeconds, SPAN_TYPE.invocation, ERRORS.other, 6, 15);
    const active = new Gauge(family(METRIC.activeInvocations, 'gauge'), { ...scoped, gen_ai_agent_name: agent });
    liveGauges.push(active);
    const abandoned = counter(METRIC.abandonedInvocations, { ...scoped, gen_ai_agent_name: agent });
    steppers.push((minutes) => {
      active.value = poisson(1.5);
      abandoned.add(poisson(0.02 * minutes));
    });

    for (const m of svc.models) {
      const labels: Labels = { ...scoped, gen_ai_operation_name: m.operation, gen_ai_provider_name: m.provider, gen_ai_request_model: m.model, gen_ai_agent_name: agent };
      const input = hist(METRIC.llmTokens, { ...labels, gen_ai_token_type: 'input' }, BUCKETS.tokens);
      const output = m.output > 0 ? hist(METRIC.llmTokens, { ...labels, gen_ai_token_type: 'output' }, BUCKETS.tokens) : undefined;
      const ttfc = m.streaming ? hist(METRIC.llmTimeToFirstChunk, labels, BUCKETS.firstChunkSeconds) : undefined;
      const price = prices.priceOf(m.model);
      const cost = price === undefined ? undefined : counter(METRIC.llmCost, { ...scoped, gen_ai_provider_name: m.provider, gen_ai_request_model: m.model, gen_ai_agent_name: agent });
      const unpriced = price === undefined ? counter(METRIC.llmUnpriced, { ...scoped, gen_ai_provider_name: m.provider, gen_ai_request_model: m.model }) : undefined;
      withErrors(METRIC.llmDuration, labels, BUCKETS.llmSeconds, SPAN_TYPE.aiRequest, ERRORS.llm, m.perMinute, m.seconds, (n) => {
        for (let i = 0; i < n; i++) {
          const inputTokens = Math.round(around(m.input));
          const outputTokens = output === undefined ? 0 : Math.round(around(m.output));
          input.observe(inputTokens);
          output?.observe(outputTokens);
          ttfc?.observe(around(Math.min(m.seconds / 5, 1.2)));
          if (price !== undefined) {
            const pico = PriceTable.costOf(price, { input: inputTokens, output: outputTokens, cacheRead: undefined, cacheCreation: undefined }) ?? 0;
            cost?.add(pico / PICO_PER_USD);
          }
          unpriced?.add(1);
        }
      });
    }

    for (const mem of svc.memory) {
      const results = hist(METRIC.memoryResults, { ...scoped, agent_memory_operation: mem.operation, agent_memory_store: mem.store }, BUCKETS.results);
      withErrors(
        METRIC.memoryDuration,
        { ...scoped, agent_memory_operation: mem.operation, agent_memory_store: mem.store, gen_ai_agent_name: agent },
        BUCKETS.memorySeconds,
        SPAN_TYPE.memory,
        ERRORS.other,
        mem.perMinute,
        mem.seconds,
        (n) => {
          for (let i = 0; i < n; i++) results.observe(random() < mem.hitRate ? Math.max(1, Math.round(around(mem.operation === 'search' ? 8 : 1, 0.6))) : 0);
        },
      );
    }

    for (const t of svc.tools) {
      withErrors(METRIC.toolDuration, { ...scoped, gen_ai_tool_name: t.tool, gen_ai_agent_name: agent }, BUCKETS.agentSeconds, SPAN_TYPE.tool, ERRORS.other, t.perMinute, t.seconds);
    }

    // agent.communication: this process records the send side of its outgoing messages and the process side of
    // the messages it receives (the sender's list names it as target).
    for (const s of svc.sends) {
      withErrors(
        METRIC.communicationDuration,
        { ...scoped, source_agent: agent, target_agent: s.target, messaging_operation_type: 'send' },
        BUCKETS.agentSeconds,
        SPAN_TYPE.communication,
        [],
        s.perMinute,
        s.seconds,
      );
    }
    for (const from of SERVICES) {
      for (const s of from.sends.filter((x) => x.target === svc.name)) {
        withErrors(
          METRIC.communicationDuration,
          { ...scoped, source_agent: from.name, target_agent: svc.name, messaging_operation_type: 'process' },
          BUCKETS.agentSeconds,
          SPAN_TYPE.communication,
          ERRORS.other,
          s.perMinute,
          20,
        );
      }
    }

    // Runtime (issue 23): event-loop delay p99 around 20 ms, RSS around 150 MB.
    gauges.push({ family: family(METRIC.eventLoopDelayP99, 'gauge'), labels: { ...target, otel_scope_name: '@opentelemetry/instrumentation-runtime-node' }, value: () => around(0.02) });
    gauges.push({ family: family(METRIC.processMemory, 'gauge'), labels: scoped, value: () => Math.round(around(150e6, 0.05)) });
    // HTTP entry points: the instrumentation's own scope and labels; 1 % answered 500 (error_type = the status).
    for (const h of svc.http) {
      const labels: Labels = { ...target, ...HTTP_SCOPE, http_request_method: h.method, url_scheme: 'http', network_protocol_version: '1.1', ...(h.route === '' ? {} : { http_route: h.route }) };
      const ok = hist(METRIC.httpServerDuration, { ...labels, http_response_status_code: '200' }, HTTP_SECONDS);
      const failed = hist(METRIC.httpServerDuration, { ...labels, http_response_status_code: '500', error_type: '500' }, HTTP_SECONDS);
      steppers.push((minutes) => {
        for (let i = poisson(h.perMinute * minutes); i > 0; i--) ok.observe(around(h.seconds));
        for (let i = poisson(h.perMinute * minutes * 0.01); i > 0; i--) failed.observe(around(h.seconds * 2, 0.8));
      });
    }

    // Bridge self-health: spans per exporter by outcome, Sentry events by outcome.
    const spans = (exporter: string, outcome: string): Counter => counter(METRIC.bridgeSpans, { ...scoped, outcome, exporter });
    const flows: Array<[Counter, number]> = [
      [spans('sentry', 'exported'), 120],
      [spans('sentry', 'failed'), 0.5],
      [spans('sentry', 'dropped'), 0.3],
      [spans('otlp', 'exported'), 120],
      [spans('otlp', 'dropped'), 0.2],
      [counter(METRIC.sentryEvents, { ...scoped, outcome: 'sent' }), 2],
      [counter(METRIC.sentryEvents, { ...scoped, outcome: 'dropped' }), 0.2],
      [counter(METRIC.sentryEvents, { ...scoped, outcome: 'filtered' }), 1.5],
    ];
    steppers.push((minutes) => {
      for (const [c, perMinute] of flows) c.add(poisson(perMinute * minutes));
    });
  }

  for (let ts = start; ts <= end; ts += step) {
    if (ts > start) for (const s of steppers) s(step / 60);
    for (const h of histograms) h.emit(ts);
    for (const c of counters) c.emit(ts);
    for (const g of liveGauges) g.emit(ts);
    for (const g of gauges) g.family.lines(g.labels).push(`${g.family.name}{${labelText(g.labels)}} ${g.value?.() ?? 1} ${ts}\n`);
  }

  let text = '';
  let seriesCount = 0;
  for (const f of families.values()) {
    text += f.render();
    seriesCount += f.series.size;
  }
  text += '# EOF\n';
  return { text, start, end, step, services: SERVICES.map((s) => s.name), instances: SERVICES.map((s) => `${s.name}:9464`), seriesCount };
}

/**
 * "Agents overview": traffic, errors and latency per agent and span type, across every span type the helpers
 * emit (docs/agent.md), plus errors by classification (bug / operational).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';
import { dashboard, mergeColumns, stat, table, threshold, timeseries } from './panels.js';
import { errorRatio, F, increase, orZero, perSecond, perSpanType, quantile, rate, sel, sumBy } from './promql.js';
import { agentVariable, datasourceVariable, instanceVariable, serviceVariable } from './variables.js';

const AGENT_TYPE = ['gen_ai_agent_name', 'agent_span_type'];
const LEGEND = '{{gen_ai_agent_name}} · {{agent_span_type}}';
/** The latency-budget alerts' window (grafana/alerts/agent-bridge.rules.yml): the panels show what they judge. */
const BUDGET_WINDOW = '10m';
const errors = (...m: string[]): string => sel(METRIC.errors, F.instance, F.agent, ...m);

function latency(q: number): string {
  return perSpanType((s, agent) => quantile(q, s.histogram, [s.agentLabel], [F.instance, agent, ...s.matchers]));
}

export function agentsOverview(): DashboardBuilder {
  const inv = [F.instance, F.agent];
  return dashboard({
    uid: 'aob-agents-overview',
    title: 'Agents overview',
    description: 'Traffic, errors and latency of every agent, by span type (agent-otel-bridge span metrics).',
    tags: ['agents'],
  })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withVariable(instanceVariable())
    .withVariable(agentVariable())
    .withRow(new RowBuilder('Summary'))
    .withPanel(
      stat('Agent invocations /s', { expr: perSecond(METRIC.invocationDuration, [], inv) }, {
        unit: 'reqps',
        description: 'invoke_agent spans per second (agent_invocation_duration_seconds_count).',
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Invocation error ratio', { expr: errorRatio(METRIC.invocationDuration, [], inv) }, {
        unit: 'percentunit',
        description: 'Share of agent invocations that ended with ERROR (error_type set).',
        thresholds: [threshold(null, 'green'), threshold(0.01, 'orange'), threshold(0.05, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Bug errors /s', { expr: orZero(sumBy([], rate(errors('classification="bug"')))) }, {
        unit: 'short',
        description: 'ERROR spans classified as bugs (they create Sentry issues). Operational errors (4xx, validation, aborts) are excluded.',
        thresholds: [threshold(null, 'green'), threshold(0.01, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('LLM calls /s', { expr: perSecond(METRIC.llmDuration, [], inv) }, {
        unit: 'reqps',
        description: 'ai.request spans per second (gen_ai_client_operation_duration_seconds_count).',
        w: 6,
        h: 4,
      }),
    )
    .withRow(new RowBuilder('Working now'))
    .withPanel(
      stat('Active invocations', { expr: orZero(sumBy([], sel(METRIC.activeInvocations, ...inv))) }, {
        unit: 'short',
        description: 'Agent invocations started and not yet ended, every one counted whatever the trace sampling (agent_active_invocations).',
        w: 4,
        h: 8,
      }),
    )
    .withPanel(
      stat('Abandoned in the range', { expr: orZero(sumBy([], increase(sel(METRIC.abandonedInvocations, ...inv)))) }, {
        unit: 'short',
        description: 'Invocations still running after AGENT_BRIDGE_INVOCATION_MAX_AGE_MS (default 1 h): removed from the active count — hung agents or spans never ended.',
        thresholds: [threshold(null, 'green'), threshold(1, 'orange')],
        w: 4,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Active invocations by agent', [{ expr: sumBy(['gen_ai_agent_name'], sel(METRIC.activeInvocations, ...inv)), legend: '{{gen_ai_agent_name}}' }], {
        unit: 'short',
        stacked: true,
        min: 0,
        description: 'How many runs of each agent are in progress.',
        w: 16,
        h: 8,
      }),
    )
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      timeseries('Requests /s by agent and span type', [{ expr: perSpanType((s, agent) => perSecond(s.histogram, [s.agentLabel], [F.instance, agent, ...s.matchers])), legend: LEGEND }], {
        unit: 'reqps',
        description: 'Spans per second of each agent, per agent.span.type. agent.communication counts the messages the agent processed.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Errors /s by agent and span type', [{ expr: sumBy(AGENT_TYPE, rate(errors())), legend: LEGEND }], {
        unit: 'short',
        description: 'ERROR spans per second (agent_errors_total), bugs and operational errors together.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries(
        'Error ratio by agent and span type',
        [{ expr: perSpanType((s, agent) => errorRatio(s.histogram, [s.agentLabel], [F.instance, agent, ...s.matchers])), legend: LEGEND }],
        { unit: 'percentunit', min: 0, description: 'Share of each span type\'s spans that ended with ERROR.', w: 12, h: 8 },
      ),
    )
    .withPanel(
      timeseries('Errors /s by classification', [{ expr: sumBy(['classification'], rate(errors())), legend: '{{classification}}' }], {
        unit: 'short',
        stacked: true,
        description: 'bug = a Sentry issue; operational = expected failures (configurable error types, HTTP 4xx) recorded as breadcrumbs only.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      table(
        'Top error types in the range',
        [{ expr: `topk(20, ${sumBy(['gen_ai_agent_name', 'agent_span_type', 'error_type', 'classification'], increase(errors()))})` }],
        {
          description: 'Errors in the selected time range by agent, span type, error type and classification.',
          transformations: mergeColumns(['errors']),
          sortBy: 'errors',
          units: { errors: 'short' },
          w: 24,
          h: 8,
        },
      ),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(timeseries('p50 latency by agent and span type', [{ expr: latency(0.5), legend: LEGEND }], { unit: 's', description: 'Median span duration.', w: 8, h: 8 }))
    .withPanel(timeseries('p95 latency by agent and span type', [{ expr: latency(0.95), legend: LEGEND }], { unit: 's', description: '95th percentile span duration.', w: 8, h: 8 }))
    .withPanel(timeseries('p99 latency by agent and span type', [{ expr: latency(0.99), legend: LEGEND }], { unit: 's', description: '99th percentile span duration.', w: 8, h: 8 }))
    .withRow(new RowBuilder('Latency budgets'))
    .withPanel(
      budgetPanel('Invocation p95 vs budget', BUDGETS.invocation, [F.instance, F.agent], 'Agent invocations: p95 over 10 minutes per agent against its budget (AgentInvocationLatencyOverBudget).'),
    )
    .withPanel(budgetPanel('Tool p95 vs budget', BUDGETS.tool, [F.instance, F.agent], 'Tool executions of the selected agents: p95 over 10 minutes per tool against its budget (AgentToolLatencyOverBudget).'))
    .withPanel(
      budgetPanel(
        'HTTP entry p95 vs budget',
        BUDGETS.http,
        [F.instance],
        'Requests the selected services serve (HTTP instrumentation): p95 over 10 minutes per route against its budget (HttpEntryLatencyOverBudget). Without a framework reporting http.route, a service is one entry point (no route).',
      ),
    );
}

/** A latency budget of the rule file: the histogram it judges, the label it is set by and its recording rules. */
interface Budget {
  readonly histogram: string;
  readonly label: string;
  readonly set: string;
  readonly effective: string;
}

const BUDGETS = {
  invocation: { histogram: METRIC.invocationDuration, label: 'gen_ai_agent_name', set: METRIC.invocationBudget, effective: METRIC.invocationBudgetEffective },
  tool: { histogram: METRIC.toolDuration, label: 'gen_ai_tool_name', set: METRIC.toolBudget, effective: METRIC.toolBudgetEffective },
  http: { histogram: METRIC.httpServerDuration, label: 'http_route', set: METRIC.httpBudget, effective: METRIC.httpBudgetEffective },
} as const satisfies Record<string, Budget>;

/**
 * p95 per agent / tool / route over the alert's 10-minute window, the budget of each one shown (the `:effective`
 * rule, limited to what the p95 shows), and the default budget (the unlabelled rule).
 */
function budgetPanel(title: string, b: Budget, matchers: readonly string[], description: string): ReturnType<typeof timeseries> {
  const p95 = quantile(0.95, b.histogram, [b.label], matchers, BUDGET_WINDOW);
  const legend = `{{${b.label}}}`;
  return timeseries(
    title,
    [
      { expr: p95, legend: `${legend} p95` },
      { expr: `${b.effective} and on (${b.label}) ${p95}`, legend: `${legend} budget` },
      { expr: sel(b.set, `${b.label}=""`), legend: 'default budget' },
    ],
    { unit: 's', min: 0, description, w: 8, h: 8 },
  );
}


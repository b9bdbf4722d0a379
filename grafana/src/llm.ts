/**
 * "LLM": GenAI client calls (ai.request spans) by provider and model — latency, traffic, errors, token
 * throughput, time to first chunk of streamed responses, and cost.
 *
 * Cost per successful task = the cost of every call ÷ the agent invocations that ended without error: what one
 * successful task really costs, failed attempts included (their calls were paid for too).
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRIC } from './metrics.js';
import { dashboard, mergeColumns, stat, table, threshold, timeseries } from './panels.js';
import { errorRatio, F, increase, orZero, perSecond, quantile, rate, RANGE, sel, sumBy } from './promql.js';
import { agentVariable, datasourceVariable, instanceVariable, modelVariable, serviceVariable } from './variables.js';

const FILTERS = [F.instance, F.agent, F.model];
const MODEL = ['gen_ai_provider_name', 'gen_ai_request_model'];
const MODEL_LEGEND = '{{gen_ai_provider_name}}/{{gen_ai_request_model}}';
const tokens = (series: '_sum' | '_count'): string => sel(`${METRIC.llmTokens}${series}`, ...FILTERS);
const PER_HOUR = ' * 3600';
/** USD per hour by `by`, from the cost counter (all filters). */
const spendPerHour = (by: readonly string[]): string => `${sumBy(by, rate(sel(METRIC.llmCost, ...FILTERS)))}${PER_HOUR}`;
/** Cost ÷ successful invocations by `by` (agent filters only: a task uses whatever models it needs). */
const costPerTask = (by: readonly string[]): string =>
  `${sumBy(by, rate(sel(METRIC.llmCost, F.instance, F.agent)))} / ${sumBy(by, rate(sel(`${METRIC.invocationDuration}_count`, F.instance, F.agent, 'error_type=""')))}`;

export function llm(): DashboardBuilder {
  return dashboard({
    uid: 'aob-llm',
    title: 'LLM',
    description: 'GenAI client calls by provider and model: latency, errors, tokens, time to first chunk.',
    tags: ['llm'],
  })
    .withVariable(datasourceVariable())
    .withVariable(serviceVariable())
    .withVariable(instanceVariable())
    .withVariable(agentVariable())
    .withVariable(modelVariable())
    .withRow(new RowBuilder('Summary'))
    .withPanel(stat('LLM calls /s', { expr: perSecond(METRIC.llmDuration, [], FILTERS) }, { unit: 'reqps', description: 'GenAI client operations per second.', w: 6, h: 4 }))
    .withPanel(
      stat('LLM error ratio', { expr: errorRatio(METRIC.llmDuration, [], FILTERS) }, {
        unit: 'percentunit',
        description: 'Share of GenAI calls that failed (error_type set: rate limits, timeouts, provider errors …).',
        thresholds: [threshold(null, 'green'), threshold(0.02, 'orange'), threshold(0.1, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('p95 latency', { expr: quantile(0.95, METRIC.llmDuration, [], FILTERS) }, {
        unit: 's',
        description: '95th percentile duration of GenAI calls, all models.',
        thresholds: [threshold(null, 'green'), threshold(10, 'orange'), threshold(30, 'red')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(stat('Tokens /s', { expr: sumBy([], rate(tokens('_sum'))) }, { unit: 'short', description: 'Input + output tokens per second.', w: 6, h: 4 }))
    .withRow(new RowBuilder('Cost'))
    .withPanel(
      stat('Spend /h', { expr: spendPerHour([]) }, {
        unit: 'currencyUSD',
        description: 'LLM spend in US dollars per hour (agent_llm_cost_usd_total: token usage × the price table, src/metrics/prices.ts or the config file).',
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Cost per successful task', { expr: costPerTask([]) }, {
        unit: 'currencyUSD',
        description: 'Cost of all LLM calls ÷ agent invocations that ended without error: failed attempts are paid for by the successful ones.',
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Spend in the range', { expr: sumBy([], increase(sel(METRIC.llmCost, ...FILTERS), RANGE)) }, {
        unit: 'currencyUSD',
        description: 'LLM spend over the selected time range.',
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat('Unpriced calls in the range', { expr: orZero(sumBy([], increase(sel(METRIC.llmUnpriced, F.instance, F.model), RANGE))) }, {
        unit: 'short',
        description: 'Calls with token usage whose model has no price: they are missing from the spend. Add the model to the config file\'s `prices`.',
        thresholds: [threshold(null, 'green'), threshold(1, 'orange')],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      timeseries('Spend /h by model', [{ expr: spendPerHour(MODEL), legend: MODEL_LEGEND }], {
        unit: 'currencyUSD',
        stacked: true,
        description: 'US dollars per hour by provider and requested model.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Spend /h by agent', [{ expr: spendPerHour(['gen_ai_agent_name']), legend: '{{gen_ai_agent_name}}' }], {
        unit: 'currencyUSD',
        stacked: true,
        description: 'US dollars per hour by the agent that made the calls.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries(
        'Spend /h vs budget',
        [
          { expr: spendPerHour([]), legend: 'spend' },
          { expr: METRIC.llmBudget, legend: 'budget' },
        ],
        {
          unit: 'currencyUSD',
          min: 0,
          description: 'All spend against the budget the LLMSpendOverBudget alert uses (recording rule agent_llm:budget_usd_per_hour in the alert rule file).',
          w: 12,
          h: 8,
        },
      ),
    )
    .withPanel(
      timeseries('Cost per successful task by agent', [{ expr: costPerTask(['gen_ai_agent_name']), legend: '{{gen_ai_agent_name}}' }], {
        unit: 'currencyUSD',
        description: 'Per agent: cost of its LLM calls ÷ its invocations that ended without error.',
        w: 12,
        h: 8,
      }),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      timeseries(
        'Latency by model and provider',
        [
          { expr: quantile(0.5, METRIC.llmDuration, MODEL, FILTERS), legend: `p50 ${MODEL_LEGEND}` },
          { expr: quantile(0.95, METRIC.llmDuration, MODEL, FILTERS), legend: `p95 ${MODEL_LEGEND}` },
          { expr: quantile(0.99, METRIC.llmDuration, MODEL, FILTERS), legend: `p99 ${MODEL_LEGEND}` },
        ],
        { unit: 's', description: 'p50 / p95 / p99 of gen_ai_client_operation_duration_seconds per provider and requested model.', w: 12, h: 9 },
      ),
    )
    .withPanel(
      timeseries(
        'Time to first chunk by model',
        [
          { expr: quantile(0.5, METRIC.llmTimeToFirstChunk, MODEL, FILTERS), legend: `p50 ${MODEL_LEGEND}` },
          { expr: quantile(0.95, METRIC.llmTimeToFirstChunk, MODEL, FILTERS), legend: `p95 ${MODEL_LEGEND}` },
        ],
        {
          unit: 's',
          description:
            'Streaming calls only: time from the request to the first response chunk (gen_ai_client_operation_time_to_first_chunk_seconds, from the span attribute gen_ai.response.time_to_first_chunk).',
          w: 12,
          h: 9,
        },
      ),
    )
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      timeseries('Calls /s by model and operation', [{ expr: perSecond(METRIC.llmDuration, [...MODEL, 'gen_ai_operation_name'], FILTERS), legend: `${MODEL_LEGEND} {{gen_ai_operation_name}}` }], {
        unit: 'reqps',
        description: 'GenAI calls per second by provider, model and operation (chat, embeddings, …).',
        w: 8,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Error ratio by model', [{ expr: errorRatio(METRIC.llmDuration, MODEL, FILTERS), legend: MODEL_LEGEND }], {
        unit: 'percentunit',
        min: 0,
        description: 'Share of calls per model that failed.',
        w: 8,
        h: 8,
      }),
    )
    .withPanel(
      timeseries('Errors /s by model and error type', [{ expr: perSecond(METRIC.llmDuration, ['gen_ai_request_model', 'error_type'], [...FILTERS, 'error_type!=""']), legend: '{{gen_ai_request_model}} {{error_type}}' }], {
        unit: 'short',
        stacked: true,
        description: 'Failed calls per second by error.type (e.g. RateLimitError, 429, timeout).',
        w: 8,
        h: 8,
      }),
    )
    .withRow(new RowBuilder('Tokens'))
    .withPanel(
      timeseries('Tokens /s in / out by model', [{ expr: sumBy(['gen_ai_request_model', 'gen_ai_token_type'], rate(tokens('_sum'))), legend: '{{gen_ai_request_model}} {{gen_ai_token_type}}' }], {
        unit: 'short',
        stacked: true,
        description: 'Token throughput (gen_ai_client_token_usage_sum) by model and token type.',
        w: 12,
        h: 8,
      }),
    )
    .withPanel(
      timeseries(
        'Tokens per call by model',
        [
          {
            expr: `${sumBy(['gen_ai_request_model', 'gen_ai_token_type'], rate(tokens('_sum')))} / ${sumBy(['gen_ai_request_model', 'gen_ai_token_type'], rate(tokens('_count')))}`,
            legend: '{{gen_ai_request_model}} {{gen_ai_token_type}}',
          },
        ],
        { unit: 'short', description: 'Average input and output tokens per call.', w: 12, h: 8 },
      ),
    )
    .withPanel(
      table(
        'Tokens by agent and model in the range',
        [
          { expr: sumBy(['gen_ai_agent_name', 'gen_ai_request_model'], increase(sel(`${METRIC.llmTokens}_sum`, ...FILTERS, 'gen_ai_token_type="input"'), RANGE)) },
          { expr: sumBy(['gen_ai_agent_name', 'gen_ai_request_model'], increase(sel(`${METRIC.llmTokens}_sum`, ...FILTERS, 'gen_ai_token_type="output"'), RANGE)) },
          { expr: sumBy(['gen_ai_agent_name', 'gen_ai_request_model'], increase(sel(`${METRIC.llmDuration}_count`, ...FILTERS), RANGE)) },
        ],
        {
          description: 'Who spends the tokens: totals over the selected time range.',
          transformations: mergeColumns(['input tokens', 'output tokens', 'calls']),
          units: { 'input tokens': 'short', 'output tokens': 'short', calls: 'short' },
          sortBy: 'output tokens',
          w: 24,
          h: 8,
        },
      ),
    );
}

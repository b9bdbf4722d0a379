/**
 * Issue 12, config: every documented variable that can be invalid, given an invalid value → exactly one clear line
 * naming it, and the app still serves. (OTEL_SERVICE_NAME, SENTRY_ENVIRONMENT, SENTRY_RELEASE and
 * AGENT_BRIDGE_METRICS_TOKEN are free text: no value is invalid.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

const INVALID: Record<string, string> = {
  OTEL_SDK_DISABLED: 'maybe',
  OTEL_RESOURCE_ATTRIBUTES: '=nokey',
  OTEL_LOG_LEVEL: 'loud',
  OTEL_TRACES_SAMPLER: 'sometimes',
  OTEL_TRACES_SAMPLER_ARG: '2',
  OTEL_PROPAGATORS: 'tracecontext,smoke-signals',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url',
  OTEL_EXPORTER_PROMETHEUS_HOST: 'no such host!',
  OTEL_EXPORTER_PROMETHEUS_PORT: '70000',
  OTEL_BSP_MAX_QUEUE_SIZE: 'lots',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '-1',
  OTEL_BSP_SCHEDULE_DELAY: 'soon',
  OTEL_BSP_EXPORT_TIMEOUT: '0',
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '-3',
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'perhaps',
  SENTRY_DSN: 'garbage',
  SENTRY_TRACES_SAMPLE_RATE: 'abc',
  SENTRY_SAMPLE_RATE: '7',
  SENTRY_DEBUG: 'maybe',
  AGENT_BRIDGE_SENTRY_TRACES: 'maybe',
  AGENT_BRIDGE_CONFIG: '/nonexistent/bridge.json',
  AGENT_BRIDGE_METRICS_ENABLED: 'maybe',
  AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT: '0',
  AGENT_BRIDGE_INVOCATION_MAX_AGE_MS: '1h',
  AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS: '-5',
  AGENT_BRIDGE_QUIET: 'maybe',
  AGENT_BRIDGE_CONTEXT_KEYS: 'user id;x',
  AGENT_BRIDGE_CONTEXT_PERSONAL_DATA: 'maybe',
  AGENT_BRIDGE_RUNTIME_METRICS: 'maybe',
  AGENT_BRIDGE_READY_EXPORT_STALL_MS: '0',
  AGENT_BRIDGE_READY_QUEUE_FULL_MS: 'soon',
};

afterEach(stopAll);

async function check(variable: string, value: string): Promise<void> {
  const server = startNode([`${ROOT}test/fixtures/apps/server.mjs`], { env: cleanEnv({ OTEL_SERVICE_NAME: 'cfg', [variable]: value }) });
  const [, port] = await server.waitFor(/READY (\d+)/);
  expect((await fetch(`http://127.0.0.1:${port}/still-serving`)).status).toBe(200);
  const lines = server.stderr().split('\n').filter((line) => line.includes(variable) || line.includes('is invalid'));
  expect(lines, `${variable}: ${server.stderr()}`).toHaveLength(1);
  expect(lines[0]).toContain(`${variable}=`);
  expect(lines[0]).toMatch(/is invalid: expected .+; /);
  await server.stop();
}

describe('every documented variable, invalid', () => {
  assertBuilt();
  it('README documents every variable tested here', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    for (const variable of Object.keys(INVALID)) expect(readme).toContain(`\`${variable}`);
  });

  // Four children at a time keeps the file well under a minute on two cores.
  const names = Object.keys(INVALID);
  for (let i = 0; i < names.length; i += 4) {
    const group = names.slice(i, i + 4);
    it(`${group.join(', ')} → one line each, app serves`, async () => {
      await Promise.all(group.map((name) => check(name, INVALID[name]!)));
    });
  }
});

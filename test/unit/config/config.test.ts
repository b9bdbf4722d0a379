import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';

const DSN = 'http://abcdef0123456789@127.0.0.1:9000/42';

function problemsFor(env: Record<string, string>) {
  return loadConfig(env).problems;
}

describe('OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
  const names = (env: Record<string, string>) => loadConfig(env).config.instrumentations;

  it('all instrumentations by default; the enabled list narrows, the disabled list removes (disabled wins)', () => {
    expect(names({})).toEqual(['http', 'undici', 'express', 'fastify', 'koa', 'openai', 'openai-agents', 'ioredis']);
    expect(names({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai,http' })).toEqual(['http', 'openai']);
    expect(names({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' openai , undici,koa ' })).toEqual(['http', 'express', 'fastify', 'openai-agents', 'ioredis']);
    expect(names({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai' })).toEqual([]);
    expect(problemsFor({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,undici,openai', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' })).toEqual([]);
  });

  it('an unknown name is one problem line naming it; the known names in the same list still apply', () => {
    const { config, problems } = loadConfig({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai,fs,Http' });
    expect(config.instrumentations).toEqual(['http', 'undici', 'express', 'fastify', 'koa', 'openai-agents', 'ioredis']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      'OTEL_NODE_DISABLED_INSTRUMENTATIONS="openai,fs,Http" is invalid: expected a comma-separated list of http, undici, express, fastify, koa, openai, openai-agents, ioredis; ignoring "fs", "Http"',
    );
  });
});

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const { config, problems } = loadConfig({});
    expect(problems).toEqual([]);
    expect(config.disabled).toBe(false);
    expect(config.environment).toBe('development');
    expect(config.sampling.rootRate).toBe(1);
    expect(config.sentry.dsn).toBeUndefined();
    expect(config.propagators).toEqual(['tracecontext', 'baggage', 'sentry']);
    expect(config.prometheus).toMatchObject({ enabled: true, host: '0.0.0.0', port: 9464, cardinalityLimit: 2000, invocationMaxAgeMs: 3_600_000 });
    expect(config.prices).toEqual({});
    expect(config.shutdownTimeoutMs).toBe(5000);
    expect(config.sourceMaps).toBe('auto');
  });

  it.each(['auto', 'on', 'off'] as const)('AGENT_BRIDGE_SOURCE_MAPS=%s is read', (mode) => {
    const { config, problems } = loadConfig({ AGENT_BRIDGE_SOURCE_MAPS: mode });
    expect(problems).toEqual([]);
    expect(config.sourceMaps).toBe(mode);
  });

  it.each([
    ['SENTRY_TRACES_SAMPLE_RATE', 'abc', 'a number between 0 and 1'],
    ['SENTRY_TRACES_SAMPLE_RATE', '1.5', 'a number between 0 and 1'],
    ['SENTRY_DSN', 'not-a-dsn', 'a Sentry DSN'],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '70000', 'a port number from 0 to 65535'],
    ['OTEL_SDK_DISABLED', 'maybe', 'true or false'],
    ['SENTRY_DEBUG', 'maybe', 'true or false'],
    ['OTEL_PROPAGATORS', 'tracecontext,jaeger-ish', 'a comma-separated list'],
    ['OTEL_TRACES_SAMPLER', 'sometimes', 'one of always_on'],
    ['AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS', '-5', 'milliseconds'],
    ['AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT', '0', 'at least 1'],
    ['AGENT_BRIDGE_INVOCATION_MAX_AGE_MS', '1h', 'milliseconds'],
    ['AGENT_BRIDGE_SOURCE_MAPS', 'yes', 'one of auto, on, off'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', 'lots', 'a whole number'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://nope', 'an http(s) URL'],
    ['OTEL_RESOURCE_ATTRIBUTES', '=x', 'key=value'],
  ])('%s=%s → exactly one line naming the variable, value and expectation', (variable, value, expected) => {
    const problems = problemsFor({ [variable]: value });
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem!.variable).toBe(variable);
    expect(problem!.message).toContain(variable);
    expect(problem!.message).toContain(expected);
    expect(problem!.message).not.toContain('\n');
  });

  it('falls back to the default for only the bad setting', () => {
    const { config } = loadConfig({ SENTRY_TRACES_SAMPLE_RATE: 'abc', SENTRY_ENVIRONMENT: 'production', SENTRY_DSN: DSN });
    expect(config.sampling.rootRate).toBe(0.1);
    expect(config.sentry.dsn).toBe(DSN);
    expect(config.sentry.publicKey).toBe('abcdef0123456789');
  });

  it('turns only Sentry off for a malformed DSN, and never prints the key', () => {
    const { config, problems } = loadConfig({ SENTRY_DSN: 'http://secretkey123@' });
    expect(config.sentry.dsn).toBeUndefined();
    expect(config.prometheus.enabled).toBe(true);
    expect(problems[0]!.message).not.toContain('secretkey123');
  });

  it('picks the sampling rate from the environment unless SENTRY_TRACES_SAMPLE_RATE is set', () => {
    expect(loadConfig({ SENTRY_ENVIRONMENT: 'production' }).config.sampling.rootRate).toBe(0.1);
    expect(loadConfig({ SENTRY_ENVIRONMENT: 'staging' }).config.sampling.rootRate).toBe(0.5);
    expect(loadConfig({ NODE_ENV: 'production' }).config.sampling.rootRate).toBe(0.1);
    expect(loadConfig({ SENTRY_ENVIRONMENT: 'production', SENTRY_TRACES_SAMPLE_RATE: '0.3' }).config.sampling.rootRate).toBe(0.3);
  });

  it('resolves environment and release in the documented order', () => {
    expect(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=qa,service.version=9' }).config).toMatchObject({
      environment: 'qa',
      release: '9',
    });
    expect(loadConfig({ SENTRY_RELEASE: 'r1', OTEL_RESOURCE_ATTRIBUTES: 'service.version=9' }).config.release).toBe('r1');
  });

  it('reads sampling rules and operational errors from the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-config-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ sampling: { rules: [{ spanType: 'ai.request', rate: 0.5 }] }, operationalErrors: ['Nope'] }));
    const { config, problems } = loadConfig({ AGENT_BRIDGE_CONFIG: file });
    expect(problems).toEqual([]);
    expect(config.sampling.rules).toEqual([{ spanType: 'ai.request', rate: 0.5 }]);
    expect(config.operationalErrors).toEqual(['Nope']);
  });

  it('reports a broken JSON config file in one line and ignores it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "sampling": ');
    const { config, problems } = loadConfig({ AGENT_BRIDGE_CONFIG: file });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/AGENT_BRIDGE_CONFIG=.*valid JSON/);
    expect(config.sampling.rules).toEqual([]);
  });

  it('rejects a config file that does not match the schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aob-config-'));
    const file = join(dir, 'schema.json');
    writeFileSync(file, JSON.stringify({ sampling: { rules: [{ rate: 7 }] } }));
    expect(problemsFor({ AGENT_BRIDGE_CONFIG: file })[0]!.message).toContain('sampling.rules.0.rate');
  });

  it('context allowlist: ids by default, `none`, a custom list; personal keys only with the switch (one line otherwise)', () => {
    expect(loadConfig({}).config.context).toEqual({ keys: ['user.id', 'enduser.id', 'tenant.id', 'session.id', 'gen_ai.conversation.id'], personalData: false });
    expect(loadConfig({ AGENT_BRIDGE_CONTEXT_KEYS: 'none' }).config.context.keys).toEqual([]);
    expect(loadConfig({ AGENT_BRIDGE_CONTEXT_KEYS: 'user.id, org.id,org.id' }).config.context.keys).toEqual(['user.id', 'org.id']);
    const withoutSwitch = loadConfig({ AGENT_BRIDGE_CONTEXT_KEYS: 'user.id,user.email' });
    expect(withoutSwitch.config.context.keys).toEqual(['user.id']);
    expect(withoutSwitch.problems.map((p) => p.variable)).toEqual(['AGENT_BRIDGE_CONTEXT_KEYS']);
    expect(withoutSwitch.problems[0]!.message).toContain('AGENT_BRIDGE_CONTEXT_PERSONAL_DATA');
    const withSwitch = loadConfig({ AGENT_BRIDGE_CONTEXT_KEYS: 'user.id,user.email', AGENT_BRIDGE_CONTEXT_PERSONAL_DATA: 'true' });
    expect(withSwitch).toMatchObject({ config: { context: { keys: ['user.id', 'user.email'], personalData: true } }, problems: [] });
    const bad = loadConfig({ AGENT_BRIDGE_CONTEXT_KEYS: 'user id;x' });
    expect(bad.config.context.keys).toContain('tenant.id');
    expect(bad.problems.map((p) => p.variable)).toEqual(['AGENT_BRIDGE_CONTEXT_KEYS']);
  });

  it('runtime metrics and readiness thresholds', () => {
    expect(loadConfig({}).config).toMatchObject({ runtimeMetrics: true, readiness: { exportStallMs: 60_000, queueFullMs: 30_000 } });
    const set = loadConfig({ AGENT_BRIDGE_RUNTIME_METRICS: 'false', AGENT_BRIDGE_READY_EXPORT_STALL_MS: '1500', AGENT_BRIDGE_READY_QUEUE_FULL_MS: '0' });
    expect(set.config).toMatchObject({ runtimeMetrics: false, readiness: { exportStallMs: 1500, queueFullMs: 30_000 } });
    expect(set.problems.map((p) => p.variable)).toEqual(['AGENT_BRIDGE_READY_QUEUE_FULL_MS']);
  });

  it('never prints a DSN key, also of a malformed DSN', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    for (const dsn of [`${key}@127.0.0.1/1`, `http//${key}@127.0.0.1/1`, `http://${key}@127.0.0.1/x`, `http://${key}:secret@127.0.0.1:9000/`]) {
      const { problems } = loadConfig({ SENTRY_DSN: dsn });
      expect(problems.map((p) => p.variable)).toEqual(['SENTRY_DSN']);
      expect(problems[0]!.message).not.toContain(key.slice(0, 8));
      expect(problems[0]!.message).toContain('***@127.0.0.1');
    }
  });
});

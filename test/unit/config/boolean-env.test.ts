/**
 * One boolean parser for every boolean environment variable (issue 16 item 5): the configuration, the log's
 * AGENT_BRIDGE_QUIET, the preload's OTEL_SDK_DISABLED (test/e2e/shutdown-edges.test.ts) and content capture
 * (test/unit/agent/content.test.ts) all read true/1/yes/on and false/0/no/off alike, case-insensitive and trimmed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBooleanEnv } from '../../../src/agent/boolean-env.js';
import { loadConfig } from '../../../src/config.js';
import { info } from '../../../src/log.js';

const TRUTHY = ['true', '1', 'yes', 'on', 'TRUE', ' On '];
const FALSY = ['false', '0', 'no', 'off', 'False', ' OFF '];
const BOOLEAN_VARS = [
  'OTEL_SDK_DISABLED',
  'SENTRY_DEBUG',
  'AGENT_BRIDGE_SENTRY_TRACES',
  'AGENT_BRIDGE_METRICS_ENABLED',
  'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
  'AGENT_BRIDGE_RUNTIME_METRICS',
  'AGENT_BRIDGE_QUIET',
  'AGENT_BRIDGE_CONTEXT_PERSONAL_DATA',
];

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.AGENT_BRIDGE_QUIET;
});

describe('parseBooleanEnv', () => {
  it('reads the recognised values, and nothing else', () => {
    for (const value of TRUTHY) expect(parseBooleanEnv(value), value).toBe(true);
    for (const value of FALSY) expect(parseBooleanEnv(value), value).toBe(false);
    for (const value of [undefined, '', ' ', 'enabled', 'y', '2', 'truee']) expect(parseBooleanEnv(value), String(value)).toBeUndefined();
  });
});

describe('every boolean variable', () => {
  it.each(BOOLEAN_VARS)('%s accepts exactly the values parseBooleanEnv recognises', (name) => {
    for (const value of [...TRUTHY, ...FALSY]) expect(loadConfig({ [name]: value }).problems, `${name}=${value}`).toEqual([]);
    const { problems } = loadConfig({ [name]: 'enabled' });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain(name);
  });

  it('reads the same truth from the same value (fields of the configuration)', () => {
    for (const value of TRUTHY) {
      const { config } = loadConfig({ OTEL_SDK_DISABLED: value, AGENT_BRIDGE_METRICS_ENABLED: value, SENTRY_DEBUG: value });
      expect([config.disabled, config.prometheus.enabled, config.sentry.debug], value).toEqual([true, true, true]);
    }
    for (const value of FALSY) {
      const { config } = loadConfig({ OTEL_SDK_DISABLED: value, AGENT_BRIDGE_METRICS_ENABLED: value, SENTRY_DEBUG: value });
      expect([config.disabled, config.prometheus.enabled, config.sentry.debug], value).toEqual([false, false, false]);
    }
  });

  it('the log reads AGENT_BRIDGE_QUIET with the same parser', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    for (const value of TRUTHY) {
      process.env.AGENT_BRIDGE_QUIET = value;
      info('quiet?');
    }
    expect(write).not.toHaveBeenCalled();
    for (const value of FALSY) {
      process.env.AGENT_BRIDGE_QUIET = value;
      info('not quiet');
    }
    expect(write).toHaveBeenCalledTimes(FALSY.length);
  });
});

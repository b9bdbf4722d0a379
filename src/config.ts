/**
 * The bridge's configuration, parsed once from the environment (README, Configuration) and the optional
 * `AGENT_BRIDGE_CONFIG` JSON file (its schema in config-file.ts, checked with zod; the variables' values in
 * env-values.ts).
 *
 * Every variable is validated on its own: a bad value produces exactly one line naming the variable, the value
 * and what was expected, and only that setting falls back to its default (a bad DSN turns only Sentry off).
 * Parsing never throws — the host application always keeps running.
 */
import { readConfigFile } from './config-file.js';
import { bool, hostname, httpUrl, nonNegativeInt, oneOf, port, positiveInt, rate, type EnvValue } from './env-values.js';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from './agent/semconv-incubating.js';
import { DEFAULT_OPERATIONAL_ERRORS } from './errors/classify.js';
import { maskDsn, maskUrlCredentials } from './mask-url.js';
import { parseSentryDsn } from './sentry-dsn.js';
import type { ModelPrice } from './metrics/prices.js';
import { DEFAULT_CONTEXT_KEYS, MAX_CONTEXT_KEYS, PERSONAL_KEYS } from './context/keys.js';
import { SOURCE_MAPS_MODES, type SourceMapsMode } from './source-maps.js';
import { DEFAULT_PROPAGATOR_NAMES, SUPPORTED_PROPAGATOR_NAMES, isSupportedPropagatorName, type SupportedPropagatorName } from './propagation/names.js';
import { INSTRUMENTATION_NAMES, isInstrumentationName, type InstrumentationName } from './instrumentation-names.js';

export type PropagatorName = SupportedPropagatorName;

export const SUPPORTED_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SUPPORTED_SAMPLERS)[number];

const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;

/** A sampling rule from the config file: the first rule whose every given field matches sets the root rate. */
export interface SamplingRule {
  spanName?: string;
  /** A route pattern (`/users/:id`, `/batch/*`) matched against the request path at span start. */
  urlPath?: string;
  /** Deprecated: read as `urlPath` (`http.route` is set only after the sampler decided). */
  httpRoute?: string;
  agent?: string;
  spanType?: string;
  rate: number;
}

export interface BridgeConfig {
  disabled: boolean;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed (the SDK's own detector reads it too; we need service.* early). */
  resourceAttributes: Record<string, string>;
  logLevel: (typeof LOG_LEVELS)[number] | undefined;
  environment: string;
  /** SENTRY_RELEASE → service.version; the CI commit fallback is resolved by the Sentry SDK at init. */
  release: string | undefined;
  sentry: {
    /** Undefined → Sentry parts off, metrics still on. */
    dsn: string | undefined;
    publicKey: string | undefined;
    sampleRate: number;
    debug: boolean;
    /** Export spans straight to Sentry's OTLP endpoint (off when a collector forwards them instead). */
    traces: boolean;
  };
  sampling: {
    /** SENTRY_TRACES_SAMPLE_RATE, else by environment (production 0.1, staging 0.5, otherwise 1.0). */
    rootRate: number;
    rootRateSource: 'SENTRY_TRACES_SAMPLE_RATE' | 'environment';
    /** An explicit OTEL_TRACES_SAMPLER wins over the ratio above. */
    explicit: { name: SamplerName; arg: number | undefined } | undefined;
    rules: SamplingRule[];
  };
  /** Unsampled spans held for an error in their trace (src/processors/error-traces.ts); 0 bytes = off. */
  errorTraceBuffer: { maxBytes: number; maxAgeMs: number };
  propagators: PropagatorName[];
  otlp: {
    /** Extra OTLP export (the collector path): OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT. */
    enabled: boolean;
  };
  prometheus: {
    enabled: boolean;
    host: string;
    port: number;
    token: string | undefined;
    cardinalityLimit: number;
    /** An agent invocation running longer leaves agent_active_invocations, counted as abandoned. */
    invocationMaxAgeMs: number;
  };
  /** USD per 1M tokens by model, from the config file: override and extend the built-in prices (src/metrics/prices.ts). */
  prices: Record<string, ModelPrice>;
  batch: {
    maxQueueSize: number;
    maxExportBatchSize: number;
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
  };
  captureMessageContent: boolean;
  /**
   * The bridge's instrumentations that may load (each still needs its library installed): all of them, narrowed by
   * OTEL_NODE_ENABLED_INSTRUMENTATIONS, minus OTEL_NODE_DISABLED_INSTRUMENTATIONS.
   */
  instrumentations: InstrumentationName[];
  /** AGENT_BRIDGE_SOURCE_MAPS: Node's source maps for the app's stack traces (src/source-maps.ts). */
  sourceMaps: SourceMapsMode;
  shutdownTimeoutMs: number;
  operationalErrors: string[];
  scrub: { extraKeys: string[] };
  /** Who / which tenant: the allowlist copied onto spans and Sentry events (src/context/keys.ts). */
  context: {
    /** AGENT_BRIDGE_CONTEXT_KEYS; default user.id, enduser.id, tenant.id, session.id, gen_ai.conversation.id. */
    keys: string[];
    /** AGENT_BRIDGE_CONTEXT_PERSONAL_DATA: honour keys that may identify a person (user.email, user.name, …). */
    personalData: boolean;
  };
  /** AGENT_BRIDGE_RUNTIME_METRICS: event loop, heap, GC, CPU and RSS on /metrics. */
  runtimeMetrics: boolean;
  /** `/readyz` of the metrics server: when the bridge reports itself unready (exporters/readiness). */
  readiness: {
    /** AGENT_BRIDGE_READY_EXPORT_STALL_MS: an exporter without a successful export for this long while trying. */
    exportStallMs: number;
    /** AGENT_BRIDGE_READY_QUEUE_FULL_MS: unready while an export queue dropped a span this recently. */
    queueFullMs: number;
  };
  /** Path of the AGENT_BRIDGE_CONFIG file, when one was given and read. */
  configFile: string | undefined;
}

/** One rejected setting: the single line the user sees, and the variable for tests and `check`. */
export interface ConfigProblem {
  variable: string;
  value: string;
  expected: string;
  message: string;
}

export interface LoadedConfig {
  config: BridgeConfig;
  problems: ConfigProblem[];
}

type Env = Record<string, string | undefined>;

// ---- the parser ------------------------------------------------------------------------------------------------

class Reader {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  /** Parse one variable; on failure record the single line and return undefined (→ default). */
  get<T>(name: string, parse: EnvValue<T>, expected: string): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed !== undefined) return parsed;
    this.reject(name, value, expected);
    return undefined;
  }

  reject(variable: string, value: string, expected: string, consequence = 'using the default'): void {
    const shown = variable === 'SENTRY_DSN' ? maskDsn(value) : truncate(maskUrlCredentials(value), 80);
    this.problems.push({
      variable,
      value: shown,
      expected,
      message: `${variable}=${JSON.stringify(shown)} is invalid: expected ${expected}; ${consequence}`,
    });
  }
}

export function loadConfig(env: Env = process.env): LoadedConfig {
  const r = new Reader(env);

  const disabled = r.get('OTEL_SDK_DISABLED', bool, 'true or false') ?? false;
  const resourceAttributes = parseResourceAttributes(r);
  const serviceName = r.raw('OTEL_SERVICE_NAME') ?? resourceAttributes[ATTR_SERVICE_NAME] ?? defaultServiceName();
  const environment =
    r.raw('SENTRY_ENVIRONMENT') ?? resourceAttributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] ?? r.raw('NODE_ENV') ?? 'development';
  const release = r.raw('SENTRY_RELEASE') ?? resourceAttributes[ATTR_SERVICE_VERSION];

  const dsn = parseDsn(r);
  const tracesRate = r.get('SENTRY_TRACES_SAMPLE_RATE', rate, 'a number between 0 and 1');
  const filePath = r.raw('AGENT_BRIDGE_CONFIG');
  const file = filePath === undefined ? undefined : readConfigFile(filePath, (expected) => r.reject('AGENT_BRIDGE_CONFIG', filePath, expected, 'ignoring it'));

  const explicitName = r.get('OTEL_TRACES_SAMPLER', oneOf(SUPPORTED_SAMPLERS), `one of ${SUPPORTED_SAMPLERS.join(', ')}`);
  const explicitArg = r.get('OTEL_TRACES_SAMPLER_ARG', rate, 'a number between 0 and 1');

  const config: BridgeConfig = {
    disabled,
    serviceName,
    resourceAttributes,
    logLevel: r.get('OTEL_LOG_LEVEL', oneOf(LOG_LEVELS), `one of ${LOG_LEVELS.join(', ')}`),
    environment,
    release,
    sentry: {
      dsn: dsn?.dsn,
      publicKey: dsn?.publicKey,
      sampleRate: r.get('SENTRY_SAMPLE_RATE', rate, 'a number between 0 and 1') ?? 1,
      debug: r.get('SENTRY_DEBUG', bool, 'true or false') ?? false,
      traces: r.get('AGENT_BRIDGE_SENTRY_TRACES', bool, 'true or false') ?? true,
    },
    sampling: {
      rootRate: tracesRate ?? rateForEnvironment(environment),
      rootRateSource: tracesRate === undefined ? 'environment' : 'SENTRY_TRACES_SAMPLE_RATE',
      explicit: explicitName === undefined ? undefined : { name: explicitName, arg: explicitArg },
      rules: file?.sampling?.rules ?? [],
    },
    errorTraceBuffer: {
      maxBytes: r.get('AGENT_BRIDGE_ERROR_TRACE_BUFFER_BYTES', nonNegativeInt, 'bytes, a whole number ≥ 0 (0 turns it off)') ?? 8 * 2 ** 20,
      maxAgeMs: r.get('AGENT_BRIDGE_ERROR_TRACE_BUFFER_AGE_MS', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 60_000,
    },
    propagators: parsePropagators(r),
    otlp: { enabled: parseOtlpEndpoint(r) },
    prometheus: {
      enabled: r.get('AGENT_BRIDGE_METRICS_ENABLED', bool, 'true or false') ?? true,
      host: r.get('OTEL_EXPORTER_PROMETHEUS_HOST', hostname, 'a host name or IP address to bind') ?? '0.0.0.0',
      port: r.get('OTEL_EXPORTER_PROMETHEUS_PORT', port, 'a port number from 0 to 65535') ?? 9464,
      token: r.raw('AGENT_BRIDGE_METRICS_TOKEN'),
      cardinalityLimit:
        r.get('AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT', positiveInt, 'a whole number of at least 1') ?? 2000,
      invocationMaxAgeMs:
        r.get('AGENT_BRIDGE_INVOCATION_MAX_AGE_MS', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 3_600_000,
    },
    prices: file?.prices ?? {},
    batch: {
      maxQueueSize: r.get('OTEL_BSP_MAX_QUEUE_SIZE', positiveInt, 'a whole number of at least 1') ?? 2048,
      maxExportBatchSize: r.get('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', positiveInt, 'a whole number of at least 1') ?? 512,
      scheduledDelayMillis: r.get('OTEL_BSP_SCHEDULE_DELAY', nonNegativeInt, 'milliseconds, a whole number ≥ 0') ?? 5000,
      exportTimeoutMillis: r.get('OTEL_BSP_EXPORT_TIMEOUT', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 30000,
    },
    captureMessageContent:
      r.get('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', bool, 'true or false') ?? false,
    instrumentations: parseInstrumentations(r),
    sourceMaps: r.get('AGENT_BRIDGE_SOURCE_MAPS', oneOf(SOURCE_MAPS_MODES), `one of ${SOURCE_MAPS_MODES.join(', ')}`) ?? 'auto',
    shutdownTimeoutMs:
      r.get('AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 5000,
    operationalErrors: file?.operationalErrors ?? [...DEFAULT_OPERATIONAL_ERRORS],
    scrub: { extraKeys: file?.scrub?.extraKeys ?? [] },
    context: parseContext(r),
    runtimeMetrics: r.get('AGENT_BRIDGE_RUNTIME_METRICS', bool, 'true or false') ?? true,
    readiness: {
      exportStallMs: r.get('AGENT_BRIDGE_READY_EXPORT_STALL_MS', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 60_000,
      queueFullMs: r.get('AGENT_BRIDGE_READY_QUEUE_FULL_MS', positiveInt, 'milliseconds, a whole number ≥ 1') ?? 30_000,
    },
    configFile: file === undefined ? undefined : r.raw('AGENT_BRIDGE_CONFIG'),
  };
  // Validated here so that `check` reports them; the SDK and the logger read these values themselves.
  r.get('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', nonNegativeInt, 'a whole number ≥ 0');
  r.get('AGENT_BRIDGE_QUIET', bool, 'true or false');
  if (config.batch.maxExportBatchSize > config.batch.maxQueueSize) {
    r.reject(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      String(config.batch.maxExportBatchSize),
      `at most OTEL_BSP_MAX_QUEUE_SIZE (${config.batch.maxQueueSize})`,
      'using the queue size',
    );
    config.batch.maxExportBatchSize = config.batch.maxQueueSize;
  }
  return { config, problems: r.problems };
}

export function rateForEnvironment(environment: string): number {
  if (environment === 'production') return 0.1;
  if (environment === 'staging') return 0.5;
  return 1;
}

function defaultServiceName(): string {
  const script = process.argv[1];
  const base = script === undefined ? '' : script.split(/[\\/]/).pop()?.replace(/\.[cm]?[jt]s$/, '') ?? '';
  return base === '' ? 'unknown_service:node' : `unknown_service:${base}`;
}

function parseDsn(r: Reader): { dsn: string; publicKey: string } | undefined {
  const value = r.raw('SENTRY_DSN');
  if (value === undefined) return undefined;
  const parsed = /^https?:\/\/[^@/\s]+@[^/\s]+\/.*\d$/.test(value) ? parseSentryDsn(value) : undefined;
  if (!parsed?.publicKey || !parsed.projectId) {
    r.reject('SENTRY_DSN', value, 'a Sentry DSN like http://<public_key>@<host>:<port>/<project_id>', 'Sentry export is off');
    return undefined;
  }
  return { dsn: value, publicKey: parsed.publicKey };
}

function parsePropagators(r: Reader): PropagatorName[] {
  const value = r.raw('OTEL_PROPAGATORS');
  const fallback: PropagatorName[] = [...DEFAULT_PROPAGATOR_NAMES];
  if (value === undefined) return fallback;
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const known = names.filter(isSupportedPropagatorName);
  if (known.length !== names.length || names.length === 0) {
    r.reject('OTEL_PROPAGATORS', value, `a comma-separated list of ${SUPPORTED_PROPAGATOR_NAMES.join(', ')}`);
    return fallback;
  }
  return [...new Set(known)];
}

/**
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS, as @opentelemetry/auto-instrumentations-node
 * reads them (its utils.ts `getNodeAutoInstrumentations`): comma-separated short names (the package name after
 * `@opentelemetry/instrumentation-`); when the enabled list is set only those load, and the disabled list removes
 * from that. An unknown name is one warning line and is ignored; the known names in the same list still apply.
 */
function parseInstrumentations(r: Reader): InstrumentationName[] {
  const list = (variable: string): InstrumentationName[] | undefined => {
    const value = r.raw(variable);
    if (value === undefined) return undefined;
    const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
    const unknown = names.filter((name) => !isInstrumentationName(name));
    if (unknown.length > 0) {
      r.reject(variable, value, `a comma-separated list of ${INSTRUMENTATION_NAMES.join(', ')}`, `ignoring ${unknown.map((name) => JSON.stringify(name)).join(', ')}`);
    }
    return names.filter(isInstrumentationName);
  };
  const enabled = list('OTEL_NODE_ENABLED_INSTRUMENTATIONS') ?? [...INSTRUMENTATION_NAMES];
  const disabled = new Set(list('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []);
  return INSTRUMENTATION_NAMES.filter((name) => enabled.includes(name) && !disabled.has(name));
}

const CONTEXT_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

/** The context allowlist: comma-separated attribute / baggage names, `none` for none; personal keys need the switch. */
function parseContext(r: Reader): BridgeConfig['context'] {
  const personalData = r.get('AGENT_BRIDGE_CONTEXT_PERSONAL_DATA', bool, 'true or false') ?? false;
  const value = r.raw('AGENT_BRIDGE_CONTEXT_KEYS');
  if (value === undefined) return { keys: [...DEFAULT_CONTEXT_KEYS], personalData };
  if (value.toLowerCase() === 'none') return { keys: [], personalData };
  const keys = [...new Set(value.split(',').map((key) => key.trim()).filter((key) => key !== ''))];
  if (keys.length === 0 || keys.length > MAX_CONTEXT_KEYS || !keys.every((key) => CONTEXT_KEY.test(key))) {
    r.reject('AGENT_BRIDGE_CONTEXT_KEYS', value, `up to ${MAX_CONTEXT_KEYS} comma-separated attribute names (letters, digits, . _ -), or none`);
    return { keys: [...DEFAULT_CONTEXT_KEYS], personalData };
  }
  const personal = keys.filter((key) => PERSONAL_KEYS.has(key));
  if (personal.length > 0 && !personalData) {
    r.reject(
      'AGENT_BRIDGE_CONTEXT_KEYS',
      value,
      `ids only unless AGENT_BRIDGE_CONTEXT_PERSONAL_DATA=true (${personal.join(', ')} may identify a person)`,
      `ignoring ${personal.join(', ')}`,
    );
    return { keys: keys.filter((key) => !PERSONAL_KEYS.has(key)), personalData };
  }
  return { keys, personalData };
}

function parseOtlpEndpoint(r: Reader): boolean {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    if (r.raw(name) === undefined) continue;
    if (r.get(name, httpUrl, 'an http(s) URL such as http://127.0.0.1:4318') !== undefined) return true;
    return false;
  }
  return false;
}

function parseResourceAttributes(r: Reader): Record<string, string> {
  const value = r.raw('OTEL_RESOURCE_ATTRIBUTES');
  const attributes: Record<string, string> = {};
  if (value === undefined) return attributes;
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (key === '') {
      r.reject('OTEL_RESOURCE_ATTRIBUTES', value, 'comma-separated key=value pairs', 'ignoring it');
      return {};
    }
    try {
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      attributes[key] = pair.slice(at + 1).trim();
    }
  }
  return attributes;
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}

/**
 * `agent-otel-bridge check`: the "test connection" button as a CLI. Prints the effective configuration (the DSN
 * key and the credentials of every URL masked), validates it, checks that the Sentry and collector OTLP endpoints
 * answer and that the metrics port is free. Exit 0 when all is well, 1 with the reasons otherwise.
 */
import { createServer } from 'node:net';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { loadConfig, type BridgeConfig } from '../config.js';
import { maskDsn } from '../mask-url.js';
import { maskUrlCredentials } from '../mask-url.js';

type Env = Record<string, string | undefined>;
type Print = (line: string) => void;

export async function runCheckCommand(_argv: string[], env: Env = process.env, print: Print = console.log): Promise<number> {
  const { config, problems } = loadConfig(env);
  const failures = problems.map((problem) => problem.message);

  print('agent-otel-bridge: effective configuration');
  for (const [key, value] of describe(config)) print(`  ${key.padEnd(22)} ${value}`);

  if (!config.disabled) {
    if (config.sentry.dsn !== undefined) {
      const endpoint = getOtlpTracesEndpoint(config.sentry.dsn);
      if (endpoint === undefined) failures.push('SENTRY_DSN: cannot derive the Sentry OTLP endpoint');
      else await checkEndpoint('Sentry OTLP endpoint', endpoint.url, endpoint.headers, failures, print);
    }
    const collector = collectorTracesUrl(env);
    if (collector !== undefined) await checkEndpoint('collector OTLP endpoint', collector, {}, failures, print);
    if (config.prometheus.enabled) await checkPortFree(config.prometheus.host, config.prometheus.port, failures, print);
  }

  if (failures.length === 0) {
    print('check: OK');
    return 0;
  }
  for (const failure of failures) print(`check: FAIL ${failure}`);
  return 1;
}

function describe(config: BridgeConfig): [string, string][] {
  const rate = config.sampling.explicit
    ? `${config.sampling.explicit.name}${config.sampling.explicit.arg === undefined ? '' : ` (${config.sampling.explicit.arg})`} (OTEL_TRACES_SAMPLER)`
    : `${config.sampling.rootRate} (${config.sampling.rootRateSource})`;
  return [
    ['enabled', String(!config.disabled)],
    ['service', config.serviceName],
    ['environment', config.environment],
    ['release', config.release ?? '(from CI variables, if any)'],
    ['sentry dsn', config.sentry.dsn === undefined ? '(not set: Sentry off)' : maskDsn(config.sentry.dsn)],
    ['trace sampling', rate],
    ['sampling rules', String(config.sampling.rules.length)],
    ['propagators', config.propagators.join(',')],
    ['collector export', config.otlp.enabled ? 'on (OTEL_EXPORTER_OTLP_*)' : 'off'],
    ['metrics', config.prometheus.enabled ? `http://${config.prometheus.host}:${config.prometheus.port}/metrics${config.prometheus.token ? ' (bearer token)' : ''}` : 'off'],
    ['cardinality limit', String(config.prometheus.cardinalityLimit)],
    ['runtime metrics', config.runtimeMetrics && config.prometheus.enabled ? 'on' : 'off'],
    ['readiness (/readyz)', `unready after ${config.readiness.exportStallMs} ms without a successful export, or ${config.readiness.queueFullMs} ms after a full queue`],
    ['context keys', `${config.context.keys.length === 0 ? '(none)' : config.context.keys.join(',')}${config.context.personalData ? ' (personal data on)' : ' (ids only)'}`],
    ['message content', config.captureMessageContent ? 'captured' : 'not captured'],
    ['instrumentations', config.instrumentations.length === 0 ? 'none' : `${config.instrumentations.join(',')} (each when its library is installed)`],
    ['source maps', config.sourceMaps === 'auto' ? 'auto (on when the entry script ships a map)' : config.sourceMaps],
    ['shutdown timeout', `${config.shutdownTimeoutMs} ms`],
  ];
}

function collectorTracesUrl(env: Env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** An empty OTLP request is a valid, harmless export: any answer but an auth error or 5xx means "reachable". */
async function checkEndpoint(label: string, url: string, headers: Record<string, string>, failures: string[], print: Print): Promise<void> {
  const shown = maskUrlCredentials(url);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...headers },
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(3000),
    });
    if (response.status === 401 || response.status === 403) failures.push(`${label} ${shown} rejected the key (HTTP ${response.status})`);
    else if (response.status === 404) failures.push(`${label} ${shown} not found (HTTP 404)`);
    else if (response.status >= 500) failures.push(`${label} ${shown} answered HTTP ${response.status}`);
    else print(`  ${label}: ${shown} answered HTTP ${response.status}`);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    failures.push(`${label} ${shown} is unreachable (${cause})`);
  }
}

async function checkPortFree(host: string, port: number, failures: string[], print: Print): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      failures.push(`metrics port ${host}:${port} is not available (${err.code ?? err.message})`);
      resolve();
    });
    server.listen(port, host, () => {
      print(`  metrics port: ${host}:${port} is free`);
      server.close(() => resolve());
    });
  });
}

// Static checks of an OpenTelemetry Collector configuration: only components of the contrib distribution, by
// their current names; pipelines wired to defined components; tail sampling that keeps errors.

/** Image the manifests pin; the component list below is checked against this release's manifest. */
export const CONTRIB_IMAGE = 'otel/opentelemetry-collector-contrib:0.159.0';

/**
 * Component type names of otelcol-contrib 0.159.0 (distributions/otelcol-contrib/manifest.yaml in
 * opentelemetry-collector-releases) — a curated subset: the ones these manifests use plus common neighbours.
 * Current lower_snake_case names only; the deprecated aliases are listed separately and rejected.
 */
export const CONTRIB_COMPONENTS = {
  receivers: ['otlp', 'prometheus', 'jaeger', 'zipkin', 'kafka', 'hostmetrics', 'kubeletstats', 'statsd', 'syslog', 'journald', 'httpcheck', 'file_log', 'k8s_objects'],
  processors: ['batch', 'memory_limiter', 'tail_sampling', 'probabilistic_sampler', 'attributes', 'resource', 'filter', 'transform', 'span', 'redaction', 'groupbytrace', 'k8s_attributes', 'cumulativetodelta'],
  exporters: ['otlp_grpc', 'otlp_http', 'debug', 'nop', 'load_balancing', 'prometheus', 'prometheusremotewrite', 'file', 'kafka', 'sentry', 'zipkin'],
  extensions: ['health_check', 'pprof', 'zpages', 'basicauth', 'bearertokenauth', 'headers_setter', 'oauth2client', 'file_storage', 'cgroup_runtime'],
  connectors: ['forward', 'spanmetrics', 'servicegraph', 'routing', 'count', 'failover', 'roundrobin', 'exceptions'],
} as const;

/** Old names still accepted by 0.159 with a deprecation warning — not to be used in new config. */
export const DEPRECATED_ALIASES: Record<string, Record<string, string>> = {
  receivers: { filelog: 'file_log', k8sobjects: 'k8s_objects' },
  processors: { k8sattributes: 'k8s_attributes' },
  exporters: { otlp: 'otlp_grpc', otlphttp: 'otlp_http', loadbalancing: 'load_balancing' },
  extensions: { cgroupruntime: 'cgroup_runtime' },
  connectors: {},
};

type Section = keyof typeof CONTRIB_COMPONENTS;
const SECTIONS = Object.keys(CONTRIB_COMPONENTS) as Section[];
export type CollectorConfig = Record<string, any>;

/** `otlp_http/sentry` → `otlp_http` (a component ID is type[/name]). */
export const componentType = (id: string): string => id.split('/')[0]!;

export function checkComponents(config: CollectorConfig): string[] {
  const problems: string[] = [];
  for (const section of SECTIONS) {
    for (const id of Object.keys(config[section] ?? {})) {
      const type = componentType(id);
      const alias = DEPRECATED_ALIASES[section]?.[type];
      if (alias) problems.push(`${section}.${id}: deprecated alias, use ${alias}`);
      else if (!(CONTRIB_COMPONENTS[section] as readonly string[]).includes(type)) {
        problems.push(`${section}.${id}: "${type}" is not a known otelcol-contrib component`);
      }
    }
  }
  for (const key of Object.keys(config)) {
    if (![...SECTIONS, 'service'].includes(key as Section)) problems.push(`unknown top-level key "${key}"`);
  }
  return problems;
}

/** Pipelines reference defined components, every defined component is used, extensions are enabled. */
export function checkWiring(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const pipelines: Record<string, Record<string, string[]>> = config.service?.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) problems.push('service.pipelines is empty');
  const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set() };
  for (const [name, pipeline] of Object.entries(pipelines)) {
    for (const section of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[section] ?? []) {
        used[section]!.add(id);
        if (!(id in (config[section] ?? {})) && !(id in (config.connectors ?? {}))) {
          problems.push(`pipeline ${name}: ${section} "${id}" is not defined`);
        }
      }
    }
    if ((pipeline.receivers ?? []).length === 0 || (pipeline.exporters ?? []).length === 0) {
      problems.push(`pipeline ${name}: needs receivers and exporters`);
    }
    const processors = pipeline.processors ?? [];
    const limiter = processors.findIndex((p) => componentType(p) === 'memory_limiter');
    if (limiter !== 0) problems.push(`pipeline ${name}: memory_limiter must be the first processor`);
    const tail = processors.findIndex((p) => componentType(p) === 'tail_sampling');
    const batch = processors.findIndex((p) => componentType(p) === 'batch');
    if (tail >= 0 && batch >= 0 && batch < tail) problems.push(`pipeline ${name}: batch must come after tail_sampling`);
  }
  for (const section of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of Object.keys(config[section] ?? {})) {
      if (!used[section]!.has(id)) problems.push(`${section}.${id} is defined but used by no pipeline`);
    }
  }
  const enabled: string[] = config.service?.extensions ?? [];
  for (const id of enabled) if (!(id in (config.extensions ?? {}))) problems.push(`service.extensions: "${id}" not defined`);
  for (const id of Object.keys(config.extensions ?? {})) if (!enabled.includes(id)) problems.push(`extension ${id} not enabled`);
  return problems;
}

/** All policies, including those nested in and/drop/composite policies. */
function flattenPolicies(policies: Array<Record<string, any>>): Array<Record<string, any>> {
  return policies.flatMap((p) => [
    p,
    ...flattenPolicies([...(p.and?.and_sub_policy ?? []), ...(p.composite?.composite_sub_policy ?? [])]),
  ]);
}

/** tail_sampling keeps every ERROR trace (a top-level status_code policy), slow traces and a ratio of the rest. */
export function checkTailSampling(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const ids = Object.keys(config.processors ?? {}).filter((id) => componentType(id) === 'tail_sampling');
  if (ids.length !== 1) return [`expected one tail_sampling processor, found ${ids.length}`];
  const ts = config.processors[ids[0]!] ?? {};
  const top: Array<Record<string, any>> = ts.policies ?? [];
  // Top-level policies are OR-ed; a status_code policy nested in an `and` would only keep *some* errors.
  const errors = top.find((p) => p.type === 'status_code' && (p.status_code?.status_codes ?? []).includes('ERROR'));
  if (!errors) problems.push('tail_sampling: no top-level status_code policy keeping ERROR traces');
  const latency = top.find((p) => p.type === 'latency');
  if (!(Number(latency?.latency?.threshold_ms) > 0)) problems.push('tail_sampling: no latency policy with threshold_ms > 0');
  const ratio = top.find((p) => p.type === 'probabilistic');
  const pct = Number(ratio?.probabilistic?.sampling_percentage);
  if (!(pct > 0 && pct < 100)) problems.push('tail_sampling: no probabilistic policy with 0 < sampling_percentage < 100');
  if (flattenPolicies(top).some((p) => p.type === 'drop')) problems.push('tail_sampling: a drop policy could discard errored traces');
  const names = top.map((p) => p.name);
  if (new Set(names).size !== names.length || names.some((n) => !n)) problems.push('tail_sampling: policy names must be unique');
  if (!(parseDuration(ts.decision_wait ?? '30s') > 0)) problems.push('tail_sampling: decision_wait must be a positive duration');
  return problems;
}

/** Go-style duration ("30s", "1m30s", "500ms") in seconds; NaN when malformed. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  const parts = [...String(text).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== String(text)) return Number.NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

/** Every `${env:NAME}` in the config (the collector's env provider syntax). */
export function envReferences(configText: string): string[] {
  return [...new Set([...configText.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]!))].sort();
}

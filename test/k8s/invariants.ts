// Invariants over rendered manifests. Each check returns human-readable violations (empty = OK), so a test can
// assert both that the real output is clean and that a deliberately broken copy is caught.
import type { K8sObject } from './kustomize.js';

export const PRELOAD = '--import agent-otel-bridge/register';
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** key@host/project — the shape of a Sentry DSN; must never appear outside a Secret. */
export const DSN_PATTERN = /\bhttps?:\/\/[^\s/@:]+(?::[^\s/@]*)?@[^\s/]+\/\d+/;

type Container = Record<string, any> & { name: string };
type EnvSource = { value?: string; valueFrom?: Record<string, any>; from: string };

export const deployments = (objects: K8sObject[]): K8sObject[] => objects.filter((o) => o.kind === 'Deployment');
export const agentDeployments = (objects: K8sObject[]): K8sObject[] =>
  deployments(objects).filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'agent');

function containersOf(workload: K8sObject): Container[] {
  const spec = workload.spec?.template?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Container[];
}

/** Environment as the kubelet builds it: envFrom ConfigMaps/Secrets first, then `env` entries override. */
export function effectiveEnv(container: Container, objects: K8sObject[], namespace?: string): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const source = objects.find(
      (o) => o.kind === kind && o.metadata.name === ref?.name && o.metadata.namespace === namespace,
    );
    if (!source) continue; // reported by checkReferences
    const data: Record<string, string> =
      kind === 'ConfigMap'
        ? (source.data ?? {})
        : Object.fromEntries(
            Object.entries((source.data ?? {}) as Record<string, string>).map(([k, v]) => [
              k,
              Buffer.from(v, 'base64').toString('utf8'),
            ]),
          );
    for (const [key, value] of Object.entries(data)) {
      env.set(`${from.prefix ?? ''}${key}`, { value: String(value), from: `${kind}/${ref.name}` });
    }
  }
  for (const entry of container.env ?? []) {
    env.set(entry.name, { value: entry.value, valueFrom: entry.valueFrom, from: 'env' });
  }
  return env;
}

/** Probes, requests/limits and a non-root, read-only, no-escalation, no-capabilities securityContext. */
export function checkContainers(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const d of deployments(objects)) {
    const podSpec = d.spec?.template?.spec ?? {};
    const podSec = podSpec.securityContext ?? {};
    for (const c of containersOf(d)) {
      const at = `Deployment/${d.metadata.name} container ${c.name}`;
      const isInit = (podSpec.initContainers ?? []).includes(c);
      if (!isInit) {
        for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
          const p = c[probe];
          if (!p || !(p.httpGet || p.tcpSocket || p.grpc || p.exec)) problems.push(`${at}: no ${probe} handler`);
        }
      }
      for (const bucket of ['requests', 'limits'] as const) {
        for (const res of ['cpu', 'memory'] as const) {
          if (c.resources?.[bucket]?.[res] === undefined) problems.push(`${at}: no resources.${bucket}.${res}`);
        }
      }
      const sec = c.securityContext ?? {};
      const runAsNonRoot = sec.runAsNonRoot ?? podSec.runAsNonRoot;
      const runAsUser = sec.runAsUser ?? podSec.runAsUser;
      const seccomp = sec.seccompProfile?.type ?? podSec.seccompProfile?.type;
      if (runAsNonRoot !== true) problems.push(`${at}: runAsNonRoot is not true`);
      if (!Number.isInteger(runAsUser) || runAsUser <= 0) problems.push(`${at}: runAsUser must be a non-zero UID`);
      if (sec.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
      if (sec.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (sec.privileged === true) problems.push(`${at}: privileged`);
      if (!(sec.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities.drop lacks ALL`);
      if ((sec.capabilities?.add ?? []).length > 0) problems.push(`${at}: adds capabilities`);
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${at}: seccompProfile not RuntimeDefault`);
    }
  }
  return problems;
}

/** Seconds a preStop hook holds the container before SIGTERM (exec sleep or the native sleep action). */
export function preStopSeconds(c: Container): number | undefined {
  const hook = c.lifecycle?.preStop;
  if (!hook) return undefined;
  if (hook.sleep?.seconds !== undefined) return Number(hook.sleep.seconds);
  const cmd: string[] = hook.exec?.command ?? [];
  const text = cmd.join(' ');
  const m = /(?:^|\s|\/)sleep\s+(\d+(?:\.\d+)?)\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * What each demo agent needs: the preload, service name, Sentry settings, metrics port, health-route probes,
 * a writable /tmp, and a grace period longer than preStop + the bridge's flush timeout.
 */
export function checkAgents(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const agents = agentDeployments(objects);
  if (agents.length === 0) problems.push('no agent Deployments (label app.kubernetes.io/component=agent)');
  for (const d of agents) {
    const name = d.metadata.labels?.['app.kubernetes.io/name'];
    const podSpec = d.spec.template.spec;
    const containers: Container[] = podSpec.containers ?? [];
    if (containers.length !== 1) problems.push(`Deployment/${d.metadata.name}: expected one container`);
    for (const c of containers) {
      const at = `Deployment/${d.metadata.name} container ${c.name}`;
      const env = effectiveEnv(c, objects, d.metadata.namespace);
      const nodeOptions = env.get('NODE_OPTIONS');
      if (!nodeOptions?.value?.includes(PRELOAD)) problems.push(`${at}: NODE_OPTIONS does not carry "${PRELOAD}"`);
      if (env.get('OTEL_SERVICE_NAME')?.value !== name) problems.push(`${at}: OTEL_SERVICE_NAME is not "${name}"`);
      for (const key of ['SENTRY_ENVIRONMENT', 'SENTRY_RELEASE', 'SENTRY_TRACES_SAMPLE_RATE']) {
        if (!env.get(key)?.value) problems.push(`${at}: ${key} not set`);
      }
      if (!env.get('SENTRY_DSN')?.valueFrom?.secretKeyRef) problems.push(`${at}: SENTRY_DSN not from a Secret`);

      const ports: Array<Record<string, any>> = c.ports ?? [];
      const metrics = ports.find((p) => p.name === 'metrics');
      const http = ports.find((p) => p.name === 'http');
      const promPort = Number(env.get('OTEL_EXPORTER_PROMETHEUS_PORT')?.value ?? 9464);
      if (metrics?.containerPort !== 9464) problems.push(`${at}: no container port "metrics" = 9464`);
      if (metrics && metrics.containerPort !== promPort) problems.push(`${at}: metrics port != OTEL_EXPORTER_PROMETHEUS_PORT`);
      if (!http) problems.push(`${at}: no container port "http"`);
      if (http && String(http.containerPort) !== env.get('PORT')?.value) problems.push(`${at}: port "http" != PORT`);

      const live = c.livenessProbe?.httpGet;
      const ready = c.readinessProbe?.httpGet;
      if (live?.path !== '/healthz' || live?.port !== 'http') problems.push(`${at}: liveness is not GET /healthz on http`);
      if (ready?.path !== '/readyz' || ready?.port !== 'http') problems.push(`${at}: readiness is not GET /readyz on http`);

      const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
      const vol = (podSpec.volumes ?? []).find((v: any) => v.name === tmp?.name);
      if (!vol?.emptyDir) problems.push(`${at}: no emptyDir mounted at /tmp`);

      const flushMs = Number(env.get('AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS')?.value ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      const preStop = preStopSeconds(c);
      const grace = podSpec.terminationGracePeriodSeconds ?? 30;
      if (preStop === undefined) problems.push(`${at}: no preStop sleep`);
      if (!Number.isFinite(flushMs)) problems.push(`${at}: AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS is not a number`);
      else if (!(grace > (preStop ?? 0) + Math.ceil(flushMs / 1000))) {
        problems.push(`${at}: terminationGracePeriodSeconds ${grace} <= preStop ${preStop}s + flush ${flushMs}ms`);
      }
    }
  }
  return problems;
}

/** SENTRY_DSN only ever arrives through a secretKeyRef; nothing outside a Secret carries a DSN. */
export function checkDsnOnlyFromSecrets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const d of deployments(objects)) {
    for (const c of containersOf(d)) {
      const at = `Deployment/${d.metadata.name} container ${c.name}`;
      for (const e of c.env ?? []) {
        if (e.name === 'SENTRY_DSN' && (e.value !== undefined || !e.valueFrom?.secretKeyRef?.name || !e.valueFrom?.secretKeyRef?.key)) {
          problems.push(`${at}: SENTRY_DSN must be exactly a secretKeyRef`);
        }
        if (typeof e.value === 'string' && DSN_PATTERN.test(e.value)) problems.push(`${at}: env ${e.name} holds a DSN literal`);
      }
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
        if (DSN_PATTERN.test(String(arg))) problems.push(`${at}: command/args hold a DSN literal`);
      }
    }
  }
  for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
    for (const [key, value] of Object.entries((cm.data ?? {}) as Record<string, string>)) {
      if (/DSN/i.test(key)) problems.push(`ConfigMap/${cm.metadata.name}: key ${key} belongs in a Secret`);
      if (DSN_PATTERN.test(String(value))) problems.push(`ConfigMap/${cm.metadata.name}: ${key} holds a DSN literal`);
    }
  }
  for (const o of objects) {
    if (o.kind === 'Secret') continue;
    for (const [k, v] of Object.entries(o.metadata.annotations ?? {})) {
      if (DSN_PATTERN.test(v)) problems.push(`${o.kind}/${o.metadata.name}: annotation ${k} holds a DSN literal`);
    }
  }
  return problems;
}

/** Rendered Secrets may only be the clearly marked example ones, holding example values. */
export function checkSecretsAreExamples(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const s of objects.filter((o) => o.kind === 'Secret')) {
    const at = `Secret/${s.metadata.name}`;
    if (s.metadata.annotations?.['agent-otel-bridge.dev/example-values'] !== 'true') problems.push(`${at}: not marked as example`);
    const values = [
      ...Object.values((s.data ?? {}) as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString('utf8')),
      ...Object.values((s.stringData ?? {}) as Record<string, string>),
    ];
    for (const v of values) {
      const dsn = DSN_PATTERN.exec(v);
      if (dsn && !/^https?:\/\/examplePublicKey@/.test(dsn[0])) problems.push(`${at}: DSN with a non-example key`);
    }
  }
  return problems;
}

/** ConfigMap/Secret names referenced by workloads exist in the render (unless the Secret is supplied outside). */
export function checkReferences(objects: K8sObject[], externalSecrets: readonly string[] = []): string[] {
  const problems: string[] = [];
  const has = (kind: string, name: string, ns?: string): boolean =>
    objects.some((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
  for (const d of deployments(objects)) {
    const ns = d.metadata.namespace;
    const podSpec = d.spec.template.spec;
    const refs: Array<[string, string]> = [];
    for (const v of podSpec.volumes ?? []) {
      if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
      if (v.secret) refs.push(['Secret', v.secret.secretName]);
    }
    for (const c of containersOf(d)) {
      for (const f of c.envFrom ?? []) {
        if (f.configMapRef) refs.push(['ConfigMap', f.configMapRef.name]);
        if (f.secretRef) refs.push(['Secret', f.secretRef.name]);
      }
      for (const e of c.env ?? []) {
        if (e.valueFrom?.configMapKeyRef) refs.push(['ConfigMap', e.valueFrom.configMapKeyRef.name]);
        if (e.valueFrom?.secretKeyRef) refs.push(['Secret', e.valueFrom.secretKeyRef.name]);
      }
    }
    for (const [kind, name] of refs) {
      if (kind === 'Secret' && externalSecrets.includes(name)) continue;
      if (!has(kind, name, ns)) problems.push(`Deployment/${d.metadata.name}: ${kind}/${name} is not in the render`);
    }
  }
  return problems;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Each agent has a Service selecting its pods and exposing "metrics", and the ServiceMonitor selects it. */
export function checkScraping(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const services = objects.filter((o) => o.kind === 'Service');
  const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
  for (const d of agentDeployments(objects)) {
    const podLabels = d.spec.template.metadata.labels;
    if (!selects(d.spec.selector?.matchLabels, podLabels)) problems.push(`Deployment/${d.metadata.name}: selector misses its pods`);
    const svc = services.find((s) => selects(s.spec.selector, podLabels) && (s.spec.ports ?? []).some((p: any) => p.name === 'metrics'));
    if (!svc) {
      problems.push(`Deployment/${d.metadata.name}: no Service exposing port "metrics" for its pods`);
      continue;
    }
    const monitored = monitors.some(
      (m) =>
        selects(m.spec.selector?.matchLabels, svc.metadata.labels) &&
        (m.spec.endpoints ?? []).some((e: any) => e.port === 'metrics'),
    );
    if (!monitored) problems.push(`Service/${svc.metadata.name}: no ServiceMonitor scrapes its "metrics" port`);
  }
  return problems;
}

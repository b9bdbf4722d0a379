// The optional OpenTelemetry Collector gateway (k8s/collector) and its two-tier scale-out (k8s/collector/two-tier):
// configs parse, name only contrib components, tail-sample keeping errors, export to Sentry with x-sentry-auth,
// and the Kubernetes objects around them line up (ports, env, Services, replicas).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  checkComponents,
  checkTailSampling,
  checkWiring,
  CONTRIB_IMAGE,
  envReferences,
  parseDuration,
  type CollectorConfig,
} from './collector-config.js';
import { checkContainers, checkReferences, checkSecretsAreExamples, deployments } from './invariants.js';
import { kustomize, one, type K8sObject } from './kustomize.js';

interface LoadedCollector {
  deployment: K8sObject;
  text: string;
  config: CollectorConfig;
}

/** Each collector Deployment with the config file it actually loads (ConfigMap volume + --config argument). */
function collectors(objects: K8sObject[]): LoadedCollector[] {
  return deployments(objects)
    .filter((d) => d.spec.template.spec.containers.some((c: any) => String(c.image).startsWith('otel/opentelemetry-collector-contrib')))
    .map((deployment) => {
      const spec = deployment.spec.template.spec;
      const c = spec.containers[0];
      const arg = (c.args as string[]).find((a) => a.startsWith('--config='));
      if (!arg) throw new Error(`${deployment.metadata.name}: no --config= argument`);
      const path = arg.slice('--config='.length);
      const mount = (c.volumeMounts as Array<Record<string, any>>).find((m) => path.startsWith(`${m.mountPath}/`));
      const volume = (spec.volumes as Array<Record<string, any>>).find((v) => v.name === mount?.name);
      const cm = one(objects, 'ConfigMap', volume?.configMap?.name);
      const key = path.slice(mount!.mountPath.length + 1);
      const text = cm.data?.[key];
      if (typeof text !== 'string') throw new Error(`${deployment.metadata.name}: ConfigMap ${cm.metadata.name} has no ${key}`);
      return { deployment, text, config: parse(text) as CollectorConfig };
    });
}

const byName = (list: LoadedCollector[], name: string): LoadedCollector => {
  const found = list.find((l) => l.deployment.metadata.name === name);
  if (!found) throw new Error(`no collector Deployment ${name}`);
  return found;
};

const portOf = (endpoint: string): number => Number(/:(\d+)$/.exec(endpoint)?.[1]);

describe('collector manifests', () => {
  describe.each(['k8s/collector', 'k8s/collector/two-tier'])('%s', (dir) => {
    const render = (): K8sObject[] => kustomize(dir);

    it('pins the contrib image and hardens every container', () => {
      const objects = render();
      for (const { deployment } of collectors(objects)) {
        expect(deployment.spec.template.spec.containers[0].image).toBe(CONTRIB_IMAGE);
      }
      expect(checkContainers(objects)).toEqual([]);
      expect(checkSecretsAreExamples(objects)).toEqual([]);
      expect(checkReferences(objects)).toEqual([]);
    });

    it('every config parses and names only contrib components, wired into pipelines', () => {
      const loaded = collectors(render());
      expect(loaded.length).toBeGreaterThan(0);
      for (const { deployment, config } of loaded) {
        expect(checkComponents(config), deployment.metadata.name).toEqual([]);
        expect(checkWiring(config), deployment.metadata.name).toEqual([]);
      }
    });

    it('every ${env:...} in a config is set on the container; ports and probes match the config', () => {
      for (const { deployment, text, config } of collectors(render())) {
        const c = deployment.spec.template.spec.containers[0];
        const envNames = (c.env as Array<{ name: string }>).map((e) => e.name);
        for (const name of envReferences(text)) expect(envNames, `${deployment.metadata.name} env`).toContain(name);

        const ports = new Map((c.ports as Array<{ name: string; containerPort: number }>).map((p) => [p.name, p.containerPort]));
        expect(portOf(config.receivers.otlp.protocols.grpc.endpoint)).toBe(ports.get('otlp-grpc'));
        expect(portOf(config.receivers.otlp.protocols.http.endpoint)).toBe(ports.get('otlp-http'));
        expect(portOf(config.extensions.health_check.endpoint)).toBe(ports.get('health'));
        expect(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port).toBe(ports.get('metrics'));
        expect(c.livenessProbe.httpGet.port).toBe('health');
        expect(c.readinessProbe.httpGet.port).toBe('health');
      }
    });

    it('the tail sampler keeps errored and slow traces plus a ratio, and exports to Sentry with x-sentry-auth', () => {
      const objects = render();
      const sampler = byName(collectors(objects), 'otel-collector');
      expect(checkTailSampling(sampler.config)).toEqual([]);

      const exporters = sampler.config.exporters as Record<string, any>;
      const sentry = Object.entries(exporters).find(([id]) => id.startsWith('otlp_http'));
      expect(sentry, 'an otlp_http exporter').toBeDefined();
      const [, exporter] = sentry!;
      expect(exporter.endpoint).toMatch(/^\$\{env:[A-Z_]+\}$/);
      expect(exporter.headers['x-sentry-auth']).toMatch(/^sentry sentry_key=\$\{env:[A-Z_]+\}$/);
      // Both come from the Secret, whose example endpoint has Sentry's OTLP URL shape.
      const env = sampler.deployment.spec.template.spec.containers[0].env as Array<Record<string, any>>;
      for (const name of envReferences(`${exporter.endpoint} ${exporter.headers['x-sentry-auth']}`)) {
        expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef, name).toBeDefined();
      }
      const secret = one(objects, 'Secret', 'sentry-otlp');
      const endpoint = Buffer.from(secret.data['otlp-endpoint'], 'base64').toString('utf8');
      expect(endpoint).toMatch(/^https:\/\/o\d+\.ingest\.sentry\.io\/api\/\d+\/integration\/otlp$/);

      // Pending traces are decided and flushed before the kubelet kills the pod.
      const decisionWait = parseDuration(sampler.config.processors.tail_sampling.decision_wait);
      expect(sampler.deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(decisionWait);
    });
  });

  it('single tier: exactly one tail-sampling replica, behind the Service the agents use', () => {
    const objects = kustomize('k8s/collector');
    const sampler = byName(collectors(objects), 'otel-collector');
    expect(sampler.deployment.spec.replicas).toBe(1);
    const svc = one(objects, 'Service', 'otel-collector');
    expect(svc.spec.selector).toEqual(sampler.deployment.spec.selector.matchLabels);
    expect(svc.metadata.namespace).toBe('observability');
  });

  it('two tier: trace-ID load balancers → headless Service → several tail samplers', () => {
    const objects = kustomize('k8s/collector/two-tier');
    const loaded = collectors(objects);
    const lb = byName(loaded, 'otel-collector-lb');
    const sampler = byName(loaded, 'otel-collector');

    const exporter = lb.config.exporters.load_balancing;
    expect(exporter.routing_key).toBe('traceID');
    expect(lb.config.processors.tail_sampling).toBeUndefined();
    expect(sampler.deployment.spec.replicas).toBeGreaterThan(1);

    // The resolver's hostname is the headless Service that selects the samplers, on their OTLP gRPC port.
    const [svcName, ns, svcLiteral, ...rest] = String(exporter.resolver.dns.hostname).split('.');
    expect([svcLiteral, rest.join('.')]).toEqual(['svc', 'cluster.local']);
    const headless = one(objects, 'Service', svcName!);
    expect(headless.metadata.namespace).toBe(ns);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(sampler.deployment.spec.selector.matchLabels);
    const samplerGrpc = sampler.deployment.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'otlp-grpc');
    expect(exporter.resolver.dns.port).toBe(samplerGrpc.containerPort);
    expect(headless.spec.ports.find((p: any) => p.name === 'otlp-grpc').port).toBe(samplerGrpc.containerPort);

    // The agents' Service now leads to the load balancers, not straight to a sampler.
    const front = one(objects, 'Service', 'otel-collector');
    expect(front.spec.selector).toEqual(lb.deployment.spec.selector.matchLabels);
    const lbPods: Record<string, string> = lb.deployment.spec.template.metadata.labels;
    const samplerPods: Record<string, string> = sampler.deployment.spec.template.metadata.labels;
    const selectsPods = (sel: Record<string, string>, labels: Record<string, string>): boolean =>
      Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(selectsPods(front.spec.selector, samplerPods)).toBe(false);
    expect(selectsPods(headless.spec.selector, lbPods)).toBe(false);

    // Both tiers' own metrics are scraped.
    const podMonitor = one(objects, 'PodMonitor', 'otel-collector');
    const values: string[] = podMonitor.spec.selector.matchExpressions[0].values;
    expect(values).toEqual(expect.arrayContaining([lbPods['app.kubernetes.io/name'], samplerPods['app.kubernetes.io/name']]));
  });
});

describe('collector config checks can fail', () => {
  const good = (): CollectorConfig => ({
    extensions: { health_check: {} },
    receivers: { otlp: { protocols: { grpc: {} } } },
    processors: {
      memory_limiter: {},
      tail_sampling: {
        decision_wait: '10s',
        policies: [
          { name: 'e', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
          { name: 's', type: 'latency', latency: { threshold_ms: 1000 } },
          { name: 'r', type: 'probabilistic', probabilistic: { sampling_percentage: 10 } },
        ],
      },
      batch: {},
    },
    exporters: { 'otlp_http/sentry': {} },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'tail_sampling', 'batch'], exporters: ['otlp_http/sentry'] } },
    },
  });

  it('accepts the minimal good config', () => {
    const config = good();
    expect([...checkComponents(config), ...checkWiring(config), ...checkTailSampling(config)]).toEqual([]);
  });

  it('flags unknown components and deprecated aliases', () => {
    const config = good();
    config.processors.tailsampling = {};
    config.exporters.otlphttp = {};
    expect(checkComponents(config)).toEqual([
      'processors.tailsampling: "tailsampling" is not a known otelcol-contrib component',
      'exporters.otlphttp: deprecated alias, use otlp_http',
    ]);
  });

  it('flags undefined pipeline members, unused components and a misplaced memory_limiter', () => {
    const config = good();
    config.service.pipelines.traces.processors = ['tail_sampling', 'memory_limiter', 'batch'];
    config.service.pipelines.traces.exporters = ['debug'];
    expect(checkWiring(config)).toEqual([
      'pipeline traces: exporters "debug" is not defined',
      'pipeline traces: memory_limiter must be the first processor',
      'exporters.otlp_http/sentry is defined but used by no pipeline',
    ]);
  });

  it('flags tail sampling that would drop errors', () => {
    const config = good();
    const policies = config.processors.tail_sampling.policies as Array<Record<string, any>>;
    policies[0] = { name: 'e', type: 'status_code', status_code: { status_codes: ['UNSET'] } };
    expect(checkTailSampling(config)).toEqual(['tail_sampling: no top-level status_code policy keeping ERROR traces']);
  });

  it('parses Go durations strictly', () => {
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('30')).toBeNaN();
  });
});

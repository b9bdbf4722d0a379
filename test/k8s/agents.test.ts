// Invariants of the rendered agent manifests (base, staging, production, and staging switched to the collector):
// probes, limits, hardened securityContext, the preload, DSN only from a Secret, shutdown budget, scraping,
// per-environment sampling, replicas and PodDisruptionBudgets.
import { describe, expect, it } from 'vitest';
import {
  agentDeployments,
  checkAgents,
  checkContainers,
  checkDsnOnlyFromSecrets,
  checkReferences,
  checkScraping,
  checkSecretsAreExamples,
  effectiveEnv,
} from './invariants.js';
import { kustomize, kustomizeComposition, type K8sObject } from './kustomize.js';

const AGENTS = ['planner', 'researcher', 'writer'];
const SECRET = 'agent-bridge-secrets';

const variants: Array<[string, () => K8sObject[], string[]]> = [
  // [name, render, Secrets that must come from outside the render]
  ['base', () => kustomize('k8s/base'), [SECRET]],
  ['staging', () => kustomize('k8s/overlays/staging'), []],
  ['production', () => kustomize('k8s/overlays/production'), [SECRET]],
  ['staging+otlp-collector', () => kustomizeComposition(['k8s/overlays/staging'], ['k8s/components/otlp-collector']), []],
];

function envOf(objects: K8sObject[], agent: string): Map<string, string | undefined> {
  const d = agentDeployments(objects).find((x) => x.metadata.name === agent);
  if (!d) throw new Error(`no Deployment ${agent}`);
  const env = effectiveEnv(d.spec.template.spec.containers[0], objects, d.metadata.namespace);
  return new Map([...env].map(([k, v]) => [k, v.value]));
}

describe('agent manifests', () => {
  describe.each(variants)('%s', (_name, render, externalSecrets) => {
    it('has the three demo agents', () => {
      expect(agentDeployments(render()).map((d) => d.metadata.name).sort()).toEqual(AGENTS);
    });

    it('every container has both probes, requests+limits and a non-root read-only securityContext', () => {
      expect(checkContainers(render())).toEqual([]);
    });

    it('agents carry the preload, Sentry settings, metrics port, health probes, /tmp and a shutdown budget', () => {
      expect(checkAgents(render())).toEqual([]);
    });

    it('SENTRY_DSN comes only from a Secret; rendered Secrets hold example values only', () => {
      const objects = render();
      expect(checkDsnOnlyFromSecrets(objects)).toEqual([]);
      expect(checkSecretsAreExamples(objects)).toEqual([]);
    });

    it('every referenced ConfigMap/Secret is rendered (or explicitly supplied by the operator)', () => {
      expect(checkReferences(render(), externalSecrets)).toEqual([]);
    });

    it('each agent is behind a Service whose "metrics" port a ServiceMonitor scrapes', () => {
      expect(checkScraping(render())).toEqual([]);
    });
  });

  describe('environments', () => {
    it('staging samples 0.5 of the traces in environment "staging", with the example Secret', () => {
      const objects = kustomize('k8s/overlays/staging');
      for (const agent of AGENTS) {
        const env = envOf(objects, agent);
        expect(env.get('SENTRY_TRACES_SAMPLE_RATE')).toBe('0.5');
        expect(env.get('SENTRY_ENVIRONMENT')).toBe('staging');
      }
      expect(objects.filter((o) => o.kind === 'Secret').map((s) => s.metadata.name)).toEqual([SECRET]);
      expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['agents-staging']));
    });

    it('production samples 0.1 in environment "production", runs more replicas, one PDB per agent, no example Secret', () => {
      const objects = kustomize('k8s/overlays/production');
      const base = kustomize('k8s/base');
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
      for (const agent of AGENTS) {
        const env = envOf(objects, agent);
        expect(env.get('SENTRY_TRACES_SAMPLE_RATE')).toBe('0.1');
        expect(env.get('SENTRY_ENVIRONMENT')).toBe('production');

        const d = agentDeployments(objects).find((x) => x.metadata.name === agent)!;
        const baseReplicas = agentDeployments(base).find((x) => x.metadata.name === agent)!.spec.replicas ?? 1;
        expect(d.spec.replicas).toBeGreaterThan(baseReplicas);
        expect(d.spec.replicas).toBeGreaterThanOrEqual(3);
        expect(d.spec.template.spec.topologySpreadConstraints?.length).toBeGreaterThan(0);

        // Exactly one PDB selects this agent's pods, and it still lets a drain evict one pod.
        const podLabels: Record<string, string> = d.spec.template.metadata.labels;
        const covering = pdbs.filter((p) =>
          Object.entries(p.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => podLabels[k] === v),
        );
        expect(covering, `PDBs for ${agent}`).toHaveLength(1);
        const pdb = covering[0]!.spec;
        const allowsEviction =
          pdb.maxUnavailable !== undefined ? Number(pdb.maxUnavailable) >= 1 : Number(pdb.minAvailable) < d.spec.replicas;
        expect(allowsEviction).toBe(true);
      }
      expect(pdbs).toHaveLength(AGENTS.length);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    });

    it('the otlp-collector component points the agents at the collector Service with head sampling 1.0', () => {
      const objects = kustomizeComposition(['k8s/overlays/staging'], ['k8s/components/otlp-collector']);
      const collector = kustomize('k8s/collector');
      const svc = collector.find((o) => o.kind === 'Service' && o.metadata.name === 'otel-collector')!;
      const httpPort = svc.spec.ports.find((p: any) => p.name === 'otlp-http').port;
      const expected = `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${httpPort}`;
      for (const agent of AGENTS) {
        const env = envOf(objects, agent);
        expect(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(expected);
        expect(env.get('OTEL_EXPORTER_OTLP_PROTOCOL')).toBe('http/protobuf');
        expect(env.get('SENTRY_TRACES_SAMPLE_RATE')).toBe('1.0');
        expect(env.get('SENTRY_ENVIRONMENT')).toBe('staging');
      }
    });

    it('the Deployments run the image the Dockerfile builds, as the Dockerfile user', async () => {
      const { readFileSync } = await import('node:fs');
      const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
      const uid = Number(/^USER\s+(\d+)/m.exec(dockerfile)?.[1]);
      for (const d of agentDeployments(kustomize('k8s/overlays/production'))) {
        const c = d.spec.template.spec.containers[0];
        expect(c.image).toBe('registry.example.com/agent-otel-bridge-demo:0.1.0');
        expect(c.command).toEqual(['node', `demo/agents/${d.metadata.name}.js`]);
        expect(c.securityContext.runAsUser ?? d.spec.template.spec.securityContext.runAsUser).toBe(uid);
      }
    });
  });

  describe('the checks can fail', () => {
    const broken = (mutate: (objects: K8sObject[]) => void): K8sObject[] => {
      const objects = kustomize('k8s/overlays/staging');
      mutate(objects);
      return objects;
    };
    const planner = (objects: K8sObject[]): Record<string, any> =>
      agentDeployments(objects).find((d) => d.metadata.name === 'planner')!.spec.template.spec;

    it('flags a missing readiness probe, limit and read-only root', () => {
      const objects = broken((o) => {
        const c = planner(o).containers[0];
        delete c.readinessProbe;
        delete c.resources.limits.memory;
        c.securityContext.readOnlyRootFilesystem = false;
      });
      expect(checkContainers(objects)).toEqual([
        'Deployment/planner container agent: no readinessProbe handler',
        'Deployment/planner container agent: no resources.limits.memory',
        'Deployment/planner container agent: readOnlyRootFilesystem is not true',
      ]);
    });

    it('flags a root user even when set only at pod level', () => {
      const objects = broken((o) => {
        const spec = planner(o);
        delete spec.containers[0].securityContext.runAsUser;
        spec.securityContext.runAsUser = 0;
      });
      expect(checkContainers(objects)).toContain('Deployment/planner container agent: runAsUser must be a non-zero UID');
    });

    it('flags a literal DSN, in env or in a ConfigMap', () => {
      const dsn = 'https://abc123@o0.ingest.sentry.io/42';
      const objects = broken((o) => {
        const env = planner(o).containers[0].env as Array<Record<string, any>>;
        const entry = env.find((e) => e.name === 'SENTRY_DSN')!;
        delete entry.valueFrom;
        entry.value = dsn;
        o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('agent-bridge-env'))!.data.SENTRY_DSN = dsn;
      });
      const problems = checkDsnOnlyFromSecrets(objects);
      expect(problems).toContain('Deployment/planner container agent: SENTRY_DSN must be exactly a secretKeyRef');
      expect(problems).toContain('Deployment/planner container agent: env SENTRY_DSN holds a DSN literal');
      expect(problems.some((p) => p.includes('key SENTRY_DSN belongs in a Secret'))).toBe(true);
    });

    it('flags a grace period that does not cover preStop + flush, and a lost preload', () => {
      const objects = broken((o) => {
        const spec = planner(o);
        spec.terminationGracePeriodSeconds = 10; // == 5 s preStop + 5 s flush: not enough
        const env = spec.containers[0].env as Array<Record<string, any>>;
        env.find((e) => e.name === 'NODE_OPTIONS')!.value = '--enable-source-maps';
      });
      const problems = checkAgents(objects);
      expect(problems).toContain('Deployment/planner container agent: terminationGracePeriodSeconds 10 <= preStop 5s + flush 5000ms');
      expect(problems).toContain('Deployment/planner container agent: NODE_OPTIONS does not carry "--import agent-otel-bridge/register"');
    });

    it('reads the flush timeout from the ConfigMap, so raising it alone breaks the budget', () => {
      const objects = broken((o) => {
        o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('agent-bridge-env'))!.data.AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS = '30000';
      });
      expect(checkAgents(objects).filter((p) => p.includes('terminationGracePeriodSeconds'))).toHaveLength(AGENTS.length);
    });

    it('flags a non-example Secret and a Service without a metrics port', () => {
      const objects = broken((o) => {
        const secret = o.find((x) => x.kind === 'Secret')!;
        secret.data['sentry-dsn'] = Buffer.from('https://realkey@o1.ingest.sentry.io/7').toString('base64');
        const svc = o.find((x) => x.kind === 'Service' && x.metadata.name === 'writer')!;
        svc.spec.ports = svc.spec.ports.filter((p: any) => p.name !== 'metrics');
      });
      expect(checkSecretsAreExamples(objects)).toEqual(['Secret/agent-bridge-secrets: DSN with a non-example key']);
      expect(checkScraping(objects)).toEqual(['Deployment/writer: no Service exposing port "metrics" for its pods']);
    });
  });
});

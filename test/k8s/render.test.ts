// Every kustomization under k8s/ renders with `kubectl kustomize`, and every rendered object passes the schema of
// its kubernetes-models / prometheus-operator model class.
import { describe, expect, it } from 'vitest';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { findKustomizations, kustomize, kustomizeComposition, requireKubectl, type K8sObject } from './kustomize.js';
import { validateObject } from './models.js';

// Kept explicit so a deleted or renamed kustomization is noticed, not silently dropped from the walk.
const EXPECTED_KUSTOMIZATIONS = [
  'k8s/base',
  'k8s/collector',
  'k8s/collector/gateway',
  'k8s/collector/two-tier',
  'k8s/overlays/production',
  'k8s/overlays/staging',
];
const EXPECTED_COMPONENTS = ['k8s/components/example-secrets', 'k8s/components/otlp-collector'];

describe('kubectl', () => {
  it('is available, with Kustomize >= v5 (missing: fails with an install hint, CI or not)', () => {
    expect(requireKubectl().kustomizeMajor).toBeGreaterThanOrEqual(5);
  });
});

describe('kustomizations', () => {
  const found = findKustomizations();

  it('are the expected set', () => {
    expect(found.dirs).toEqual(EXPECTED_KUSTOMIZATIONS);
    expect(found.components).toEqual(EXPECTED_COMPONENTS);
  });

  describe('render and validate', () => {
    it.each(EXPECTED_KUSTOMIZATIONS)('%s renders to valid objects', (dir) => {
      const objects = kustomize(dir);
      expect(objects.length).toBeGreaterThan(0);
      for (const obj of objects) validateObject(obj);
    });

    it.each(EXPECTED_COMPONENTS)('%s renders on top of the base', (component) => {
      const objects = kustomizeComposition(['k8s/base'], [component]);
      for (const obj of objects) validateObject(obj);
    });

    it('rejects a broken kustomization (the renderer can fail)', () => {
      expect(() => kustomize('k8s/does-not-exist')).toThrow(/kubectl kustomize k8s\/does-not-exist failed/);
    });
  });
});

describe('model validation can fail', () => {
  it('rejects a Deployment with a string containerPort', () => {
    const [base] = renderedDeployments();
    base!.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => validateObject(base!)).toThrow(/containerPort must be integer/);
  });

  it('rejects a ServiceMonitor whose endpoint interval is not a duration', () => {
    const monitor = new ServiceMonitor({
      metadata: { name: 'x' },
      spec: { selector: {}, endpoints: [{ port: 'metrics', interval: 'often' as never }] },
    });
    expect(() => monitor.validate()).toThrow();
  });

  it('rejects a kind it has no model for', () => {
    expect(() => validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toThrow(/no kubernetes-models class/);
  });
});

/** A valid Deployment to break: the rendered base. */
function renderedDeployments(): K8sObject[] {
  return kustomize('k8s/base').filter((o) => o.kind === 'Deployment');
}

// Schema validation of rendered objects with the generated models of kubernetes-models (core/apps/policy) and
// @kubernetes-models/prometheus-operator (ServiceMonitor, PodMonitor, PrometheusRule). A kind without a model
// here is an error, so a new kind in k8s/ cannot slip through unvalidated.
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { K8sObject } from './kustomize.js';

type ModelClass = new (data: any) => { validate(): void };

export const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/ConfigMap', ConfigMap],
  ['v1/Namespace', Namespace],
  ['v1/Secret', Secret],
  ['v1/Service', Service],
  ['apps/v1/Deployment', Deployment],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
  ['monitoring.coreos.com/v1/ServiceMonitor', ServiceMonitor],
  ['monitoring.coreos.com/v1/PodMonitor', PodMonitor],
  ['monitoring.coreos.com/v1/PrometheusRule', PrometheusRule],
]);

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's decoder skips the newlines,
 * the models' strict "byte" format does not — so unwrap them, as the server effectively does.
 */
function asSubmitted(obj: K8sObject): K8sObject {
  if (obj.apiVersion !== 'v1' || obj.kind !== 'Secret' || !obj.data) return obj;
  const data = Object.fromEntries(Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]));
  return { ...obj, data };
}

/** Validates one object with its model class; throws with the object's identity and the schema errors. */
export function validateObject(obj: K8sObject): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS.get(key);
  if (!Model) throw new Error(`no kubernetes-models class registered for ${key} (${obj.metadata?.name})`);
  try {
    new Model(asSubmitted(obj)).validate();
  } catch (err) {
    throw new Error(`${key} ${obj.metadata?.name} is invalid: ${(err as Error).message}`, { cause: err });
  }
}

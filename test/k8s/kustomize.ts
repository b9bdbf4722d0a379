// Renders kustomizations with the real `kubectl kustomize` and parses the output. kubectl comes from the machine
// image (/usr/bin/kubectl, Kustomize v5); KUBECTL=/path/to/kubectl overrides. Missing kubectl fails the tests
// with an install hint, CI or not.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const K8S_DIR = join(REPO_ROOT, 'k8s');

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

export interface KubectlInfo {
  path: string;
  version: string;
  /** Major version of the embedded kustomize; components, labels and replicas need >= 5. */
  kustomizeMajor: number;
}

function probe(path: string): KubectlInfo | undefined {
  const res = spawnSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  if (res.error || res.status !== 0) return undefined;
  try {
    const info = JSON.parse(res.stdout) as { kustomizeVersion?: string; clientVersion?: { gitVersion?: string } };
    const kustomizeMajor = Number(/^v?(\d+)\./.exec(info.kustomizeVersion ?? '')?.[1] ?? 0);
    return { path, kustomizeMajor, version: `kubectl ${info.clientVersion?.gitVersion ?? '?'}, kustomize ${info.kustomizeVersion ?? '?'}` };
  } catch {
    return { path, kustomizeMajor: 0, version: 'unknown' };
  }
}

let cached: KubectlInfo | undefined | null = null;
export function findKubectl(): KubectlInfo | undefined {
  if (cached === null) cached = probe(process.env.KUBECTL || 'kubectl');
  return cached;
}

/** Debian's own kubectl (`kubernetes-client`, 1.20 with Kustomize v2) cannot render these kustomizations. */
export const MISSING_KUBECTL =
  'kubectl not found: these tests need kubectl >= 1.27 (Kustomize >= v5), from the Kubernetes project\'s packages or ' +
  "binary release (Debian's kubernetes-client is too old); set KUBECTL=/path/to/kubectl if it is not on PATH";

export function requireKubectl(): KubectlInfo {
  const info = findKubectl();
  if (!info) throw new Error(MISSING_KUBECTL);
  // Debian's own kubernetes-client (1.20, kustomize v2) cannot render these kustomizations.
  if (info.kustomizeMajor < 5) throw new Error(`${info.path} is ${info.version}; these manifests need Kustomize >= v5`);
  return info;
}

const renderCache = new Map<string, K8sObject[]>();

/** `kubectl kustomize <dir>` (dir relative to the repo root or absolute) → parsed objects. Throws on any error. */
export function kustomize(dir: string): K8sObject[] {
  const abs = dir.startsWith('/') ? dir : join(REPO_ROOT, dir);
  const hit = renderCache.get(abs);
  if (hit) return structuredClone(hit);
  const { path } = requireKubectl();
  const res = spawnSync(path, ['kustomize', abs], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (${res.status}):\n${res.stderr}`);
  const objects = parseYamlStream(res.stdout, `kubectl kustomize ${dir}`);
  renderCache.set(abs, objects);
  return structuredClone(objects);
}

/**
 * Renders `resources` + `components` (paths relative to the repo root) through a throwaway kustomization, the
 * way a user's own overlay would combine them. kustomize needs relative paths, so it lives in a temp dir.
 */
export function kustomizeComposition(resources: string[], components: string[]): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-composition-'));
  try {
    const rel = (p: string): string => relative(dir, join(REPO_ROOT, p));
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:'];
    for (const r of resources) lines.push(`  - ${rel(r)}`);
    lines.push('components:');
    for (const c of components) lines.push(`  - ${rel(c)}`);
    writeFileSync(join(dir, 'kustomization.yaml'), lines.join('\n') + '\n');
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseYamlStream(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

/** Every directory under k8s/ holding a kustomization of kind Kustomization (components are rendered via overlays). */
export function findKustomizations(root = K8S_DIR): { dirs: string[]; components: string[] } {
  const dirs: string[] = [];
  const components: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'kustomization.yaml' || name === 'kustomization.yml') {
        const kind = (parse(readFileSync(path, 'utf8')) as { kind?: string } | null)?.kind ?? 'Kustomization';
        (kind === 'Component' ? components : dirs).push(relative(REPO_ROOT, dir));
      }
    }
  };
  walk(root);
  return { dirs: dirs.sort(), components: components.sort() };
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

export function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}/${name}, found ${found.length}`);
  return found[0]!;
}

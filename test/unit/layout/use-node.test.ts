/**
 * `npm start`, `npm test` and `npm run bench` run on a supported Node whatever is first on PATH (README, "Two
 * commands on a fresh machine"): they source scripts/use-node.sh — under `sh`, as npm runs scripts — which keeps a
 * Node ≥ 22.15 already first on PATH and otherwise puts the provisioned one first. The provisioned Node here is a
 * cache of the test's own (this Node linked in), so nothing is downloaded.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const work = mkdtempSync(join(tmpdir(), 'aob-use-node-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cache = join(work, 'cache');
const provisioned = join(cache, 'agent-otel-bridge', 'node-under-test', 'bin');
mkdirSync(provisioned, { recursive: true });
symlinkSync(process.execPath, join(provisioned, 'node'));

/** A folder whose `node` is an unsupported one: it fails the version check (and any other use). */
const oldNode = join(work, 'old');
mkdirSync(oldNode);
writeFileSync(join(oldNode, 'node'), '#!/bin/sh\necho "old node" >&2\nexit 1\n');
chmodSync(join(oldNode, 'node'), 0o755);

/** A folder whose `node` is a supported one (this Node). */
const currentNode = join(work, 'current');
mkdirSync(currentNode);
symlinkSync(process.execPath, join(currentNode, 'node'));

/** Which `node` a script sourcing use-node.sh runs, and its version. */
function nodeAfterSourcing(pathFirst: string, env: Record<string, string> = {}): { node: string; version: string } {
  const run = spawnSync('sh', ['-c', '. scripts/use-node.sh && command -v node && node -p process.versions.node'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: `${pathFirst}:/usr/bin:/bin`, XDG_CACHE_HOME: cache, AGENT_BRIDGE_NODE_VERSION: 'under-test', HOME: work, ...env },
    timeout: 30_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const [node, version] = run.stdout.trim().split('\n');
  return { node: node!, version: version! };
}

describe('scripts/use-node.sh', () => {
  it('is sourced by npm start, npm test and npm run bench', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['start', 'test', 'bench']) expect(scripts[name], name).toMatch(/^\. scripts\/use-node\.sh && /);
  });

  it('puts the provisioned Node before an unsupported one first on PATH', () => {
    expect(nodeAfterSourcing(oldNode)).toEqual({ node: join(provisioned, 'node'), version: process.versions.node });
  });

  it('keeps a supported Node already first on PATH, unless AGENT_BRIDGE_FORCE_NODE is set', () => {
    expect(nodeAfterSourcing(currentNode).node).toBe(join(currentNode, 'node'));
    expect(nodeAfterSourcing(currentNode, { AGENT_BRIDGE_FORCE_NODE: '1' }).node).toBe(join(provisioned, 'node'));
  });
});

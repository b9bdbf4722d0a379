// The demo image's Dockerfile, checked statically (no Docker engine runs here): multi-stage on node:24-slim, dev
// dependencies only in the build stage, a numeric non-root user, the preload in NODE_OPTIONS, and nothing that
// needs a writable root filesystem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRELOAD } from './invariants.js';
import { REPO_ROOT } from './kustomize.js';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (comments dropped, `\` continuations joined, ARG defaults substituted in FROM). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!.replace(/\s+/g, ' ');
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      if (v !== undefined) args.set(k!, v);
      continue;
    }
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const from = f[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_s, a: string, b: string) => args.get(a ?? b) ?? '');
      stages.push({ from, ...(f[2] ? { name: f[2] } : {}), instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`Dockerfile: ${op} before the first FROM`);
    stages[stages.length - 1]!.instructions.push({ op, args: rest });
  }
  return stages;
}

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages[stages.length - 1]!;
const ops = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

/** ENV key=value pairs of a stage (the `ENV a=b c="d e"` form). */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const args of ops(stage, 'ENV')) {
    for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env.set(m[1]!, m[3] ?? m[2]!);
  }
  return env;
}

describe('Dockerfile', () => {
  it('is multi-stage, every stage on node:24-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toBe('node:24-slim');
  });

  it('builds with dev dependencies in an earlier stage', () => {
    const build = stages.find((s) => ops(s, 'RUN').some((r) => /\bnpm run build\b/.test(r)));
    expect(build, 'a stage running `npm run build`').toBeDefined();
    expect(build).not.toBe(runtime);
    const install = ops(build!, 'RUN').find((r) => /\bnpm ci\b/.test(r));
    expect(install).toBeDefined();
    expect(install).not.toMatch(/--omit=dev|--production/);
  });

  it('installs only production dependencies in the runtime stage, and copies the build output', () => {
    const runs = ops(runtime, 'RUN');
    expect(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r))).toBe(false);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(false);
    const builder = stages.find((s) => ops(s, 'RUN').some((r) => /\bnpm run build\b/.test(r)))!;
    expect(ops(runtime, 'COPY')).toContain(`--from=${builder.name} /app/dist ./dist`);
    // Sources and dev tooling stay in the build stage.
    expect(ops(runtime, 'COPY').some((c) => /^\.\s/.test(c))).toBe(false);
  });

  it('runs as a numeric, non-root user (Kubernetes runAsNonRoot can only verify numbers)', () => {
    const users = ops(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1]!;
    const m = /^(\d+)(?::(\d+))?$/.exec(last);
    expect(m, `USER ${last}`).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    if (m![2] !== undefined) expect(Number(m![2])).toBeGreaterThan(0);
    // Nothing after the switch needs root.
    const idx = runtime.instructions.findIndex((i) => i.op === 'USER' && i.args === last);
    expect(runtime.instructions.slice(idx + 1).filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('loads the bridge with NODE_OPTIONS and the package self-reference resolves from WORKDIR', () => {
    const env = envOf(runtime);
    expect(env.get('NODE_OPTIONS')).toContain(PRELOAD);
    expect(ops(runtime, 'WORKDIR').at(-1)).toBe('/app');
    expect(ops(runtime, 'COPY').some((c) => /^package\.json\b/.test(c))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    expect(PRELOAD).toBe(`--import ${pkg.name}/register`);
    expect(pkg.exports['./register']).toBeDefined();
  });

  it('writes nothing outside /tmp at run time (read-only root friendly)', () => {
    const env = envOf(runtime);
    expect(env.get('HOME')).toBe('/tmp');
    expect(env.get('TMPDIR')).toBe('/tmp');
    expect(ops(runtime, 'VOLUME')).toEqual([]);
    const cmd = JSON.parse(ops(runtime, 'CMD').at(-1)!) as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toMatch(/^demo\/agents\/\w+\.js$/);
  });

  it('keeps the health check from starting a second bridge', () => {
    for (const check of ops(runtime, 'HEALTHCHECK')) expect(check).toMatch(/NODE_OPTIONS=(\s|")/);
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.env', '**/*.env']) expect(ignored).toContain(entry);
    // The build context must still contain what the build needs.
    for (const needed of ['src', 'instrumentation', 'exporters', 'demo', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
  });

  it('the parser sees through continuations and ARG defaults (so the checks above can fail)', () => {
    const parsed = parseDockerfile('ARG B=node:20\nFROM ${B} AS x\nRUN a \\\n  b\nUSER root\n');
    expect(parsed).toEqual([{ from: 'node:20', name: 'x', instructions: [{ op: 'RUN', args: 'a b' }, { op: 'USER', args: 'root' }] }]);
    expect(/^(\d+)(?::(\d+))?$/.test('root')).toBe(false);
  });
});

/**
 * The newcomer's path from a checkout: `npm pack` → `npm install <tarball>` into a fresh app → that app runs
 * under `node --import agent-otel-bridge/register` and its trace reaches the ingest. Also what the tarball holds:
 * LICENSE, the built package without stray build output, and every relative link of the shipped README resolving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

const NPM = join(dirname(process.execPath), 'npm');
const npm = (args: string[], cwd: string): string =>
  execFileSync(existsSync(NPM) ? NPM : 'npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

let work: string;
let tarball: string;
let files: string[];
let ingest: IngestServer;

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(join(tmpdir(), 'aob-pack-'));
  // dist/ is already built by `npm test`; prepack would build it again (checked below that it is declared).
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(work, packed!.filename);
  files = packed!.files.map((f) => f.path);
  ingest = await startIngest({ waterfall: false });
}, 300_000);

afterAll(async () => {
  await stopAll();
  await ingest?.close();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('the packed package', () => {
  it('declares a build on pack and ships LICENSE, the built entry points and no stray build output', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
    };
    expect(pkg.scripts.prepack).toContain('build');
    // Every file an `exports` entry names (code and types) is in the tarball.
    const targets = Object.values(pkg.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)));
    expect(targets.length).toBeGreaterThan(4);
    expect(targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t))).toEqual([]);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    for (const entry of ['dist/instrumentation/register.js', 'dist/src/agent/index.js', 'dist/instrumentation/index.js', 'dist/src/cli.js']) {
      expect(files).toContain(entry);
    }
    const stray = files.filter((f) => f.startsWith('dist/') && !/^dist\/(src|instrumentation|exporters)\//.test(f));
    expect(stray).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs into a fresh app whose trace reaches the ingest under node --import agent-otel-bridge/register', async () => {
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
    writeFileSync(
      join(app, 'app.mjs'),
      `import { invokeAgent } from 'agent-otel-bridge/agent';
import { startIngest } from 'agent-otel-bridge/ingest';
import { startBridge } from 'agent-otel-bridge';
console.log('EXPORTS ' + typeof startIngest + ' ' + typeof startBridge);
const result = await invokeAgent({ name: 'packed' }, async (agent) => agent.span.spanContext().traceId);
console.log('TRACE ' + result);
`,
    );
    const run = startNode(['--import', 'agent-otel-bridge/register', 'app.mjs'], {
      preload: false,
      cwd: app,
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'packed-app', OTEL_BSP_SCHEDULE_DELAY: '100' }),
    });
    const [, traceId] = await run.waitFor(/TRACE ([0-9a-f]{32})/);
    // the package's other entry points (docs/ingest.md, the programmatic start) resolve from the installed copy
    expect(run.stdout()).toContain('EXPORTS function function');
    expect((await run.exited).code).toBe(0);
    await waitUntil(() => (ingest.trace(traceId!)?.spans.length ?? 0) > 0);
    expect(ingest.trace(traceId!)!.spans.map((s) => s.service)).toContain('packed-app');

    // Every relative link in the shipped README resolves inside the installed package.
    const installed = join(app, 'node_modules', 'agent-otel-bridge');
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(installed, l)))).toEqual([]);
  }, 300_000);
});

/**
 * The demo's command line: `--help` prints usage and exits 0; a wrong option is one line and exit 2, no stack.
 * Checked on the script itself, and through `npm start` as a newcomer types it — npm's `start` script (provision a
 * supported Node, build, run the demo) in a copy of the checkout, so its build never rewrites the dist/ that other
 * test files are running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, cleanEnv } from '../helpers/process.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

// Each `npm start` builds the package (tsc) before the demo reads its arguments.
allowLoadedMachine();

const demo = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [`${ROOT}demo/run.js`, ...args], { cwd: ROOT, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });

describe('demo command line', () => {
  it.each([['--help'], ['-h']])('%s prints usage and exits 0', (flag) => {
    const run = demo([flag]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm start -- \[options\]/);
    expect(run.stdout).toContain('--tasks N');
    expect(run.stdout).toContain('local OpenAI-compatible LLM server through real SDKs (openai, the AI SDK, the OpenAI Agents SDK)');
    expect(run.stderr).toBe('');
  });

  it.each([
    [['--bogus'], 'demo: unknown option --bogus (see --help)'],
    [['--tasks', 'x'], 'demo: --tasks must be a whole number ≥ 1'],
    [['3'], 'demo: unexpected argument "3" (see --help)'],
  ])('%j → exit 2 with one line', (args, line) => {
    const run = demo(args);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(line);
    expect(run.stdout).toBe('');
  });

  it('`npm start --tasks 3` (npm keeps --tasks) names the spelling that works', () => {
    const run = demo(['3'], { npm_config_tasks: 'true' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('demo: unexpected argument "3": npm kept --tasks for itself, write `npm start -- --tasks 3` (see --help)');
  });

  it('`npm start --tasks=3` (npm keeps the value in npm_config_tasks) is taken as written', () => {
    // A value the demo rejects shows that it was read: without it the demo would run its default 8 tasks.
    const run = demo([], { npm_config_tasks: 'x' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('demo: --tasks must be a whole number ≥ 1');
  });
});

describe('through npm start', () => {
  const NPM = join(dirname(process.execPath), 'npm');
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'aob-npm-start-'));
    for (const entry of ['package.json', 'tsconfig.json', 'scripts', 'src', 'instrumentation', 'exporters', 'demo']) {
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  });
  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  /** `npm start <args>` as typed in a shell, in the copy; npm's own settings from the test's environment left out. */
  const npmStart = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([key]) => !/^npm_/i.test(key)));
      const child = spawn(existsSync(NPM) ? NPM : 'npm', ['start', ...args], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  /** The demo's own stderr lines (npm adds its warnings about options it kept). */
  const demoLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('demo'));

  it('`npm start -- --help` builds, prints the usage and exits 0', async () => {
    const run = await npmStart(['--', '--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm start -- \[options\]/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(demoLines(run.stderr)).toEqual([]);
  });

  it('`npm start -- --bogus` ends with one line and exit 2', async () => {
    const run = await npmStart(['--', '--bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('demo: unknown option --bogus (see --help)');
  });

  it('`npm start --tasks 3` ends with one line of the demo naming `npm start -- --tasks 3`, and exit 2', async () => {
    const run = await npmStart(['--tasks', '3']);
    expect(run.status).toBe(2);
    expect(demoLines(run.stderr)).toEqual(['demo: unexpected argument "3": npm kept --tasks for itself, write `npm start -- --tasks 3` (see --help)']);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

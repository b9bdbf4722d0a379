/** The demo's command line: `--help` prints usage and exits 0; a wrong option is one line and exit 2, no stack. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ROOT, cleanEnv } from '../helpers/process.js';

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
});

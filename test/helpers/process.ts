/**
 * Child processes for e2e tests: started with the built preload, their output collected, and always stopped
 * (by pid) when the test ends — even when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROCESS_START_TIMEOUT_MS } from './timeouts.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REGISTER = `${ROOT}dist/instrumentation/register.js`;
export const CLI = `${ROOT}dist/src/cli.js`;

export function assertBuilt(): void {
  if (!existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run \`npm run build\` before the e2e tests`);
}

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or timeout). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<RunningProcess>();

/** Base environment for bridged children: quiet, no metrics port clashes, no inherited telemetry settings. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(OTEL_|SENTRY_|AGENT_BRIDGE_)/.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env.OTEL_EXPORTER_PROMETHEUS_PORT = '0';
  env.OTEL_EXPORTER_PROMETHEUS_HOST = '127.0.0.1';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startNode(
  args: string[],
  options: { env?: Record<string, string>; preload?: boolean; cwd?: string } = {},
): RunningProcess {
  const argv = options.preload === false ? args : ['--import', REGISTER, ...args];
  const child = spawn(process.execPath, argv, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(handle);
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const handle: RunningProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = PROCESS_START_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = (): void => {
          const match = out.match(pattern);
          if (match) {
            clearTimeout(deadline);
            resolve(match);
          } else if (hasExited || child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(deadline);
            reject(new Error(`process exited before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

/** Stop every child still running (call from afterEach/afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop('SIGKILL')));
}

/**
 * A real Redis server for tests: Debian's `redis-server` on a free loopback port, no persistence (`--save ''
 * --appendonly no`), its working dir a temp dir. Stopped by pid (SIGTERM, then SIGKILL) — also on process exit,
 * so no server outlives a crashed test worker. A missing binary fails the test with the install hint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDebianTool } from './binaries.js';
import { freePort } from './ports.js';
import { PROCESS_START_TIMEOUT_MS } from './timeouts.js';

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

export async function startRedisServer(): Promise<RedisServer> {
  const binary = requireDebianTool('redis-server', 'redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'aob-redis-'));
  const port = await freePort();
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not get ready:\n${log}`)), PROCESS_START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited before it was ready:\n${log}`));
    });
  });
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

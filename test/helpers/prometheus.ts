/**
 * A real Prometheus server for tests: Debian's `prometheus` on a random loopback port, scraping the given
 * targets every second, storage in a temp dir. Started in its own process group and stopped by pid (the whole
 * group, SIGTERM then SIGKILL) — also on process exit, so no orphan survives a crashed test worker.
 *
 * Missing binaries fail the tests that need them (`requirePrometheusBinaries` throws with the install hint), CI or not.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, missingDebianTool } from './binaries.js';
import { freePort } from './ports.js';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/** Both come with Debian's `prometheus` package. */
const PROMETHEUS = 'prometheus';
const PROMTOOL = 'promtool';

let cached: PrometheusBinaries | null | undefined;

export function findPrometheusBinaries(): PrometheusBinaries | undefined {
  if (cached === undefined) {
    const prometheus = findBinary(PROMETHEUS);
    const promtool = findBinary(PROMTOOL);
    cached = prometheus && promtool ? { prometheus, promtool } : null;
  }
  return cached ?? undefined;
}

/** Both binaries, or throw the install hint. */
export function requirePrometheusBinaries(): PrometheusBinaries {
  const found = findPrometheusBinaries();
  if (!found) throw new Error(missingDebianTool(`${PROMETHEUS}/${PROMTOOL}`, PROMETHEUS));
  return found;
}


export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  /** Instant query; throws on an API error. */
  query(promql: string): Promise<PromSample[]>;
  /** Poll `query` until `accept` says yes (bounded by timeoutMs and a request budget); returns the last result. */
  waitFor(promql: string, accept: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Health of the scrape targets (`up`, lastError). */
  targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>>;
  stop(): Promise<void>;
  /** stderr of the server so far (for failure messages). */
  log(): string;
}

export interface StartPrometheusOptions {
  /** `host:port` of each /metrics target. */
  targets: string[];
  bearerToken?: string;
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the group: prometheus has no children, but be sure
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const { prometheus } = requirePrometheusBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'prom-test-'));
  const port = await freePort();
  const auth = options.bearerToken ? `    authorization:\n      credentials: ${JSON.stringify(options.bearerToken)}\n` : '';
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: agents',
    '    metrics_path: /metrics',
    auth.trimEnd(),
    '    static_configs:',
    `      - targets: ${JSON.stringify(options.targets)}`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config + '\n');

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of live) killGroup(child, 'SIGKILL');
    });
  }

  const child = spawn(
    prometheus,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus API ${path}: ${body.error ?? res.status}`);
    return body.data;
  };

  const server: PrometheusServer = {
    url,
    pid: child.pid ?? -1,
    async query(promql) {
      const data = await api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async waitFor(promql, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      for (let i = 0; i < 200 && Date.now() < deadline; i++) {
        last = await server.query(promql);
        if (accept(last)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting for ${promql}; last result ${JSON.stringify(last)}`);
    },
    async targets() {
      const data = await api<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> }>('/api/v1/targets');
      return data.activeTargets;
    },
    stop,
    log: () => stderr,
  };

  // Ready: /-/ready answers 200 (bounded by time and request count).
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prometheus exited early: ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || i > 300) {
      await stop();
      throw new Error(`prometheus not ready after ${options.timeoutMs ?? 30_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/** `promtool check metrics` over an exposition: exit code and everything it printed. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const { promtool } = requirePrometheusBinaries();
  const r = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

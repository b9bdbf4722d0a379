/**
 * A real Prometheus over backfilled data: the OpenMetrics fixture is turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics`, then Debian's `prometheus` serves them on a random loopback
 * port (no scraping) with the alert rules loaded. test/helpers/prometheus.ts starts a *scraping* Prometheus
 * with its own data dir, so only its binary lookup and freePort are reused here.
 * Stop with stop(): kills the process group by pid and removes the temp dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrometheusBinaries } from '../helpers/prometheus.js';
import { freePort } from '../helpers/ports.js';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface ApiResult<T> {
  ok: boolean;
  data?: T;
  error?: string;
}

export interface BackfilledPrometheus {
  readonly url: string;
  readonly pid: number;
  /** Instant query at `time` (unix seconds). Never throws for PromQL errors: they come back in `error`. */
  query(expr: string, time: number): Promise<ApiResult<Sample[]>>;
  /** Range query; returns the number of series. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<ApiResult<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>>;
  /** What Grafana's `label_values(selector, label)` asks: /api/v1/label/<label>/values?match[]=selector. */
  labelValues(label: string, selector: string, start: number, end: number): Promise<ApiResult<string[]>>;
  /** /api/v1/rules: every rule with its health and last error. */
  rules(): Promise<Array<{ name: string; health: string; lastError?: string; type: string }>>;
  stop(): Promise<void>;
  log(): string;
}

export interface StartOptions {
  openMetrics: string;
  /** Absolute paths of rule files to load (validates them as Prometheus itself does). */
  ruleFiles?: string[];
  timeoutMs?: number;
}

export async function startBackfilledPrometheus(options: StartOptions): Promise<BackfilledPrometheus> {
  const { prometheus, promtool } = requirePrometheusBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'grafana-prom-'));
  let child: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  let exited: Promise<void> = Promise.resolve();

  const stop = async (): Promise<void> => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const pid = child.pid;
      const kill = (signal: NodeJS.Signals): void => {
        try {
          process.kill(-pid, signal);
        } catch {
          try {
            process.kill(pid, signal);
          } catch {
            // already gone
          }
        }
      };
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const input = join(dir, 'fixture.om');
    const data = join(dir, 'data');
    writeFileSync(input, options.openMetrics);
    const backfill = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { encoding: 'utf8', timeout: 180_000 });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed (${backfill.status ?? backfill.signal}): ${backfill.stderr}${backfill.stdout}`);
    rmSync(input);

    const config = ['global:', '  evaluation_interval: 1s', ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : [])].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);

    const port = await freePort();
    child = spawn(
      prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const proc = child;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
    });
    const url = `http://127.0.0.1:${port}`;

    const api = async <T>(path: string): Promise<ApiResult<T>> => {
      const res = await fetch(url + path, { signal: AbortSignal.timeout(15_000) });
      const body = (await res.json()) as { status: string; data: T; error?: string };
      return body.status === 'success' ? { ok: true, data: body.data } : { ok: false, error: body.error ?? `HTTP ${res.status}` };
    };

    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`prometheus exited early: ${stderr}`);
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || i > 600) throw new Error(`prometheus not ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const params = (p: Record<string, string | number>): string => new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return {
      url,
      pid: proc.pid ?? -1,
      async query(expr, time) {
        const r = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?${params({ query: expr, time })}`);
        return r.ok ? { ok: true, data: (r.data?.result ?? []).map((s) => ({ metric: s.metric, value: Number(s.value[1]) })) } : { ok: false, error: r.error ?? 'error' };
      },
      async queryRange(expr, start, end, step) {
        const r = await api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(`/api/v1/query_range?${params({ query: expr, start, end, step })}`);
        return r.ok ? { ok: true, data: r.data?.result ?? [] } : { ok: false, error: r.error ?? 'error' };
      },
      async labelValues(label, selector, start, end) {
        return api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values?${params({ 'match[]': selector, start, end })}`);
      },
      async rules() {
        const r = await api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; type: string }> }> }>('/api/v1/rules');
        if (!r.ok) throw new Error(`rules API: ${r.error}`);
        return (r.data?.groups ?? []).flatMap((g) => g.rules);
      },
      stop,
      log: () => stderr,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

import { startSink } from './sink.js';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
const sink = await startSink();
const endpoint = getOtlpTracesEndpoint(sink.dsn);
for (const scenario of process.argv.slice(2)) {
  const r = await run('node', [...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=/tmp/prof-${scenario}`] : []), new URL('./sustained.js', import.meta.url).pathname, scenario], { env: { ...process.env, BENCH_DSN: sink.dsn, BENCH_OTLP_URL: endpoint.url, BENCH_OTLP_HEADERS: JSON.stringify(endpoint.headers), BENCH_STEPS: '20000', BENCH_WARMUP_STEPS: '4000', AGENT_BRIDGE_QUIET: '1' } }).catch((e) => e);
  console.log(scenario, r.stdout.trim().split('\n').pop(), r.stderr.slice(0, 300));
}
await sink.close();

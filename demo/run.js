#!/usr/bin/env node
// `npm start`: three agent processes (planner, researcher, writer), each preloaded with the bridge, work through a
// few tasks, calling a local OpenAI-compatible LLM server (started here) through real SDKs — `openai`, the AI SDK
// and the OpenAI Agents SDK; then the cross-agent trace, the error events and the metrics endpoints are shown.
//
//   npm start -- [--tasks N] [--seed S] [--failure-rate R] [--serve] [--interval MS] [--metrics-base-port P]
//
// With no SENTRY_DSN the local Sentry-compatible ingest runs in this process and every agent sends to it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from './lib/random.js';
import { postJson } from './lib/http-agent.js';
import { startOpenAiServer } from './lib/openai-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTER = `${ROOT}dist/instrumentation/register.js`;
const TOPICS = ['vector memory', 'agent tracing', 'prometheus alerts', 'sentry releases', 'context propagation', 'llm latency', 'tool calling', 'sampling'];

const USAGE = `Usage: npm start -- [options]   (or: node demo/run.js [options])

Three agent processes (planner, researcher, writer) run under the bridge's preload and work through a few tasks,
calling a local OpenAI-compatible LLM server through real SDKs (openai, the AI SDK, the OpenAI Agents SDK); then
one cross-agent trace, the error events and the metrics endpoints are shown.

Options:
  --tasks N              tasks to run (default 8, env DEMO_TASKS)
  --seed S               seed for the local LLM server and the scripted failures (default 42, env DEMO_SEED)
  --failure-rate R       share of tasks that hit a rate limit, 0..1 (default 0.25, env DEMO_FAILURE_RATE)
  --serve                keep the agents up, one task after another --interval ms apart, until Ctrl-C
  --interval MS          pause between tasks in --serve mode (default 2000)
  --metrics-base-port P  Prometheus ports P, P+1, P+2 instead of free ones (env DEMO_METRICS_BASE_PORT)
  -h, --help             this text

Without SENTRY_DSN the local Sentry-compatible ingest runs in this process and every agent sends to it.`;

const args = parseCommandLine();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const taskCount = positive('tasks', args.tasks);
const interval = positive('interval', args.interval);
const seed = Number(args.seed);
const failureRate = Number(args['failure-rate']);
if (!Number.isFinite(seed) || !(failureRate >= 0 && failureRate <= 1)) fail('--seed must be a number and --failure-rate between 0 and 1');

/**
 * npm keeps options written without `--` for itself. `npm start --tasks=3` passes nothing but sets
 * npm_config_tasks=3: taken as written. `npm start --tasks 3` sets npm_config_tasks=true and passes only "3": said
 * in one line instead of failing on the stray "3". `npm start --serve` works as written.
 */
function parseCommandLine() {
  const fromNpm = (name) => process.env[`npm_config_${name.replace(/-/g, '_')}`];
  const value = (name, env, fallback) => {
    const npm = fromNpm(name);
    return npm !== undefined && npm !== 'true' ? npm : (env ?? fallback);
  };
  const options = {
    tasks: { type: 'string', default: value('tasks', process.env.DEMO_TASKS, '8') },
    seed: { type: 'string', default: value('seed', process.env.DEMO_SEED, '42') },
    'failure-rate': { type: 'string', default: value('failure-rate', process.env.DEMO_FAILURE_RATE, '0.25') },
    serve: { type: 'boolean', default: fromNpm('serve') === 'true' },
    interval: { type: 'string', default: value('interval', undefined, '2000') },
    'metrics-base-port': { type: 'string', default: value('metrics-base-port', process.env.DEMO_METRICS_BASE_PORT, '0') },
    help: { type: 'boolean', short: 'h', default: false },
  };
  const takenByNpm = Object.keys(options).filter((name) => options[name].type === 'string' && fromNpm(name) === 'true');
  let parsed;
  try {
    parsed = parseArgs({ options, allowPositionals: true });
  } catch (err) {
    const option = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(err.message)?.[1] : undefined;
    fail(option ? `unknown option ${option} (see --help)` : `${err.message} (see --help)`);
  }
  if (parsed.positionals.length > 0) {
    const taken = takenByNpm.map((name) => `--${name}`);
    const hint =
      taken.length === 1
        ? `: npm kept ${taken[0]} for itself, write \`npm start -- ${taken[0]} ${parsed.positionals[0]}\``
        : taken.length > 1
          ? `: npm kept ${taken.join(' and ')} for itself, write them after \`--\` (\`npm start -- ${taken.map((t) => `${t} …`).join(' ')}\`)`
          : '';
    fail(`unexpected argument ${JSON.stringify(parsed.positionals[0])}${hint} (see --help)`);
  }
  return parsed.values;
}

const children = [];
let ingest;
let llm;
let stopping = false;

async function main() {
  const external = process.env.SENTRY_DSN;
  let dsn = external;
  if (external) {
    say(`Using SENTRY_DSN from the environment (${external.replace(/\/\/[^@]*@/, '//***@')}): see the traces in that Sentry.`);
  } else {
    const { startIngest } = await import(`${ROOT}dist/src/ingest/index.js`);
    ingest = await startIngest({ waterfall: false });
    dsn = ingest.dsn;
    say(`No SENTRY_DSN: started the local Sentry-compatible ingest at ${ingest.url} (DSN ${ingest.dsn}).`);
  }

  // The agents' LLM: deterministic for the seed; the scripted rate limits ask it for a 429 (writer.js).
  llm = await startOpenAiServer({ seed });
  say(`Started the local OpenAI-compatible LLM server at ${llm.url} (seed ${seed}): the agents call it through openai, the AI SDK and the OpenAI Agents SDK.`);

  const base = Number(args['metrics-base-port']);
  const metricsPorts = await Promise.all([0, 1, 2].map(async (i) => (base > 0 ? base + i : freePort())));
  const common = {
    SENTRY_DSN: dsn,
    SENTRY_ENVIRONMENT: process.env.SENTRY_ENVIRONMENT ?? 'demo',
    SENTRY_RELEASE: process.env.SENTRY_RELEASE ?? 'agent-otel-bridge-demo@0.1.0',
    SENTRY_TRACES_SAMPLE_RATE: process.env.SENTRY_TRACES_SAMPLE_RATE ?? '1',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    AGENT_BRIDGE_QUIET: 'true',
    DEMO_SEED: String(seed),
    OPENAI_BASE_URL: llm.url,
  };
  const writer = await startAgent('writer', { ...common, OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPorts[2]) }, /MESSAGE_PORT (\d+)/);
  const researcher = await startAgent('researcher', {
    ...common,
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPorts[1]),
    WRITER_MESSAGE_ADDR: `127.0.0.1:${writer.extra}`,
  });
  const planner = await startAgent('planner', {
    ...common,
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPorts[0]),
    RESEARCHER_URL: researcher.url,
    WRITER_URL: writer.url,
  });
  const metricsUrls = { planner: metricsPorts[0], researcher: metricsPorts[1], writer: metricsPorts[2] };
  // Which process is which agent (to watch it with ps/top; the demo stops them all when it ends).
  say(`Started the agents, each under the bridge's preload: ${Object.entries({ planner, researcher, writer }).map(([name, agent]) => `${name} (pid ${agent.pid})`).join(', ')}.`);

  if (args.serve) return serve(planner.url, metricsUrls);

  const tasks = planTasks(taskCount, 0);
  const results = [];
  for (const task of tasks) {
    results.push(await runTask(planner.url, task));
    progress(results.length, tasks.length);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await showLiveMetrics(metricsUrls);
  await stopAgents();

  say('\nTasks:');
  for (const r of results) say(`  ${String(r.id).padStart(2)}  ${r.traceId}  ${r.outcome}${r.error ? `  (${r.error})` : ''}`);
  await llm.close();
  if (ingest) await showIngest(results);
  await ingest?.close();
}

/** Deterministic: exactly one task hits the scripted bug; others are rate-limited at the failure rate. */
function planTasks(count, offset) {
  const random = createRandom(seed + offset);
  const bugAt = count > 1 ? 1 + (seed % (count - 1)) : -1;
  return Array.from({ length: count }, (_, i) => ({
    id: offset + i + 1,
    topic: TOPICS[(seed + offset + i) % TOPICS.length],
    bug: offset === 0 && i === bugAt,
    rateLimited: i !== bugAt && random() < failureRate,
  }));
}

async function runTask(plannerUrl, task) {
  try {
    const { body } = await postJson(`${plannerUrl}/tasks`, task);
    return body;
  } catch (err) {
    return { id: task.id, traceId: '-', outcome: 'failed', error: err.message };
  }
}

async function showIngest(results) {
  // The agents flushed on exit; give the last requests a moment to be stored, then read until stable.
  let last = -1;
  for (let i = 0; i < 40 && ingest.spans().length !== last; i++) {
    last = ingest.spans().length;
    await sleep(150);
  }
  const { renderWaterfall } = await import(`${ROOT}dist/src/ingest/index.js`);
  const complete = results.find((r) => r.outcome === 'ok' && ingest.trace(r.traceId));
  const buggy = results.find((r) => r.outcome === 'bug' && ingest.trace(r.traceId));
  const missing = {
    complete: 'No task completed without a failure in this run, so there is no complete trace to show (try more --tasks, a lower --failure-rate or another --seed).',
    bug: 'No task hit the scripted bug in this run (it needs --tasks 2 or more).',
  };
  for (const [title, result, why] of [
    ['One complete cross-agent trace', complete, missing.complete],
    ['The trace with the bug', buggy, missing.bug],
  ]) {
    if (!result) {
      say(`\n${why}`);
      continue;
    }
    say(`\n${title} (${result.traceId}):`);
    say(renderWaterfall(ingest.trace(result.traceId), undefined, { width: Math.min(process.stdout.columns ?? 110, 120) }));
    say(`In the browser (while the ingest runs: \`npm start -- --serve\` keeps it up): ${traceViewUrl(result.traceId)}`);
  }
  const events = ingest.events();
  say(`\nThe ingest received ${ingest.spans().length} spans in ${ingest.traces().length} traces, and ${events.length} error event(s):`);
  for (const e of events) say(`  ${e.type}: ${e.value}  (trace ${e.trace_id}, agent ${e.tags.agent ?? '-'}, model ${e.tags.model ?? '-'})`);
  const limited = results.filter((r) => r.outcome === 'rate-limited').length;
  if (limited) say(`  ${limited} rate-limited task(s) raised no issue: operational errors are counted, not reported.`);
}

async function serve(plannerUrl, metricsUrls) {
  say(`Serving: a task every ${interval} ms. Metrics:`);
  for (const [name, port] of Object.entries(metricsUrls)) say(`  ${name.padEnd(10)} http://127.0.0.1:${port}/metrics`);
  if (ingest) say(`Trace view: ${traceViewUrl()}`);
  say('Ctrl-C to stop.');
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  }).then(() => 'stopped');
  // One task at a time, the next one an interval after the previous answer: tasks are printed in their order
  // (overlapping tasks printed as they finished, and a slow first one came out second) and never pile up.
  for (let offset = 0; ; offset++) {
    const [task] = planTasks(1, offset);
    const result = await Promise.race([runTask(plannerUrl, task), stopped]);
    if (result === 'stopped') break;
    say(`task ${result.id} ${result.outcome} ${result.traceId}${ingest && result.traceId !== '-' ? `  ${traceViewUrl(result.traceId)}` : ''}`);
    if ((await Promise.race([sleep(interval), stopped])) === 'stopped') break;
  }
  say('\nstopping…');
  await stopAgents();
  await llm.close();
  await ingest?.close();
}

/** The local ingest's trace view (the page takes the DSN key from its own URL), at one trace or at the list. */
function traceViewUrl(traceId) {
  return `${ingest.url}/?sentry_key=${ingest.key}${traceId ? `#/trace/${traceId}` : ''}`;
}

function startAgent(name, env, extraPattern) {
  // No OPENAI_API_KEY: the agents pass the local server a placeholder key themselves, and a real key in the
  // environment would make the Agents SDK's default trace exporter send the demo's traces to api.openai.com.
  const { OPENAI_API_KEY: _notForTheDemo, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', REGISTER, `${ROOT}demo/agents/${name}.js`], {
    cwd: ROOT,
    env: { ...inherited, ...env, OTEL_SERVICE_NAME: name, PORT: '0', MESSAGE_PORT: '0', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${name} exited early (code ${code})`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const port = out.match(/READY (\d+)/)?.[1];
      const extra = extraPattern ? out.match(extraPattern)?.[1] : 'none';
      if (port && extra) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, extra, pid: child.pid });
      }
    });
  });
}

/** SIGTERM each agent: the bridge flushes spans, metrics and Sentry, then the process ends by the signal. */
async function stopAgents() {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A few figures from each agent's Prometheus endpoint while it still runs (the endpoints go away with the agents). */
async function showLiveMetrics(metricsUrls) {
  say('\nMetrics (Prometheus exposition) while the agents run (`npm start -- --serve` keeps them up):');
  for (const [name, port] of Object.entries(metricsUrls)) {
    const url = `http://127.0.0.1:${port}/metrics`;
    let figures;
    try {
      const text = await (await fetch(url, { signal: globalThis.AbortSignal.timeout(3000) })).text();
      const sum = (metric) => sumSamples(text, metric);
      figures = `LLM calls ${sum('gen_ai_client_operation_duration_seconds_count')}, tokens ${sum('gen_ai_client_token_usage_sum')}, invocations ${sum('agent_invocation_duration_seconds_count')}, errors ${sum('agent_errors_total')}`;
    } catch (err) {
      figures = `(not readable: ${err.message})`;
    }
    say(`  ${name.padEnd(10)} ${url}  ${figures}`);
  }
}

/** Sum of every sample of one metric in a Prometheus text exposition. */
function sumSamples(text, metric) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric) || (line[metric.length] !== '{' && line[metric.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** One redrawn line on a terminal; one line per task when stderr is a pipe or a file. */
function progress(done, total) {
  if (process.stderr.isTTY) process.stderr.write(`\rtasks ${done}/${total}`);
  else process.stderr.write(`tasks ${done}/${total}\n`);
}

function positive(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number ≥ 1`);
  return n;
}

function say(...parts) {
  console.log(...parts);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(2);
}

// No orphans: whatever happens, the agents go down with us.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`demo failed: ${err.message}`);
    await stopAgents().catch(() => {});
    await llm?.close().catch(() => {});
    await ingest?.close().catch(() => {});
    process.exit(1);
  },
);

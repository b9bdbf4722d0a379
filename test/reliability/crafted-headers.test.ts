/**
 * A bridged server under crafted headers: ~13 KB User-Agent values built to make backtracking scrub rules
 * quadratic (runs that look like an e-mail local part, a URL scheme or a JWT and never complete one). The
 * server span records `user_agent.original` and the scrub processor reads it on every span end, on the
 * server's event loop. Its ordinary requests, sent alongside the crafted ones, must not slow down beyond 3× the
 * same server's with the SDK disabled under the same load, measured in the same run (before the linear rules:
 * ~600 ms vs ~2 ms).
 */
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';

const HEADER_LENGTH = 13 * 1024;
const ROUNDS = 60;
const WARM_UP_ROUNDS = 10;
const CRAFTED_PER_ROUND = 2;
/**
 * The acceptance bound, without an added allowance: measured here 2.7–3.5 ms bridged vs 1.5–2.0 ms disabled (1.6–1.8×),
 * with a CPU hog beside the test and a load average of 7–8 on 2 cores. The failure this guards against is two orders
 * of magnitude larger (~600 ms vs ~2 ms).
 */
const MAX_SLOWDOWN = 3;
/** Bounds the test when scrubbing is slow (quadratic rules took ~1 s per crafted request): ~3 s is typical. */
const MAX_MS = 40_000;

const fill = (prefix: string, unit: string) => (prefix + unit.repeat(Math.ceil(HEADER_LENGTH / unit.length))).slice(0, HEADER_LENGTH);
const CRAFTED = [fill('@ ', 'a'), fill('@ ', 'a.b-c_d%e+f0'), fill('@ :// ', 'a.'), fill('@ x://', 'a'), fill('', 'eyJa-'), fill('x@', 'a1.')];

afterEach(stopAll);

/** node:http with a keep-alive agent: fetch (undici) added ~10 ms per 13 KB request on its own, which hid the server's cost. */
function get(agent: Agent, port: number, path: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${response.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

interface Target {
  readonly port: number;
  readonly agent: Agent;
  readonly latencies: number[];
}

async function startTarget(env: Record<string, string>): Promise<Target> {
  const server = startNode([`${ROOT}test/fixtures/apps/server.mjs`], { env: cleanEnv({ OTEL_SERVICE_NAME: 'crafted-headers', ...env }) });
  const port = Number((await server.waitFor(/READY (\d+)/))[1]);
  return { port, agent: new Agent({ keepAlive: true }), latencies: [] };
}

/** One round: CRAFTED_PER_ROUND crafted requests and, right after them, one ordinary request, whose latency is kept. */
async function round(target: Target, index: number): Promise<number> {
  const crafted = Array.from({ length: CRAFTED_PER_ROUND }, (_, i) =>
    get(target.agent, target.port, '/crafted', { 'user-agent': CRAFTED[(index * CRAFTED_PER_ROUND + i) % CRAFTED.length]! }),
  );
  const start = performance.now();
  const ordinary = get(target.agent, target.port, '/ordinary').then(() => performance.now() - start);
  const [latency] = await Promise.all([ordinary, ...crafted]);
  return latency;
}

/** The rounds a too slow server did not finish in time count as infinitely slow. */
function median(latencies: number[]): number {
  const all = [...latencies];
  while (all.length < ROUNDS) all.push(Number.POSITIVE_INFINITY);
  all.sort((a, b) => a - b);
  return all[all.length >> 1]!;
}

describe('a bridged server receiving crafted ~13 KB headers', () => {
  it(`keeps its ordinary requests within ${MAX_SLOWDOWN}× of the same server without telemetry`, async () => {
    assertBuilt();
    // Both servers run side by side and take turns, so load from anything else on the machine hits both alike.
    const [disabled, bridged] = await Promise.all([startTarget({ OTEL_SDK_DISABLED: 'true' }), startTarget({})]);
    const deadline = performance.now() + MAX_MS;
    try {
      for (let index = 0; index < WARM_UP_ROUNDS + ROUNDS && performance.now() < deadline; index++) {
        for (const target of [disabled, bridged]) {
          const latency = await round(target, index);
          if (index >= WARM_UP_ROUNDS) target.latencies.push(latency);
        }
      }
    } finally {
      disabled.agent.destroy();
      bridged.agent.destroy();
    }
    const [off, on] = [median(disabled.latencies), median(bridged.latencies)];
    expect(on, `median ${on.toFixed(2)} ms bridged vs ${off.toFixed(2)} ms disabled`).toBeLessThanOrEqual(MAX_SLOWDOWN * off);
  }, 120_000);
});

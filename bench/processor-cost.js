// Where the bridge's own per-span time goes: the sustained bench's agent step through the running bridge (sampling
// 1.0, a DSN, every span exported to the orchestrator's loopback sink), with each span processor's hooks and the
// sampler timed in place. Separate processes with and without a processor differ by less than this host's noise
// between processes; timing inside one process does not. A do-nothing processor, wrapped the same way, measures the
// timer's own cost, which is subtracted from every processor's figure (the sampler's call is timed bare).
// Reads sdk-trace 3.x private fields (the provider's `_activeSpanProcessor._spanProcessors`, the tracer's
// `_sampler`): a diagnostic for this repository's bench, not an API. The bridge's processors sit in one SpanPath
// (src/processors/span-path.ts), which skips hooks a processor does not use; here they are called in the same order
// by the SDK's MultiSpanProcessor instead, each wrapped in a timer, so the figures leave out that dispatch.
import { trace } from '@opentelemetry/api';
import { helperStep } from './agent-step.js';
import { startBridgeWith } from './lib.js';

const steps = Number(process.env.BENCH_STEPS ?? 30_000);
const warmup = Number(process.env.BENCH_WARMUP_STEPS ?? 6000);
const HOOKS = ['onStart', 'onEnding', 'onEnd'];

await startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '1' });
const provider = trace.getTracerProvider().getDelegate();
const multi = provider._activeSpanProcessor;
const tracer = provider.getTracer('agent-otel-bridge/agent'); // the helpers' tracer (src/agent/internal.ts)
if (!Array.isArray(multi?._spanProcessors) || tracer?._sampler === undefined) {
  throw new Error('processor-cost: @opentelemetry/sdk-trace internals changed (_activeSpanProcessor._spanProcessors, _sampler)');
}
const stages = multi._spanProcessors.flatMap((p) => p.stages ?? [p]); // the span path's processors, in order

/** Nanoseconds spent in each hook, by processor name. */
const spent = new Map();
const now = process.hrtime.bigint;

function timed(name, target, methods) {
  const totals = Object.fromEntries(methods.map((m) => [m, 0n]));
  spent.set(name, totals);
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = function (...args) {
      const start = now();
      try {
        return original.apply(this, args);
      } finally {
        totals[method] += now() - start;
      }
    };
  }
  return target;
}

class DoNothingProcessor {
  onStart() {}
  onEnding() {}
  onEnd() {}
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

const baseline = timed('(timer)', new DoNothingProcessor(), HOOKS);
const names = new Map(); // processor → its row's name (a second one of a class gets `#2`)
for (const p of stages) {
  const base = p.constructor.name;
  const seen = [...names.values()].filter((n) => n === base || n.startsWith(`${base}#`)).length;
  names.set(p, seen === 0 ? base : `${base}#${seen + 1}`);
}
multi._spanProcessors = [baseline, ...stages.map((p) => timed(names.get(p), p, HOOKS))];
timed('sampler', tracer._sampler, ['shouldSample']);

const step = await helperStep();
let calls = 0;
async function run(count) {
  for (let i = 1; i <= count; i++) {
    await step(calls++);
    if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 3)); // as the sustained bench: exports run
  }
}

await run(warmup);
for (const totals of spent.values()) for (const hook of Object.keys(totals)) totals[hook] = 0n;
await run(steps);

const timer = spent.get('(timer)');
const perStep = (ns) => Number(ns) / steps / 1000;
const processors = {};
for (const [name, totals] of spent) {
  if (name === '(timer)') continue;
  const hooks = {};
  for (const [hook, ns] of Object.entries(totals)) {
    // A processor without the hook was not wrapped for it: no row entry (the table shows —).
    const wrapped = name === 'sampler' || typeof [...names].find(([, n]) => n === name)?.[0][hook] === 'function';
    if (wrapped) hooks[hook] = perStep(ns) - (name === 'sampler' ? 0 : perStep(timer[hook]));
  }
  processors[name] = { usPerStep: Object.values(hooks).reduce((a, b) => a + b, 0), hooks };
}
console.log(JSON.stringify({ steps, processors }));
process.exit(0);

/**
 * Keeps V8's young generation at its size while the bridge loads its own modules: the preload's (register.ts) and,
 * in the background, the Sentry SDK's (sentry-loader.ts). Either load would otherwise leave the application's
 * process with a young generation many times as large for the rest of its life.
 *
 * V8 grows the young generation (its two semi-spaces) at a collection when more bytes survived collections since
 * the last growth than it holds, by `--semi-space-growth-factor` (2) each time, up to its maximum; it shrinks it
 * only when the allocation rate falls below 1 KB/ms or the heap is asked to reduce memory (v8 src/heap/heap.cc
 * `Heap::ShouldResizeNewSpace`, src/flags/flag-definitions.h `semi_space_growth_factor`, as vendored in nodejs/node
 * deps/v8). Loading modules makes objects that all survive: the preload grew the young generation from 1 to 16 MB
 * before the application's first line, and importing `@sentry/node` (~640 modules) grew it to 32 MB; a busy process
 * then grew it to 64 MB, where a process without the SDK stayed at 32. Measured (2026-12-04, one-line app and
 * `npm run bench` sustained, the bridge at 1.0 with a DSN):
 *  - idle RSS once the Sentry SDK is up 121 → 115 MB holding its import, → 104–105 MB holding the preload's too
 *    (bare NodeSDK preload 100–102); without a DSN 78 → 73 MB;
 *  - RSS under load 176 → 150–151 MB, the young generation 64 → 32 MB;
 *  - time to the app's first line +7–8 ms (median of 30, ~330 ms here: more young-generation collections during the
 *    preload's loading); the Sentry import's CPU time unchanged within noise.
 *
 * So the factor is 1 while the bridge loads (a growth then changes nothing, and V8 still restarts its survivor
 * count) and V8's default again after it: the application's own allocations grow the young generation as before.
 * Not done when the flag was given on the command line or in NODE_OPTIONS (the application's choice is left alone).
 * `v8.setFlagsFromString` after start is V8's own API for this; a V8 that ignores or clamps the value makes this a
 * no-op, never an error. Loads that overlap (a flush that starts the SDK's load while the preload still runs) share
 * one hold: the factor comes back when the last of them ends.
 */
import v8 from 'node:v8';

const FLAG = 'semi-space-growth-factor';
/** V8's default (flag-definitions.h), restored after the load. */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/** Whether the process was started with the flag (V8 reads `_` and `-` alike), in its arguments or NODE_OPTIONS. */
export function growthFactorGivenByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return `${execArgv.join(' ')} ${nodeOptions ?? ''}`.replaceAll('_', '-').includes(FLAG);
}

/** Loads running under the hold now. */
let holding = 0;

/** Whether a load runs under the hold now (the factor is 1). */
export function isYoungGenerationHeld(): boolean {
  return holding > 0;
}

/** Runs `load` with the young generation held at its size; never throws anything of its own. */
export async function withYoungGenerationHeld<T>(load: () => Promise<T>): Promise<T> {
  if (holding === 0 && (growthFactorGivenByUser(process.execArgv, process.env.NODE_OPTIONS) || !setGrowthFactor(1))) return load();
  holding++;
  try {
    return await load();
  } finally {
    if (--holding === 0) setGrowthFactor(V8_DEFAULT_GROWTH_FACTOR);
  }
}

function setGrowthFactor(factor: number): boolean {
  try {
    v8.setFlagsFromString(`--${FLAG}=${factor}`);
    return true;
  } catch {
    return false;
  }
}

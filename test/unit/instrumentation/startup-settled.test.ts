// When the application's start-up has settled (instrumentation/startup-settled.ts): no module loaded for the quiet
// period, at the latest the upper bound after the watch began, at once on now(). Module loads are real ones
// (require of fresh files, seen by Node's in-thread module hooks).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchStartupSettled } from '../../../instrumentation/startup-settled.js';

const dir = mkdtempSync(join(tmpdir(), 'startup-settled-'));
const require = createRequire(join(dir, 'index.js'));
let modules = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads a module Node has not seen yet. */
function loadModule(): void {
  const file = join(dir, `m${modules++}.cjs`);
  writeFileSync(file, 'module.exports = 1;\n');
  require(file);
}

/** Loads a module every `everyMs` until `untilMs` from now. */
async function keepLoading(everyMs: number, untilMs: number): Promise<void> {
  const end = performance.now() + untilMs;
  while (performance.now() < end) {
    loadModule();
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function settledAfter(watch: { settled: Promise<void> }, start: number): Promise<number> {
  await watch.settled;
  return performance.now() - start;
}

describe('watchStartupSettled', () => {
  it('settles after the quiet period when no module loads', async () => {
    const start = performance.now();
    const elapsed = await settledAfter(watchStartupSettled({ quietMs: 50, maxMs: 5000 }), start);
    expect(elapsed).toBeGreaterThanOrEqual(49);
    expect(elapsed).toBeLessThan(1000);
  });

  it('each module load restarts the quiet period', async () => {
    const start = performance.now();
    const watch = watchStartupSettled({ quietMs: 100, maxMs: 5000 });
    let settledEarly = false;
    void watch.settled.then(() => (settledEarly = performance.now() - start < 300));
    await keepLoading(20, 300);
    expect(settledEarly).toBe(false);
    const elapsed = await settledAfter(watch, start);
    expect(elapsed).toBeGreaterThanOrEqual(300 + 90);
    expect(elapsed).toBeLessThan(2000);
  });

  it('settles at the upper bound however busy the loading', async () => {
    const start = performance.now();
    const watch = watchStartupSettled({ quietMs: 100, maxMs: 400 });
    let settled = -1;
    void watch.settled.then(() => (settled = performance.now() - start));
    await keepLoading(20, 1000);
    expect(settled).toBeGreaterThanOrEqual(399);
    expect(settled).toBeLessThan(900);
  });

  it('now() settles at once, and again is harmless', async () => {
    const watch = watchStartupSettled({ quietMs: 10_000, maxMs: 60_000 });
    watch.now();
    watch.now();
    const start = performance.now();
    await watch.settled;
    expect(performance.now() - start).toBeLessThan(50);
  });
});

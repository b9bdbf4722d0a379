// When the application's own start-up has settled (instrumentation/startup-settled.ts): no module loaded for the
// quiet period, at the latest the upper bound after the watch began, at once on now(). Module loads are real ones
// (require of fresh files, seen by Node's in-thread module hooks); the clock is vitest's fake one, so a loaded
// machine cannot stretch the gaps between loads.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchStartupSettled } from '../../../instrumentation/startup-settled.js';

const dir = mkdtempSync(join(tmpdir(), 'startup-settled-'));
const require = createRequire(join(dir, 'index.js'));
let modules = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Loads a module Node has not seen yet. */
function loadModule(): void {
  const file = join(dir, `m${modules++}.cjs`);
  writeFileSync(file, 'module.exports = 1;\n');
  require(file);
}

/** Whether `settled` has resolved by now (its callbacks run). */
async function hasSettled(watch: { settled: Promise<void> }): Promise<boolean> {
  let settled = false;
  void watch.settled.then(() => (settled = true));
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

describe('watchStartupSettled', () => {
  it('settles after the quiet period when no module loads', async () => {
    const watch = watchStartupSettled({ quietMs: 200, maxMs: 2000 });
    await vi.advanceTimersByTimeAsync(199);
    expect(await hasSettled(watch)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await hasSettled(watch)).toBe(true);
  });

  it('each module load restarts the quiet period', async () => {
    const watch = watchStartupSettled({ quietMs: 200, maxMs: 2000 });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(150);
      loadModule();
    }
    expect(await hasSettled(watch)).toBe(false); // 1,500 ms in, never 200 ms without a load
    await vi.advanceTimersByTimeAsync(199);
    expect(await hasSettled(watch)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await hasSettled(watch)).toBe(true);
  });

  it('settles at the upper bound however busy the loading', async () => {
    const watch = watchStartupSettled({ quietMs: 200, maxMs: 2000 });
    for (let i = 0; i < 19; i++) {
      await vi.advanceTimersByTimeAsync(100);
      loadModule();
    }
    expect(await hasSettled(watch)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(await hasSettled(watch)).toBe(true);
  });

  it('now() settles at once, and again is harmless', async () => {
    const watch = watchStartupSettled({ quietMs: 10_000, maxMs: 60_000 });
    watch.now();
    watch.now();
    expect(await hasSettled(watch)).toBe(true);
  });
});

/**
 * instrumentation/young-generation-hold.ts: when the hold stays out of the way, and that it hands back what the
 * load gives. Its effect on V8 is tested in a real process (test/e2e/preload.test.ts, "young generation").
 */
import { describe, expect, it } from 'vitest';
import { growthFactorGivenByUser, isYoungGenerationHeld, withYoungGenerationHeld } from '../../../instrumentation/young-generation-hold.js';

describe('the young-generation hold', () => {
  it.each([
    [['--semi-space-growth-factor=4'], undefined],
    [['--semi_space_growth_factor', '4'], undefined],
    [[], '--max-old-space-size=512 --semi-space-growth-factor=3'],
    [['--import', 'x.js'], '--semi_space_growth_factor=3'],
    [['--semi_space-growth_factor=3'], ''],
  ])('leaves the factor alone when the process was given it: %j %j', (execArgv, nodeOptions) => {
    expect(growthFactorGivenByUser(execArgv, nodeOptions)).toBe(true);
  });

  it.each([
    [[], undefined],
    [['--import', 'agent-otel-bridge/register', '--max-semi-space-size=64'], '--enable-source-maps'],
  ])('holds otherwise: %j %j', (execArgv, nodeOptions) => {
    expect(growthFactorGivenByUser(execArgv, nodeOptions)).toBe(false);
  });

  it('overlapping loads share one hold, released when the last ends, whichever ends first', async () => {
    let endFirst!: () => void;
    let endSecond!: () => void;
    const first = withYoungGenerationHeld(() => new Promise<void>((resolve) => (endFirst = resolve)));
    expect(isYoungGenerationHeld()).toBe(true);
    const second = withYoungGenerationHeld(() => new Promise<void>((resolve) => (endSecond = resolve)));
    endFirst();
    await first;
    expect(isYoungGenerationHeld()).toBe(true);
    endSecond();
    await second;
    expect(isYoungGenerationHeld()).toBe(false);
    await expect(withYoungGenerationHeld(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(isYoungGenerationHeld()).toBe(false);
  });

  it('hands back the load’s value and its rejection as they are', async () => {
    await expect(withYoungGenerationHeld(async () => 42)).resolves.toBe(42);
    const failure = new Error('import failed');
    await expect(withYoungGenerationHeld(() => Promise.reject(failure))).rejects.toBe(failure);
  });
});

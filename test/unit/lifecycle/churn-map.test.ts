/**
 * ChurnMap (src/churn-map.ts): a Map's behaviour, without the old-generation garbage of a long-lived Map's churn.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ChurnMap, REBUILD_EVERY } from '../../../src/churn-map.js';
import { seededRandom } from '../../helpers/random.js';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('../../fixtures/gc/map-churn.mjs', import.meta.url));

async function oldSpaceGrowth(kind: 'map' | 'churn'): Promise<number | null> {
  const { stdout } = await run(process.execPath, ['--expose-gc', PROBE, kind], { timeout: 60_000 });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { oldSpaceGrowthMB: number | null }).oldSpaceGrowthMB;
}

describe('ChurnMap', () => {
  it('reads, sizes and iterates like a Map under random sets and deletes, through its rebuilds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = seededRandom(seed);
      const expected = new Map<string, number>();
      const actual = new ChurnMap<string, number>();
      // Populations from 0 to ~60 keys, so both the emptying and the periodic rebuild happen.
      const keySpace = 1 + Math.floor(next() * 60);
      for (let op = 0; op < 5 * REBUILD_EVERY; op++) {
        const key = `k${Math.floor(next() * keySpace)}`;
        if (next() < 0.5) {
          expected.set(key, op);
          expect(actual.set(key, op)).toBe(actual);
        } else {
          expect(actual.delete(key)).toBe(expected.delete(key));
        }
        expect(actual.size).toBe(expected.size);
        expect(actual.get(key)).toBe(expected.get(key));
        expect(actual.has(key)).toBe(expected.has(key));
        if (op % 97 === 0) {
          expect([...actual]).toEqual([...expected]);
          expect([...actual.keys()]).toEqual([...expected.keys()]);
          expect([...actual.values()]).toEqual([...expected.values()]);
        }
      }
    }
  });

  it('can delete every entry while iterating over it, through an emptying and a rebuild', () => {
    const map = new ChurnMap<number, number>();
    for (let i = 0; i < 3 * REBUILD_EVERY; i++) map.set(i, i);
    for (let i = 0; i < REBUILD_EVERY; i++) map.delete(i); // the next deletes go past a rebuild
    const seen: number[] = [];
    for (const [key] of map) {
      seen.push(key);
      map.delete(key);
    }
    expect(seen).toEqual(Array.from({ length: 2 * REBUILD_EVERY }, (_, i) => REBUILD_EVERY + i));
    expect(map.size).toBe(0);
    map.set(1, 1);
    expect([...map]).toEqual([[1, 1]]);
  });

  it('leaves no old-generation garbage where a long-lived Map leaves ~150 bytes per set and delete', async () => {
    // Real V8, a fresh process each (test/fixtures/gc/map-churn.mjs): the condition the class exists for, then the class.
    // 50,000 pairs: ~7.6 MB for a Map, ~0.04 for a ChurnMap.
    expect(await oldSpaceGrowth('map')).toBeGreaterThan(3);
    expect(await oldSpaceGrowth('churn')).toBeLessThan(1);
  }, 120_000);
});

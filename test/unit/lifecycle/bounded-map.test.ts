import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most capacity keys, forgetting the oldest-inserted first; an update keeps a key’s age', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3], ['a', 10], ['d', 4]] as const) map.set(key, value);
    expect([...map.keys()].sort()).toEqual(['b', 'c', 'd']);
    map.set('e', 5);
    expect([...map.keys()].sort()).toEqual(['c', 'd', 'e']);
    expect(map.get('e')).toBe(5);
    expect(map.size).toBe(3);
  });

  it('stays within capacity under churn, with the newest keys kept', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) map.set(i, i);
    expect(map.size).toBe(100);
    expect(Math.min(...map.keys())).toBe(9_900);
  });

  it('costs about as much as a plain Map set: not the scan over deleted entries of keys().next() eviction', () => {
    // Ratio measured in the same run, generous margin: the Map-front eviction it replaces was ~9× a plain set.
    const n = 200_000;
    const time = (run: () => void): number => {
      const start = performance.now();
      run();
      return performance.now() - start;
    };
    const plain = (): void => {
      const map = new Map<string, number>();
      for (let i = 0; i < n; i++) map.set(`t${i % 4096}`, i);
    };
    const bounded = (): void => {
      const map = new BoundedMap<string, number>(4096);
      for (let i = 0; i < n; i++) map.set(`t${i}`, i);
    };
    plain();
    bounded();
    const ratios = [0, 1, 2].map(() => time(bounded) / time(plain));
    expect(Math.min(...ratios)).toBeLessThan(5);
  });
});

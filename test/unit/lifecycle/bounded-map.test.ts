import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/bounded-map.js';

describe('BoundedMap', () => {
  it('forgets the oldest-inserted half at once when full; an update keeps a key’s age', () => {
    const map = new BoundedMap<string, number>(4);
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3], ['a', 10], ['d', 4]] as const) map.set(key, value);
    expect([...map.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(map.get('a')).toBe(10);
    map.set('e', 5); // a and b, the oldest half, go together
    expect([...map.keys()]).toEqual(['c', 'd', 'e']);
    expect(map.has('a')).toBe(false);
    expect(map.get('a')).toBeUndefined();
    map.set('c', 30); // an update in the older generation keeps it there
    map.set('f', 6);
    map.set('g', 7);
    expect([...map.keys()]).toEqual(['e', 'f', 'g']);
    expect(map.size).toBe(3);
  });

  it('stays within capacity under churn, always keeping the newest half', () => {
    for (const capacity of [1, 2, 3, 100, 101]) {
      const map = new BoundedMap<number, number>(capacity);
      let largest = 0;
      for (let i = 0; i < 10_000; i++) {
        map.set(i, i);
        largest = Math.max(largest, map.size);
        for (let newest = Math.max(0, i - Math.floor(capacity / 2) + 1); newest <= i; newest++) expect(map.get(newest)).toBe(newest);
      }
      expect(largest).toBeLessThanOrEqual(Math.max(1, capacity));
      expect(Math.min(...map.keys())).toBeGreaterThanOrEqual(10_000 - Math.max(1, capacity));
    }
  });

  it('costs about as much as a plain Map set: no per-insert eviction', () => {
    // Ratio measured in the same run, generous margin: the Map-front eviction it once replaced was ~9× a plain set.
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

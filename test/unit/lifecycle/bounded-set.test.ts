import { describe, expect, it } from 'vitest';
import { BOUNDED_SET_ENTRY_CHARS, BoundedSet } from '../../../src/errors/bounded-set.js';

describe('BoundedSet (error dedup storage)', () => {
  it('remembers what it was given, forgets the oldest past capacity (the older half at once)', () => {
    const set = new BoundedSet(4);
    for (const key of ['a', 'b', 'c', 'd']) set.add(key);
    expect(['a', 'b', 'c', 'd'].every((key) => set.has(key))).toBe(true);
    set.add('e');
    expect(set.has('a') || set.has('b')).toBe(false);
    expect(['c', 'd', 'e'].every((key) => set.has(key))).toBe(true);
    expect(set.has('f')).toBe(false);
  });

  it('is bounded in bytes: 2,000 fingerprints with 64 KB stack traces keep ≤ 22 characters each', () => {
    const set = new BoundedSet(2000);
    const stack = 'Error: x\n' + '    at frame (file:///app.js:1:1)\n'.repeat(2000); // ~70 KB
    for (let i = 0; i < 2500; i++) set.add(`trace${i}|Error|x|${stack}`);
    expect(set.has(`trace2499|Error|x|${stack}`)).toBe(true);
    expect(set.storedChars()).toBeLessThanOrEqual(2000 * BOUNDED_SET_ENTRY_CHARS);
  });
});

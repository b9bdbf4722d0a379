/**
 * A Set that forgets its oldest entries past `capacity` (the older half at once: src/bounded-map.ts) and keeps
 * only a fixed-size digest of each entry, so its memory is bounded in bytes, not only in count: the keys it is
 * given (e.g. an error fingerprint with a full stack trace) can be arbitrarily long. A SHA-256 prefix of 16 bytes
 * makes a false "already seen" negligible (collision odds ~2⁻⁶⁴ among the entries kept).
 */
import { createHash } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';

/** Upper bound of one stored entry: 16 digest bytes as 22 base64url characters. */
export const BOUNDED_SET_ENTRY_CHARS = 22;

export class BoundedSet {
  private readonly items: BoundedMap<string, true>;

  constructor(capacity: number) {
    this.items = new BoundedMap(capacity);
  }

  has(item: string): boolean {
    return this.items.has(digest(item));
  }

  add(item: string): void {
    this.items.set(digest(item), true);
  }

  /** Characters held, for tests and self-checks: never more than capacity × BOUNDED_SET_ENTRY_CHARS. */
  storedChars(): number {
    let total = 0;
    for (const item of this.items.keys()) total += item.length;
    return total;
  }
}

function digest(item: string): string {
  return createHash('sha256').update(item).digest().subarray(0, 16).toString('base64url');
}

/**
 * A Map that holds at most `capacity` keys and forgets the oldest-inserted ones first, half of them at a time.
 *
 * Two generations of plain Maps: inserts go to the current one; when it holds half the capacity it becomes the
 * previous one (the one before is let go whole) and a fresh current one starts. So the newest `capacity / 2`
 * keys are always kept, never more than `capacity` (at least one), and no entry is ever deleted.
 *
 * Why not evict one key per insert (`map.delete(oldest)` beside a ring of keys, as this class did until
 * 2026-12): V8 leaves a deleted entry in its table until the table is rebuilt, and a full 4,096-key map rebuilds
 * it every few thousand inserts, on the span path (one insert per trace). Measured with the bench's agent step on
 * bare OpenTelemetry, one insert per trace, two runs each: the ring 1.11–1.16 µs per insert on average, single
 * inserts up to 1.25 ms, 28 % of the time in inserts over 10 µs; two generations 0.89–0.92 µs, up to 0.34 ms, 14 %.
 * (The same Map set costs ~60 ns in a tight loop; between the span path's allocations most of its cost is
 * presumably cache misses.) Evicting from the front of a Map (`keys().next()`) is worse still: iteration walks
 * over every entry deleted since the last rebuild.
 */
export class BoundedMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private readonly generationSize: number;

  constructor(readonly capacity: number) {
    this.generationSize = Math.max(1, Math.floor(capacity / 2));
  }

  /** A capacity below 2 cannot hold two generations: the current one is then all there is. */
  private get keepsPrevious(): boolean {
    return this.capacity >= 2;
  }

  /** Keys held (each key lives in one generation only). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  get(key: K): V | undefined {
    return this.current.has(key) ? this.current.get(key) : this.previous.get(key);
  }

  has(key: K): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  /** Insert, or update in place (a key's age is its first insertion: an update does not make it newer). */
  set(key: K, value: V): void {
    if (this.current.has(key)) {
      this.current.set(key, value);
      return;
    }
    if (this.previous.has(key)) {
      this.previous.set(key, value);
      return;
    }
    if (this.current.size >= this.generationSize) {
      this.previous = this.keepsPrevious ? this.current : new Map();
      this.current = new Map();
    }
    this.current.set(key, value);
  }

  /** Oldest generation first. */
  *keys(): IterableIterator<K> {
    yield* this.previous.keys();
    yield* this.current.keys();
  }
}

/**
 * A Map for entries that come and go all the time (a span's, a trace's), which does not fill V8's old generation
 * with the tables of its own churn.
 *
 * A Map keeps a deleted entry in its table until the table is rebuilt, and V8 allocates the rebuilt table where the
 * old one lives (v8 src/objects/ordered-hash-table.cc `Rehash`: old space for a table in old space). A long-lived
 * Map — promoted after two young-generation collections — therefore makes old-generation garbage as entries come
 * and go: ~150 bytes per set and delete in a loop (200,000 pairs grew old space by 30 MB, none of it live). On the
 * span path that was one table per few agent steps in the in-flight invocations and the per-trace breadcrumbs, and
 * what filled the old generation between full collections (bench/README.md "Findings of 2026-12-03, 17:34–19:15").
 *
 * So the Map is replaced by a new one — young, whose tables die young — when a delete would empty it (the common
 * case: an agent's spans and traces end before the next start), and by a copy of its live entries every
 * `max(REBUILD_EVERY, 2 × size)` deletes (a service always holding some in flight): at most half a copy per delete.
 * Iteration order is insertion order, as a Map's (the copy keeps it). Deleting while iterating is safe: an iterator
 * walks the Map it began on, which is left as it was when replaced.
 */
export const REBUILD_EVERY = 1024;

export class ChurnMap<K, V> {
  private map = new Map<K, V>();
  private deletes = 0;

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.map.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (this.map.size === 1) {
      if (!this.map.has(key)) return false;
      this.map = new Map();
      this.deletes = 0;
      return true;
    }
    if (!this.map.delete(key)) return false;
    if (++this.deletes >= REBUILD_EVERY && this.deletes >= 2 * this.map.size) {
      this.map = new Map(this.map);
      this.deletes = 0;
    }
    return true;
  }

  keys(): MapIterator<K> {
    return this.map.keys();
  }

  values(): MapIterator<V> {
    return this.map.values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.map[Symbol.iterator]();
  }
}

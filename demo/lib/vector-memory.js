// An in-memory vector store with real cosine search over small hashed bag-of-words embeddings (64 dimensions).
import { hashString } from './random.js';

const DIMENSIONS = 64;

export function embed(text) {
  const vector = new Float64Array(DIMENSIONS);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) vector[hashString(word) % DIMENSIONS] += 1;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

export function cosine(a, b) {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot; // both normalised
}

export class VectorMemory {
  #items = new Map();

  put(id, text) {
    this.#items.set(id, { id, text, vector: embed(text) });
  }

  get(id) {
    return this.#items.get(id)?.text;
  }

  /** The k most similar items above `minScore`. */
  search(query, k = 3, minScore = 0.2) {
    const q = embed(query);
    return [...this.#items.values()]
      .map((item) => ({ id: item.id, text: item.text, score: cosine(q, item.vector) }))
      .filter((hit) => hit.score >= minScore)
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  get size() {
    return this.#items.size;
  }
}

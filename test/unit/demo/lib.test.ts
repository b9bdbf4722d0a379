import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS demo module
import { VectorMemory, cosine, embed } from '../../../demo/lib/vector-memory.js';
// @ts-expect-error plain JS demo module
import { createFakeLlm, RateLimitError } from '../../../demo/lib/fake-llm.js';

describe('demo vector memory', () => {
  it('finds the most similar text by cosine similarity', () => {
    const memory = new VectorMemory();
    memory.put('a', 'prometheus metrics histograms alerts');
    memory.put('b', 'vector embeddings cosine retrieval');
    const [best] = memory.search('cosine similarity of embeddings');
    expect(best.id).toBe('b');
    expect(cosine(embed('same words'), embed('same words'))).toBeCloseTo(1);
    expect(memory.search('completely unrelated zebra')).toEqual([]);
  });
});

describe('demo fake LLM', () => {
  it('is deterministic per seed and returns usage like a real chat API', async () => {
    const [a, b] = await Promise.all([createFakeLlm(7).chat({ model: 'gpt-4o-mini', prompt: 'hi there' }), createFakeLlm(7).chat({ model: 'gpt-4o-mini', prompt: 'hi there' })]);
    expect(a).toEqual(b);
    expect(a.usage.input_tokens).toBeGreaterThan(0);
    expect(a.finish_reason).toBe('stop');
    await expect(createFakeLlm(7).chat({ model: 'gpt-4o-mini', prompt: 'x', rateLimited: true })).rejects.toBeInstanceOf(RateLimitError);
  });
});

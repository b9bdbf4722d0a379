import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
// @ts-expect-error plain JS demo module
import { VectorMemory, cosine, embed } from '../../../demo/lib/vector-memory.js';
// @ts-expect-error plain JS demo module
import { LOCAL_API_KEY, llmEndpoint } from '../../../demo/lib/llm-endpoint.js';

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

describe('demo LLM endpoint', () => {
  type Endpoint = { url: string; started: boolean; close: () => Promise<void> };

  it('is the server `npm start` names in OPENAI_BASE_URL, without starting another', async () => {
    const endpoint: Endpoint = await llmEndpoint({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
    expect(endpoint).toMatchObject({ url: 'http://127.0.0.1:1/v1', started: false });
  });

  it('for an agent started alone, is a local server seeded by DEMO_SEED that the openai client talks to', async () => {
    const ask = async (seed: string) => {
      const endpoint: Endpoint = await llmEndpoint({ DEMO_SEED: seed });
      try {
        expect(endpoint.started).toBe(true);
        expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
        const client = new OpenAI({ baseURL: endpoint.url, apiKey: LOCAL_API_KEY, maxRetries: 0 });
        const reply = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'plan' }] });
        return reply.choices[0]?.message.content;
      } finally {
        await endpoint.close();
      }
    };
    const first = await ask('7');
    expect(first).toBeTruthy();
    expect(await ask('7')).toBe(first);
    expect(await ask('8')).not.toBe(first);
  });
});

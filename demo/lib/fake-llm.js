// A deterministic fake LLM: per-model latency and token counts from a seeded PRNG, no network.
// Returns what real chat APIs return, so aiRequest records usage, response model and finish reason by itself.
import { createRandom, hashString } from './random.js';

const MODELS = {
  'gpt-4o': { provider: 'openai', latencyMs: [40, 120], tokensPerWord: 1.3 },
  'claude-sonnet': { provider: 'anthropic', latencyMs: [60, 160], tokensPerWord: 1.4 },
  'gpt-4o-mini': { provider: 'openai', latencyMs: [15, 50], tokensPerWord: 1.3 },
};

export class RateLimitError extends Error {
  name = 'RateLimitError';
  status = 429;
  constructor(model) {
    super(`rate limit reached for ${model}: retry after 20s`);
  }
}

export function modelInfo(model) {
  const info = MODELS[model];
  if (!info) throw new Error(`unknown model ${model}`);
  return info;
}

export function createFakeLlm(seed) {
  return {
    async chat({ model, prompt, rateLimited = false }) {
      const info = modelInfo(model);
      const random = createRandom(hashString(`${seed}:${model}:${prompt}`));
      const [min, max] = info.latencyMs;
      await new Promise((resolve) => setTimeout(resolve, min + random() * (max - min)));
      if (rateLimited) throw new RateLimitError(model);
      const inputTokens = Math.ceil(prompt.split(/\s+/).length * info.tokensPerWord) + 20;
      const outputTokens = 40 + Math.floor(random() * 200);
      return {
        model,
        text: `(${model}) ${prompt.slice(0, 60)} … ${outputTokens} tokens of insight`,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        finish_reason: 'stop',
      };
    },
  };
}

// Shared wiring for the demo agents: one seeded fake LLM per process.
import { createFakeLlm } from './fake-llm.js';

export const seed = Number(process.env.DEMO_SEED ?? 42);
export const llm = createFakeLlm(seed);

export function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

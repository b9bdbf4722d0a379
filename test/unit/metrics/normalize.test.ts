import { describe, expect, it } from 'vitest';
import { LabelNormalizer } from '../../../src/metrics/normalize.js';

describe('LabelNormalizer', () => {
  const n = new LabelNormalizer();

  it('lowercases, trims and replaces odd characters', () => {
    expect(n.normalize('  GPT-4o ')).toBe('gpt-4o');
    expect(n.normalize('Research Agent #2')).toBe('research_agent_2');
    expect(n.normalize('anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('anthropic.claude-3-5-sonnet-20241022-v2:0');
    expect(n.normalize('meta-llama/Llama-3-70b')).toBe('meta-llama/llama-3-70b');
  });

  it('removes ids and URLs, caps the length', () => {
    expect(n.normalize('worker-3f2a9c1e-1b2c-4d5e-8f90-123456789abc')).toBe('worker-{id}');
    expect(n.normalize('session-4bf92f3577b34da6a3ce929d0e0e4736')).toBe('session-{id}');
    expect(n.normalize('https://api.example.com/v1/agents/42')).toBe('{url}');
    expect(n.normalize('x'.repeat(500))).toHaveLength(64);
  });

  it('keeps case for error types when asked; ignores non-strings and empties', () => {
    const e = new LabelNormalizer({ lowercase: false });
    expect(e.normalize('ValidationError')).toBe('ValidationError');
    expect(e.normalize(429)).toBe('429');
    expect(e.normalize(undefined)).toBeUndefined();
    expect(e.normalize('   ')).toBeUndefined();
    expect(e.normalize(['a'] as unknown)).toBeUndefined();
  });

  it('keeps its cache bounded', () => {
    const small = new LabelNormalizer({ maxEntries: 10 });
    for (let i = 0; i < 1000; i++) small.normalize(`agent-${i}`);
    expect(small.size).toBe(10);
    expect(small.normalize('agent-5')).toBe('agent-5');
  });
});

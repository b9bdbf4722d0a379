// The incubating semantic conventions copied into src/agent/semconv-incubating.ts (off the preload's path, issue 18)
// are the package's: every name exists in @opentelemetry/semantic-conventions/incubating with the same value.
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copied from '../../../src/agent/semconv-incubating.js';

describe('src/agent/semconv-incubating.ts', () => {
  it.each(Object.entries(copied))('%s is the package’s', (name, value) => {
    expect((incubating as Record<string, unknown>)[name]).toBe(value);
  });
});

/** Content cut to the limit stays JSON: Sentry parses gen_ai.*.messages and tool arguments/results as JSON. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitJson } from '../../../src/agent/content-json.js';
import { CONTENT_MAX_LENGTH, CONTENT_TRUNCATION_MARKER } from '../../../src/agent/index.js';

const MARK = CONTENT_TRUNCATION_MARKER;
const message = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });

describe('fitJson', () => {
  it('keeps what fits unchanged', () => {
    const json = JSON.stringify([message('user', 'hi')]);
    expect(fitJson(json, CONTENT_MAX_LENGTH, MARK)).toBe(json);
  });

  it('a long conversation keeps its newest messages, whole, and parses', () => {
    const messages = Array.from({ length: 200 }, (_, i) => message(i % 2 ? 'assistant' : 'user', `turn ${i} ${'x'.repeat(100)}`));
    const out = fitJson(JSON.stringify(messages), CONTENT_MAX_LENGTH, MARK);
    expect(out.length).toBeLessThanOrEqual(CONTENT_MAX_LENGTH);
    const kept = JSON.parse(out) as typeof messages;
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(messages.slice(messages.length - kept.length));
  });

  it('one huge message is shortened inside its content, in the documented shape, ending with the marker', () => {
    const huge = [message('user', 'a'.repeat(10 * CONTENT_MAX_LENGTH))];
    const out = fitJson(JSON.stringify(huge), CONTENT_MAX_LENGTH, MARK);
    expect(out.length).toBeLessThanOrEqual(CONTENT_MAX_LENGTH);
    const [only] = JSON.parse(out) as typeof huge;
    expect(only!.role).toBe('user');
    expect(only!.parts[0]!.type).toBe('text');
    expect(only!.parts[0]!.content.endsWith(MARK)).toBe(true);
    expect(only!.parts[0]!.content.length).toBeGreaterThan(CONTENT_MAX_LENGTH - 200);
  });

  it('escapes, surrogate pairs and deep nesting: always parsable JSON within the limit (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 2, max: 400 }), (value, max) => {
        const json = JSON.stringify(value);
        const out = fitJson(json, max, MARK);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, json.length <= max ? json.length : 0));
        expect(() => JSON.parse(out)).not.toThrow();
        expect(() => encodeURIComponent(out)).not.toThrow(); // no lone surrogate
        if (json.length <= max) expect(out).toBe(json);
      }),
      { numRuns: 2000 },
    );
  });

  it('strings full of characters JSON escapes are cut by their escaped length', () => {
    const nasty = { text: '"\\\n\u0001😀'.repeat(3000) };
    for (const max of [40, 41, 97, 500, CONTENT_MAX_LENGTH]) {
      const out = fitJson(JSON.stringify(nasty), max, MARK);
      expect(out.length).toBeLessThanOrEqual(max);
      expect((JSON.parse(out) as { text: string }).text.endsWith(MARK)).toBe(true);
    }
  });
});

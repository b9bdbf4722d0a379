/**
 * Scrubbing reads attacker-controlled text (headers, URLs, prompts) on every span: its cost must grow linearly
 * with the text. Each input below was quadratic under the old rules (test/unit/scrub/legacy-rules.ts): 4 KB took
 * ~0.15 s and 64 KB ~10–40 s. A ratio measured in one run, not an absolute time: linear ≈ 16, quadratic ≈ 256.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FILTERED, MAX_SCRUB_LENGTH, scrubString } from '../../../src/scrub/index.js';
import { legacyScrub } from './legacy-rules.js';

const SMALL = 4 * 1024;
const LARGE = 64 * 1024;
const MAX_RATIO = 48;

/** `unit` repeated to exactly `length` characters, after `prefix` (which makes the pre-check pass). */
const repeat = (prefix: string, unit: string) => (length: number) => (prefix + unit.repeat(Math.ceil(length / unit.length))).slice(0, length);

/** The worst cases of the old rules: long runs that look like the start of a match and never complete it. */
const CRAFTED: Array<[string, (length: number) => string]> = [
  ['e-mail local part without a domain', repeat('@ ', 'a')],
  ['e-mail local part of every allowed character', repeat('@ ', 'a.b-c_d%e+f0')],
  ['e-mail domain labels without a top-level domain', repeat('x@', 'a1.')],
  ['URL scheme run with dots (a \\b at every letter)', repeat('@ :// ', 'a.')],
  ['URL userinfo without an @', repeat('@ x://', 'a')],
  ['URL password without an @', repeat('@ x://u:', 'p')],
  ['JWT first segment with dashes (a \\b at every eyJ)', repeat('', 'eyJa-')],
  ['free-text key followed by blanks', repeat('token', ' ')],
  ['Bearer followed by blanks', repeat('Bearer', ' ')],
  ['query parameter names without =', repeat('?', 'tokenx')],
];

/** A generated corpus: random mixes of the rules' building blocks, repeated to the length. */
const PIECES = ['a', 'Z', '0', '.', '-', '_', '%', '+', '@', ':', '/', '://', '?', '&', '=', ' ', '"', 'eyJ', 'token', 'password', ' is ', 'Bearer ', 'sk-', 'ghp_', 'xoxb-', 'http', '.com'];
const GENERATED: Array<[string, (length: number) => string]> = fc
  .sample(fc.array(fc.constantFrom(...PIECES), { minLength: 8, maxLength: 64 }), { numRuns: 8, seed: 16 })
  .map((pieces) => [`generated: ${JSON.stringify(pieces.join('')).slice(0, 40)}`, repeat('', pieces.join(''))]);

/**
 * Milliseconds per call: the fastest of interleaved trials, each long enough for the clock. The minimum, not the
 * median: other processes on the machine only ever add time, and they add it to either size at random.
 */
function timePair(small: string, large: string): { small: number; large: number } {
  const perCall = (text: string, minMs: number): number => {
    let calls = 0;
    const start = performance.now();
    let elapsed: number;
    do {
      scrubString(text);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    return elapsed / calls;
  };
  const smalls: number[] = [];
  const larges: number[] = [];
  perCall(small, 5); // warm-up: regex compilation and tier-up
  perCall(large, 5);
  // Many short trials: on a loaded machine some of them still run undisturbed.
  for (let trial = 0; trial < 25; trial++) {
    smalls.push(perCall(small, 5));
    larges.push(perCall(large, 5));
  }
  return { small: Math.min(...smalls), large: Math.min(...larges) };
}

describe('scrubbing runs in linear time', () => {
  it.each([...CRAFTED, ...GENERATED])(`%s: time(64 KB) / time(4 KB) ≤ ${MAX_RATIO}`, (_name, make) => {
    const small = make(SMALL);
    const large = make(LARGE);
    expect(large.length).toBeLessThanOrEqual(MAX_SCRUB_LENGTH); // measured below the scan bound, not cut by it
    const { small: t4, large: t64 } = timePair(small, large);
    expect(t64 / t4, `4 KB ${(t4 * 1000).toFixed(0)} µs, 64 KB ${(t64 * 1000).toFixed(0)} µs`).toBeLessThanOrEqual(MAX_RATIO);
  }, 60_000);

  it('scans at most MAX_SCRUB_LENGTH characters: the rest is cut and marked, never kept unscanned', () => {
    const secret = 'jane.doe@example.com';
    const text = `${'x '.repeat(MAX_SCRUB_LENGTH / 2)}${secret}`;
    const clean = scrubString(text);
    expect(clean).not.toContain(secret);
    expect(clean.length).toBeLessThan(MAX_SCRUB_LENGTH + 40);
    expect(clean.endsWith(`(truncated)`)).toBe(true);
    expect(clean).toContain(FILTERED);
  });
});

describe('the linear rules redact exactly what the old rules did', () => {
  it('on generated texts made of the rules’ building blocks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES, 'example', 'AKIAIOSFODNN7EXAMPLE', 'abcdefghijklmnopqrstuvwx', '#', ';', "'", ','), { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        expect(scrubString(text)).toBe(legacyScrub(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('on ordinary texts with secrets (URLs with credentials, e-mails, tokens, keys) between arbitrary text', () => {
    const secrets = fc.constantFrom(
      'postgres://admin:hunter2secret@db.internal:5432/app',
      'https://0123456789abcdef0123456789abcdef@o0.ingest.sentry.io/1',
      'git+ssh://deploy:k3y@git.example.org/repo.git',
      'http://127.0.0.1/cb?page=2&token=qSECRETq&x=1',
      'Authorization: Bearer eyabc123SECRETtoken',
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'contact jane.doe+ops@example.com or ops@mail.example.co.uk',
      'my password is pSECRETp',
      'secret=sSECRETs',
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), secrets, fc.constantFrom(' ', '\n', '"', '(', '-', '.'), fc.string({ maxLength: 40 }), (before, secret, separator, after) => {
        const text = `${before}${separator}${secret}${separator}${after}`;
        const clean = scrubString(text);
        expect(clean).toBe(legacyScrub(text));
        expect(clean).toContain(FILTERED);
      }),
      { numRuns: 5_000 },
    );
  });
});

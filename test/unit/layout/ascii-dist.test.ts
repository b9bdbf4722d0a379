/**
 * `npm run build` escapes the non-ASCII characters of the package's JavaScript (scripts/ascii-dist.mjs) so V8 holds
 * each module's source in one byte per character, not two (issue 18). The escape must not change what any of it
 * means: generated text in each place it can stand, evaluated before and after, gives the same value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module of the build, without types
import { escapeNonAscii } from '../../../scripts/ascii-dist.mjs';

const escape = escapeNonAscii as (text: string) => string;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const evaluate = (code: string): unknown => (0, eval)(code);
/** Full Unicode, astral planes and lone surrogates included. */
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
// In a /u pattern a lone surrogate is a code point of its own; a pair is one astral code point.
const wellFormed = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/[\uD800-\uDFFF]/u.test(s));
const regexEscape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

describe('escaping non-ASCII in built JavaScript', () => {
  it('leaves string literals meaning the same', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const code = `(${JSON.stringify(s)})`;
        const out = escape(code);
        expect(out).not.toMatch(/[\u0080-\uffff]/);
        expect(evaluate(out)).toBe(evaluate(code));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves untagged template literals meaning the same', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const code = `\`${s.replace(/[\\`$]/g, '\\$&').replace(/\r/g, '\\r')}\``;
        expect(evaluate(escape(code))).toBe(evaluate(code));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves regular expressions matching the same, with and without /u', () => {
    fc.assert(
      fc.property(wellFormed, fc.array(wellFormed, { maxLength: 4 }), fc.constantFrom('', 'u', 'i', 'iu'), (s, others, flags) => {
        const code = `(/${s.length > 0 ? regexEscape(s) : '(?:)'}/${flags})`;
        const [before, after] = [evaluate(code), evaluate(escape(code))] as [RegExp, RegExp];
        for (const input of [s, `x${s}y`, ...others]) expect(after.exec(input)?.[0], input).toBe(before.exec(input)?.[0]);
        // a class of the text's characters, too: ranges and astral code points inside brackets
        const cls = `(/[${regexEscape(s).replace(/-/g, '\\-')}]+/${flags})`;
        if (s.length > 0) for (const input of [s, ...others]) expect((evaluate(escape(cls)) as RegExp).exec(input)?.[0]).toBe((evaluate(cls) as RegExp).exec(input)?.[0]);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves comments comments', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const block = `/* ${s.replace(/\*\//g, '')} */ 1`;
        const line = `// ${s.replace(/[\n\r\u2028\u2029]/g, '')}\n2`;
        expect(evaluate(escape(block))).toBe(1);
        expect(evaluate(escape(line))).toBe(2);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a character right after a backslash (an escape of its own), and only an odd run of them', () => {
    expect(() => escape(`'\\\u00e9'`)).toThrow(/after a backslash/);
    expect(evaluate(escape(`'\\\\\u00e9'`))).toBe(evaluate(`'\\\\\u00e9'`));
  });

  it('the built package is ASCII, but for the one file it names (a tagged template)', () => {
    const nonAscii = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return nonAscii(path);
        return entry.name.endsWith('.js') && /[\u0080-\uffff]/.test(readFileSync(path, 'utf8')) ? [relative(ROOT, path)] : [];
      });
    expect(['dist/src', 'dist/instrumentation', 'dist/exporters'].flatMap((dir) => nonAscii(join(ROOT, dir)))).toEqual(['dist/src/ingest/ui/client.js']);
  });
});

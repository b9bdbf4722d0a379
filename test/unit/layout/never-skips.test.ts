/**
 * Tests never pass by skipping (issue 16): a tool a suite needs that is missing fails it with an install hint, and
 * no test file skips conditionally. Guards both, so a later `it.skipIf(!found)` cannot bring the silent skip back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findBinary, requireDebianTool } from '../../helpers/binaries.js';
import { ROOT } from '../../helpers/process.js';

/** `it.skip`, `describe.skipIf`, `test.runIf`, `.todo`, `ctx.skip()`: every way vitest has to not run a test. */
const SKIPPING = /\b(?:it|test|describe|suite|bench)\s*\.\s*(?:skip|skipIf|runIf|todo)\b|\b(?:ctx|context|t)\s*\.\s*skip\s*\(/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.(?:test|spec)\.[cm]?[jt]s$/.test(entry.name) ? [path] : [];
  });
}

describe('tests never pass by skipping', () => {
  it('a missing tool is a failure that says how to install it', () => {
    expect(() => requireDebianTool('agent-otel-bridge-no-such-tool', 'no-such-package')).toThrow(
      /agent-otel-bridge-no-such-tool not found: install the Debian package with `apt-get install --no-install-recommends no-such-package`/,
    );
    expect(findBinary('node')).toBeDefined(); // the lookup does find what is there
  });

  it('no test file skips a test, conditionally or not', () => {
    const self = fileURLToPath(import.meta.url); // its own examples below are skips on purpose
    const files = testFiles(join(ROOT, 'test')).filter((file) => file !== self);
    expect(files.length).toBeGreaterThan(50);
    const skipping = files.filter((file) => SKIPPING.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));
    expect(skipping).toEqual([]);
  });

  it('the check finds a skip it is given', () => {
    for (const text of ['it.skip("x", () => {})', 'describe.skipIf(!found)("x", () => {})', 'it.runIf(ok)("x", f)', 'ctx.skip()', 'test.todo("x")']) {
      expect(SKIPPING.test(text), text).toBe(true);
    }
    expect(SKIPPING.test('expect(outcome).toBe("skipped")')).toBe(false);
  });
});

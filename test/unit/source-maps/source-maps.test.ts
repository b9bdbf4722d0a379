// The preload's source-map decision (src/source-maps.ts): which mode and facts turn Node's source maps on, and how
// the entry script is found to ship a map. The end-to-end effect on stack frames: test/e2e/source-maps.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideSourceMaps, entryShipsMap, type SourceMapsFacts } from '../../../src/source-maps.js';

const dir = mkdtempSync(join(tmpdir(), 'aob-source-maps-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const mapped = file('mapped.js', 'console.log(1);\n//# sourceMappingURL=mapped.js.map\n');
const plain = file('plain.js', 'console.log(1);\n');
const facts = (over: Partial<SourceMapsFacts> = {}): SourceMapsFacts => ({ alreadyEnabled: false, nodeOptions: undefined, execArgv: [], entry: mapped, ...over });

describe('decideSourceMaps', () => {
  it.each([
    ['auto', facts(), { enabled: true, reason: 'entry-ships-map' }],
    ['auto', facts({ entry: plain }), { enabled: false, reason: 'no-map' }],
    ['auto', facts({ entry: undefined }), { enabled: false, reason: 'no-map' }],
    ['auto', facts({ nodeOptions: '--max-old-space-size=512 --no-enable-source-maps' }), { enabled: false, reason: 'flag-set' }],
    ['auto', facts({ execArgv: ['--no-enable-source-maps'] }), { enabled: false, reason: 'flag-set' }],
    ['auto', facts({ alreadyEnabled: true, nodeOptions: '--enable-source-maps' }), { enabled: true, reason: 'already-enabled' }],
    ['auto', facts({ nodeOptions: '--enable-source-mapsx' }), { enabled: true, reason: 'entry-ships-map' }],
    ['on', facts({ entry: plain }), { enabled: true, reason: 'on' }],
    ['on', facts({ alreadyEnabled: true }), { enabled: true, reason: 'already-enabled' }],
    ['off', facts(), { enabled: false, reason: 'off' }],
    ['off', facts({ alreadyEnabled: true }), { enabled: true, reason: 'off' }],
  ] as const)('%s with %j → %j', (mode, f, expected) => {
    expect(decideSourceMaps(mode, f)).toEqual(expected);
  });
});

describe('entryShipsMap', () => {
  it('a sourceMappingURL comment on the last line (external, inline, old //@ form, trailing blank lines)', () => {
    expect(entryShipsMap(mapped)).toBe(true);
    expect(entryShipsMap(file('inline.js', `x();\n//# sourceMappingURL=data:application/json;base64,${'A'.repeat(10_000)}`))).toBe(true);
    expect(entryShipsMap(file('old.js', 'x();\n//@ sourceMappingURL=old.js.map\n\n\n'))).toBe(true);
  });

  it('a .map file next to the entry, without the comment', () => {
    const entry = file('sibling.js', 'x();\n');
    file('sibling.js.map', '{"version":3,"sources":[],"mappings":""}');
    expect(entryShipsMap(entry)).toBe(true);
  });

  it('no map: no comment, the comment not on the last line, a missing file, a directory', () => {
    expect(entryShipsMap(plain)).toBe(false);
    expect(entryShipsMap(file('earlier.js', '//# sourceMappingURL=earlier.js.map\nx();\n'))).toBe(false);
    expect(entryShipsMap(file('string.js', 'const s = "//# sourceMappingURL=fake.map";\n'))).toBe(false);
    expect(entryShipsMap(join(dir, 'missing.js'))).toBe(false);
    expect(entryShipsMap(dir)).toBe(false);
    expect(entryShipsMap('')).toBe(false);
  });

  it('reads a bounded tail: a 4 MB entry of newlines costs one 64 KiB read and says no', () => {
    expect(entryShipsMap(file('big.js', `x();\n${'\n'.repeat(4_000_000)}`))).toBe(false);
    expect(entryShipsMap(file('big-mapped.js', `${'x();\n'.repeat(800_000)}//# sourceMappingURL=big-mapped.js.map\n`))).toBe(true);
  });
});

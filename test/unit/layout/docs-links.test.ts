/**
 * The repository explains itself: every relative link of its Markdown pages resolves to a file in it, and neither
 * the code nor the docs point at design documents it does not carry ("DESIGN §N"). The packed README's links are
 * checked in the installed package by test/e2e/package.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'results' ? [] : files(path, pattern);
    return pattern.test(entry.name) ? [path] : [];
  });
}

const pages = [join(ROOT, 'README.md'), ...['docs', 'grafana', 'k8s', 'bench', 'demo'].flatMap((folder) => files(join(ROOT, folder), /\.md$/))];

/** Relative link targets of a Markdown page (anchors, external URLs and anything inside code left out). */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link));
}

describe('documentation', () => {
  it('every relative link of the Markdown pages resolves', () => {
    expect(pages.length).toBeGreaterThan(5);
    const dead = pages.flatMap((page) =>
      relativeLinks(readFileSync(page, 'utf8'))
        .filter((link) => !existsSync(resolve(dirname(page), link)))
        .map((link) => `${relative(ROOT, page)} → ${link}`),
    );
    expect(dead).toEqual([]);
  });

  it('no code or page refers to a design document outside the repository', () => {
    const sources = ['src', 'instrumentation', 'exporters', 'demo', 'bench', 'grafana', 'k8s', 'docs'].flatMap((folder) => files(join(ROOT, folder), /\.(ts|js|mjs|md)$/));
    const offenders = [join(ROOT, 'README.md'), ...sources].filter((file) => /\bDESIGN(?:\.md)?\s*§/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('the link check sees a dead link', () => {
    expect(relativeLinks('[a](docs/x.md) [b](#anchor) [c](https://example.com) [d](../y.md#z) `[e](code.md)`')).toEqual(['docs/x.md', '../y.md']);
  });
});

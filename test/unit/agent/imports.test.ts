/**
 * src/agent is the part agent authors import: it may depend on the OpenTelemetry API and semantic-convention
 * constants only (plus its own files), so it never drags an SDK, Sentry or Node-only modules into their code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SEMANTIC_ATTRIBUTE_SENTRY_OP } from '@sentry/core';
import { ATTR_SENTRY_OP } from '../../../src/agent/attributes.js';

const AGENT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/agent');
const ALLOWED_PACKAGES = new Set(['@opentelemetry/api', '@opentelemetry/semantic-conventions', '@opentelemetry/semantic-conventions/incubating']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?(t|j)sx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every problem with the module references of one file (static, re-export, side-effect, dynamic, require). */
function importProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const { importedFiles } = ts.preProcessFile(text, true, true);
  for (const { fileName: specifier } of importedFiles) {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (relative(AGENT_DIR, target).startsWith('..')) problems.push(`${specifier} leaves src/agent`);
    } else if (!ALLOWED_PACKAGES.has(specifier)) {
      problems.push(`${specifier} is not allowed`);
    }
  }
  // Computed specifiers cannot be checked: forbid them outright.
  if (/\b(?:import|require)\s*\(\s*[^'"`\s)]/.test(text)) problems.push('non-literal dynamic import/require');
  if (/\brequire\s*\(/.test(text)) problems.push('require() is not allowed');
  return problems;
}

describe('src/agent imports', () => {
  const files = sourceFiles(AGENT_DIR);

  it('has the expected entry point', () => {
    expect(files.map((f) => relative(AGENT_DIR, f))).toContain('index.ts');
  });

  it.each(files.map((f) => [relative(AGENT_DIR, f), f]))('%s imports only @opentelemetry/api, semantic-conventions and ./ files', (_name, file) => {
    expect(importProblems(file, readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('the check itself catches forbidden imports of every form', () => {
    const file = join(AGENT_DIR, 'x.ts');
    const cases = [
      `import { startBridge } from '../bridge.js';`,
      `import {\n  a,\n} from "@opentelemetry/sdk-trace";`,
      `export * from '@sentry/node';`,
      `import 'node:fs';`,
      `import type { X } from 'zod';`,
      `const m = await import('node:child_process');`,
      `const m = await import(name);`,
      `const fs = require('fs');`,
    ];
    for (const source of cases) expect(importProblems(file, source), source).not.toEqual([]);
    expect(importProblems(file, `import { trace } from '@opentelemetry/api';\nimport { x } from './y.js';`)).toEqual([]);
  });

  it("spells the Sentry attribute it cannot import (no @sentry/core here) as @sentry/core does", () => {
    expect(ATTR_SENTRY_OP).toBe(SEMANTIC_ATTRIBUTE_SENTRY_OP);
  });
});

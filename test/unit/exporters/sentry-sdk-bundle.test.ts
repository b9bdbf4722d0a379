/**
 * dist/exporters/sentry-sdk.js, as `npm run build` leaves it (scripts/bundle-sentry-sdk.mjs): one tree-shaken module
 * of the Sentry SDK code exporters/sentry-sdk.ts re-exports, not the packages' ~620 modules (issue 18). It must
 * export what the source module does, behave as the installed SDK does, import only what this package's users
 * install, and carry the licenses of the code it holds.
 */
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as Sentry from '@sentry/node';
import { describe, expect, it } from 'vitest';
import * as source from '../../../exporters/sentry-sdk.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLE = resolve(ROOT, 'dist/exporters/sentry-sdk.js');
const code = readFileSync(BUNDLE, 'utf8');
const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const sdkVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@sentry/node/package.json'), 'utf8')) as { version: string }).version;

describe('the built Sentry SDK module', () => {
  it('is the bundle of the installed SDK version, not tsc\'s re-exports', () => {
    expect(code.startsWith(`/*! agent-otel-bridge: tree-shaken Sentry SDK (@sentry/node ${sdkVersion}, MIT)`)).toBe(true);
    expect(code).not.toMatch(/from\s*["']@sentry\//);
  });

  it('exports what exporters/sentry-sdk.ts exports, and each behaves as the package\'s', async () => {
    const bundle = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>;
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(source).sort());
    for (const [name, value] of Object.entries(bundle)) if (name !== 'SDK_VERSION') expect(typeof value, name).toBe('function');
    expect(bundle.SDK_VERSION).toBe(Sentry.SDK_VERSION);
    const dsn = 'http://0123456789abcdef0123456789abcdef@127.0.0.1:9000/42';
    expect((bundle.getOtlpTracesEndpoint as typeof Sentry.getOtlpTracesEndpoint)(dsn)).toEqual(Sentry.getOtlpTracesEndpoint(dsn));
    const names = (factory: string) => ((bundle[factory] as () => { name: string })().name);
    expect(names('httpIntegration')).toBe(Sentry.httpIntegration().name);
    expect(names('conversationIdIntegration')).toBe('ConversationId');
  });

  it("imports only Node's built-ins and this package's dependencies", () => {
    const specifiers = [...code.matchAll(/^\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']/gm), ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    const packageOf = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    const strays = specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !(packageOf(s) in manifest.dependencies));
    expect(strays).toEqual([]);
  });

  it('stays small and ASCII: one-byte source in the heap, not every integration the SDK ships', () => {
    // Non-ASCII anywhere makes V8 hold the whole source as UTF-16, twice the bytes. The size bound catches the bundle
    // reaching the SDK's `getDefaultIntegrations()` again (1006 KiB then, 562 KiB without: exporters/sentry-integrations.ts).
    expect(code).not.toMatch(/[\u0080-\uffff]/);
    expect(code.length).toBeLessThan(700 * 1024);
  });

  it('ships the licenses of the packages it holds code from', () => {
    const licenses = readFileSync(resolve(ROOT, 'dist/exporters/sentry-sdk.LICENSES.txt'), 'utf8');
    for (const name of ['@sentry/node', '@sentry/core', '@sentry/opentelemetry']) expect(licenses).toContain(`${name} ${sdkVersion}`);
    expect(licenses).toContain('MIT License');
  });
});

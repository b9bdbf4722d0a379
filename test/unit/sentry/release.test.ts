/**
 * The preload resolves the release without loading @sentry/node (exporters/sentry-release.ts): it must stay what
 * the SDK's own `getSentryRelease()` answers, for each way a release is found.
 */
import * as Sentry from '@sentry/node';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRelease } from '../../../exporters/sentry-release.js';

const VARIABLES = ['SENTRY_RELEASE', 'GITHUB_SHA', 'CI_COMMIT_SHA', 'HEROKU_SLUG_COMMIT', 'VERCEL_GIT_COMMIT_SHA', 'SOURCE_VERSION'];
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('release without the SDK', () => {
  it.each([
    ['nothing set', {}],
    ['SENTRY_RELEASE', { SENTRY_RELEASE: 'agents@1.2.3' }],
    ['a GitHub commit', { GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567' }],
    ['a GitLab commit', { CI_COMMIT_SHA: 'fedcba9876543210fedcba9876543210fedcba98' }],
    ['SENTRY_RELEASE beats a commit', { SENTRY_RELEASE: 'explicit', GITHUB_SHA: 'abc' }],
  ])('%s: the same answer as Sentry.getSentryRelease()', async (_name, env: Record<string, string>) => {
    for (const name of VARIABLES) delete process.env[name];
    Object.assign(process.env, env);
    expect(await resolveRelease(undefined)).toBe(Sentry.getSentryRelease());
  });

  it('a bundler-injected release, as the SDK reads it', async () => {
    for (const name of VARIABLES) delete process.env[name];
    const global = globalThis as { SENTRY_RELEASE?: { id?: string } };
    global.SENTRY_RELEASE = { id: 'injected@4.5.6' };
    try {
      expect(await resolveRelease(undefined)).toBe('injected@4.5.6');
      expect(Sentry.getSentryRelease()).toBe('injected@4.5.6');
    } finally {
      delete global.SENTRY_RELEASE;
    }
  });

  it('an explicit release (config) wins', async () => {
    process.env.GITHUB_SHA = 'abc';
    expect(await resolveRelease('from-config')).toBe('from-config');
  });
});

/** HTTP server span names for plain node:http agents: Relay names segments (transactions) from span names. */
import { describe, expect, it } from 'vitest';
import { httpServerSpanName } from '../../../src/naming/http-server-span-name.js';

describe('httpServerSpanName', () => {
  it.each([
    ['POST', '/research', 'POST /research'],
    ['get', '/users/12345/orders?page=2', 'GET /users/*/orders'],
    ['GET', '/runs/3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b/status', 'GET /runs/*/status'],
    ['GET', '/objects/5f9c2ab37e1d4a0b9c8d7e6f/', 'GET /objects/*/'],
    ['GET', '/sessions/sk_live_9aZx81QpLm27Vn4R/messages#top', 'GET /sessions/*/messages'],
    ['GET', '/users/ada@example.com', 'GET /users/*'],
    ['DELETE', '/notes/by-title/hello-world', 'DELETE /notes/by-title/hello-world'],
    ['GET', '/', 'GET /'],
    ['BREW', '/pot', 'HTTP /pot'],
    ['GET', 'http://proxy.example/a/1', 'GET /a/*'],
  ])('%s %s → %s', (method, target, expected) => {
    expect(httpServerSpanName(method, target)).toBe(expected);
  });

  it('bounds segments and length, whatever the request target', () => {
    const deep = '/a'.repeat(10_000);
    expect(httpServerSpanName('GET', deep)).toBe(`GET ${'/a'.repeat(12)}/*`);
    const long = `/${'x'.repeat(1_000_000)}`;
    expect(httpServerSpanName('GET', long)).toBe('GET /*');
    expect(httpServerSpanName('GET', `/${'word/'.repeat(100)}`).length).toBeLessThanOrEqual(200);
  });
});

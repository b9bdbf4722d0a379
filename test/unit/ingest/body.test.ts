import { describe, expect, it } from 'vitest';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { decompress } from '../../../src/ingest/body.js';

const text = Buffer.from('hello ingest '.repeat(100));

// Relay: tower-http RequestDecompressionLayer (gzip, deflate, br, zstd) + relay-server middlewares/decompression.rs
describe('decompress', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['Gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['br', brotliCompressSync(text)],
    ['zstd', zstdCompressSync(text)],
    ['identity', text],
    ['', text],
    ['utf-8', text],
    ['UTF-8', text],
  ])('undoes %j', async (encoding, body) => {
    expect((await decompress(body, encoding, 1 << 20)).equals(text)).toBe(true);
  });

  it.each([['x-gzip'], ['gzip, br'], ['compress'], ['utf8']])('415s %j', async (encoding) => {
    await expect(decompress(gzipSync(text), encoding, 1 << 20)).rejects.toMatchObject({ status: 415 });
  });

  it('400s raw deflate: HTTP deflate is the zlib format', async () => {
    await expect(decompress(deflateRawSync(text), 'deflate', 1 << 20)).rejects.toMatchObject({ status: 400 });
  });

  it('caps the decompressed size (gzip bomb → 413), rejects corrupt (400) and unknown (415) encodings', async () => {
    await expect(decompress(gzipSync(Buffer.alloc(1 << 20)), 'gzip', 1000)).rejects.toMatchObject({ status: 413 });
    await expect(decompress(brotliCompressSync(Buffer.alloc(1 << 20)), 'br', 1000)).rejects.toMatchObject({ status: 413 });
    await expect(decompress(zstdCompressSync(Buffer.alloc(1 << 20)), 'zstd', 1000)).rejects.toMatchObject({ status: 413 });
    await expect(decompress(Buffer.from('nope'), 'gzip', 1000)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(Buffer.from('nope'), 'br', 1000)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(text, 'compress', 1 << 20)).rejects.toMatchObject({ status: 415 });
  });
});

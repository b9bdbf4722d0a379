import { describe, expect, it } from 'vitest';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decompress } from '../../../src/ingest/body.js';

const text = Buffer.from('hello ingest '.repeat(100));

describe('decompress', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)],
    ['br', brotliCompressSync(text)],
    ['identity', text],
    ['gzip, br', brotliCompressSync(gzipSync(text))],
  ])('undoes %s', async (encoding, body) => {
    expect((await decompress(body, encoding, 1 << 20)).equals(text)).toBe(true);
  });

  it('caps the decompressed size (gzip bomb → 413), rejects corrupt (400) and unknown (415) encodings', async () => {
    await expect(decompress(gzipSync(Buffer.alloc(1 << 20)), 'gzip', 1000)).rejects.toMatchObject({ status: 413 });
    await expect(decompress(brotliCompressSync(Buffer.alloc(1 << 20)), 'br', 1000)).rejects.toMatchObject({ status: 413 });
    await expect(decompress(Buffer.from('nope'), 'gzip', 1000)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(Buffer.from('nope'), 'br', 1000)).rejects.toMatchObject({ status: 400 });
    await expect(decompress(text, 'compress', 1 << 20)).rejects.toMatchObject({ status: 415 });
  });
});

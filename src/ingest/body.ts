/**
 * Request bodies with hard limits: the raw body is counted as it streams in (a declared Content-Length over the
 * limit is refused before a byte is read) and decompression is capped at the same limit, so neither a 25 MB upload
 * nor a gzip bomb is ever held in memory.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { HttpError } from './http.js';

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

type Decoder = (body: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;
const DECODERS: Record<string, Decoder | undefined> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
  zstd: promisify(zlib.zstdDecompress),
};

/** Reads the whole body, or rejects with 413 as soon as it is known to exceed `limit` (data read so far is dropped). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (err: Error): void => finish(new HttpError(400, `request body could not be read: ${err.message}`));
    const onAborted = (): void => finish(new HttpError(400, 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Undoes `Content-Encoding` as Relay does: its `RequestDecompressionLayer` (tower-http, gzip/deflate/br/zstd) after
 * `remove_empty_encoding` drops an empty or `utf-8` value (getsentry/relay
 * `relay-server/src/middlewares/decompression.rs`). Any other value, a list included, is 415; a corrupt body is 400.
 * `deflate` is the zlib format of HTTP (RFC 9110 §8.4.1.2), so raw deflate is corrupt.
 */
export async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'utf-8' || coding === 'identity') return body;
  const options = { maxOutputLength: Math.max(1, limit) };
  const decoder = DECODERS[coding];
  if (decoder === undefined) throw new HttpError(415, `unsupported content-encoding: ${coding.slice(0, 40)} (use gzip, deflate, br or zstd)`);
  try {
    return await decoder(body, options);
  } catch (err) {
    if (isTooLarge(err)) throw new HttpError(413, `decompressed body exceeds the limit of ${limit} bytes`);
    throw new HttpError(400, `invalid ${coding} body: ${(err as Error).message}`);
  }
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
}

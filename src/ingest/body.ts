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

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

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
 * Undoes `Content-Encoding` (gzip, x-gzip, deflate, br, identity; a comma list is undone last-first). `deflate` is
 * zlib-wrapped per HTTP, but raw deflate is accepted too because some clients send that.
 */
export async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  if (contentEncoding === undefined || contentEncoding.trim() === '') return body;
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 3) throw new HttpError(415, `too many content-encodings: ${contentEncoding}`);
  let out = body;
  for (const coding of codings.reverse()) out = await decodeOne(out, coding, limit);
  return out;
}

async function decodeOne(body: Buffer, coding: string, limit: number): Promise<Buffer> {
  const options = { maxOutputLength: Math.max(1, limit) };
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return await gunzip(body, options);
      case 'deflate':
        try {
          return await inflate(body, options);
        } catch (err) {
          if (isTooLarge(err)) throw err;
          return await inflateRaw(body, options);
        }
      case 'br':
        return await brotli(body, options);
      default:
        throw new HttpError(415, `unsupported content-encoding: ${coding.slice(0, 40)}`);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
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

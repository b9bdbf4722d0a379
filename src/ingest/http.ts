/**
 * Small HTTP helpers shared by the ingest's handlers: a typed error that carries its status and reason, and a JSON
 * responder that never throws (the socket may already be gone).
 */
import type { ServerResponse } from 'node:http';

/** Thrown by decoders and body readers; the router turns it into `{ error: reason }` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  let text: string;
  try {
    text = JSON.stringify(body) ?? 'null';
  } catch {
    status = 500;
    text = '{"error":"response could not be serialised"}';
  }
  send(res, status, text, { 'content-type': 'application/json; charset=utf-8', ...headers });
}

export function send(res: ServerResponse, status: number, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  try {
    if (res.headersSent || res.destroyed) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  } catch {
    // the client went away mid-response: nothing to do
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

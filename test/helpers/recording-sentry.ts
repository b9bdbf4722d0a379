/**
 * A plain recording HTTP server standing in for Sentry (and a collector) in tests that assert on the wire: every
 * request's path, headers and (decompressed) body, answered 200 `{}`. It knows nothing about Sentry's rules, so
 * what a test reads is exactly what the bridge sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingServer {
  /** A DSN for project 1 whose public key is 32 hex characters, as Relay requires. */
  dsn: string;
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const PUBLIC_KEY = '0123456789abcdef0123456789abcdef';

/** At most this many requests are kept: a runaway exporter cannot exhaust the test's memory. */
const MAX_REQUESTS = 2000;

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (requests.length < MAX_REQUESTS) {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: decode(Buffer.concat(chunks), req.headers['content-encoding']) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://${PUBLIC_KEY}@127.0.0.1:${port}/1`,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

export interface EnvelopeEvent {
  /** The envelope header (its `trace` member is the DSC). */
  header: Record<string, unknown>;
  event: Record<string, unknown> & { contexts?: { trace?: { trace_id?: string; span_id?: string } } };
}

/** The `event` items of the recorded envelopes, each with its envelope header. */
export function recordedEvents(requests: readonly RecordedRequest[]): EnvelopeEvent[] {
  const out: EnvelopeEvent[] = [];
  for (const request of requests) {
    if (!request.path.includes('/envelope/')) continue;
    const lines = request.body.toString('utf8').split('\n');
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (let i = 1; i + 1 < lines.length; i += 2) {
      const itemHeader = JSON.parse(lines[i]!) as { type?: string };
      if (itemHeader.type === 'event') out.push({ header, event: JSON.parse(lines[i + 1]!) as EnvelopeEvent['event'] });
    }
  }
  return out;
}

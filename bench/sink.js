// The sustained bench's loopback sink: accepts OTLP/protobuf trace exports and Sentry envelopes on a DSN's routes
// and only counts the spans it received, so it keeps up with every stack (the full ingest decodes and stores each
// span, which on a busy machine became the bottleneck and made the stacks drop). Spans counted: OTLP
// ExportTraceServiceRequest → resource_spans(1) → scope_spans(2) → spans(2), walked on the wire; envelopes:
// `transaction` items (the root and its `spans`) and `span` items (a v2 container's `items`, or one v1 span).
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

export async function startSink() {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      try {
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        spans += req.url.includes('/otlp/') ? countOtlpSpans(body) : countEnvelopeSpans(body.toString('utf8'));
      } catch {
        // a body we cannot count is not counted: the accounting then shows the stack's spans as missing
      }
      res.writeHead(200, { 'content-type': req.url.includes('/otlp/') ? 'application/x-protobuf' : 'application/json' });
      res.end(req.url.includes('/otlp/') ? undefined : '{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    dsn: `http://benchkey@127.0.0.1:${port}/1`,
    spans: () => spans,
    clear: () => void (spans = 0),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Sub-messages with field number `field` (wire type 2) of `buf[start, end)`, as [start, end) pairs. */
function* fields(buf, start, end, field) {
  let pos = start;
  while (pos < end) {
    let key = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[pos++];
      key += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const wireType = key % 8;
    if (wireType === 0) while (buf[pos++] >= 0x80);
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        const b = buf[pos++];
        len += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      if (Math.floor(key / 8) === field) yield [pos, pos + len];
      pos += len;
    } else throw new Error(`wire type ${wireType}`);
  }
}

function countOtlpSpans(buf) {
  let n = 0;
  for (const [rs, re] of fields(buf, 0, buf.length, 1)) for (const [ss, se] of fields(buf, rs, re, 2)) for (const _ of fields(buf, ss, se, 2)) n++;
  return n;
}

function countEnvelopeSpans(text) {
  const lines = text.split('\n');
  let n = 0;
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i]);
    if (header.type !== 'transaction' && header.type !== 'span') continue;
    const payload = JSON.parse(lines[i + 1]);
    if (header.type === 'transaction') n += 1 + (payload.spans?.length ?? 0);
    else n += Array.isArray(payload.items) ? payload.items.length : 1;
  }
  return n;
}

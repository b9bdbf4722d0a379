/**
 * The data-dir journal: append-only JSONL files (one record per line) plus `raw.bin`, the request bodies exactly
 * as received after decompression, indexed by `raw.jsonl` (`offset`/`length` into raw.bin). Tests scan these for
 * secrets; people `tail -f` them. Write failures are reported once and never stop the ingest.
 */
import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { warnOnce } from '../log.js';
import type { IngestRouteName } from './types.js';

export type JournalFile = 'spans' | 'events' | 'envelopes' | 'otlp' | 'outcomes' | 'raw';

export interface RawIndexRecord {
  at: number;
  route: IngestRouteName;
  status: number;
  contentType?: string;
  contentEncoding?: string;
}

export class Journal {
  private readonly streams = new Map<string, WriteStream>();
  private rawOffset: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    try {
      this.rawOffset = statSync(join(dir, 'raw.bin')).size;
    } catch {
      this.rawOffset = 0;
    }
  }

  append(file: JournalFile, record: unknown): void {
    let line: string;
    try {
      line = JSON.stringify(record, bytesAsHex);
    } catch (err) {
      warnOnce(`ingest-journal-serialise-${file}`, `ingest: a ${file} record could not be written as JSON: ${(err as Error).message}`);
      return;
    }
    this.write(`${file}.jsonl`, `${line}\n`);
  }

  /** Appends `body` to raw.bin and its index line (with offset and length) to raw.jsonl. */
  appendRaw(meta: RawIndexRecord, body: Buffer): void {
    const offset = this.rawOffset;
    this.rawOffset += body.length;
    this.write('raw.bin', body);
    this.append('raw', { ...meta, offset, length: body.length });
  }

  async close(): Promise<void> {
    const closing = [...this.streams.values()].map(
      (stream) => new Promise<void>((resolve) => {
        if (stream.destroyed || stream.closed) return resolve();
        stream.end(() => resolve());
        stream.once('error', () => resolve());
      }),
    );
    this.streams.clear();
    await Promise.all(closing);
  }

  private write(name: string, data: string | Buffer): void {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = createWriteStream(join(this.dir, name), { flags: 'a' });
      stream.on('error', (err) => warnOnce(`ingest-journal-${name}`, `ingest: cannot write ${join(this.dir, name)}: ${err.message}`));
      this.streams.set(name, stream);
    }
    if (!stream.destroyed) stream.write(data);
  }
}

/** JSON.stringify replacer: Buffers (ids in decoded protobuf) as hex instead of `{ type: 'Buffer', data: [...] }`. */
function bytesAsHex(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}

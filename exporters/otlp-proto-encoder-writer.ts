/**
 * A single-pass protobuf wire writer for the OTLP span encoder: one growable scratch buffer reused across
 * requests, length prefixes reserved up front and fixed (shifting the body) when the message is finished, ASCII
 * strings copied while they are scanned. Wire format: https://protobuf.dev/programming-guides/encoding/.
 */

/** Wire types (protobuf encoding guide). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** A scratch buffer larger than this is not kept between requests (the memory goes back with the request). */
const KEEP_SCRATCH_BYTES = 4 * 1024 * 1024;
const TWO_32 = 4294967296;

export function varintSize(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 5;
  for (let v = Math.floor(value / 0x800000000); v > 0; v = Math.floor(v / 128)) size++;
  return size;
}

export class ProtoWriter {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private readonly utf8 = new TextEncoder();
  pos = 0;

  /** Exchanges buffer and position with `other` (a slab swapped in to encode one span, then swapped back). */
  swap(other: ProtoWriter): void {
    const { buf, view, pos } = this;
    this.buf = other.buf;
    this.view = other.view;
    this.pos = other.pos;
    other.buf = buf;
    other.view = view;
    other.pos = pos;
  }

  /** The buffer written to now: an encoded span keeps a reference to the slab its bytes are in. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /**
   * Slab mode (spans encoded as they end): go on in the current buffer while `minFree` bytes are left, else start a
   * fresh one of `size` bytes, without copying — the spans already written keep the old one alive until exported.
   */
  ensureSlab(minFree: number, size: number): void {
    if (this.buf.length - this.pos >= minFree) return;
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /** The bytes written since `reset()`, copied out: the exporter may hold them for retries while we write on. */
  takeBytes(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    if (this.buf.length > KEEP_SCRATCH_BYTES) this.grow(0, 64 * 1024);
    this.pos = 0;
    return out;
  }

  reset(): void {
    this.pos = 0;
  }

  private grow(extra: number, initial?: number): void {
    let size = initial ?? this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    if (initial === undefined) next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  ensure(extra: number): void {
    if (this.pos + extra > this.buf.length) this.grow(extra);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** Unsigned varint; negative integers as their 64-bit two's complement (10 bytes), as int64 requires. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value < TWO_32) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    let [low, high] = splitInt64(value);
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Hex id (trace/span id) as raw bytes, written in place instead of through a temporary array. */
  hexBytes(hex: string): void {
    const n = hex.length >>> 1;
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = (HEX_VALUE[hex.charCodeAt(2 * i) & 0x7f]! << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1) & 0x7f]!;
    this.pos = pos;
  }

  /** UTF-8 string with its length; ASCII (the common case) is copied while it is checked. */
  string(value: string): void {
    const len = value.length;
    const lengthAt = this.pos;
    this.varint(len);
    this.ensure(len);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = lengthAt;
        this.utf8String(value);
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** Non-ASCII: encodeInto writes the same bytes as TextEncoder.encode (lone surrogates become U+FFFD). */
  private utf8String(value: string): void {
    const start = this.begin(varintSize(value.length * 3));
    this.ensure(value.length * 3);
    this.pos += this.utf8.encodeInto(value, this.buf.subarray(this.pos)).written;
    this.end(start);
  }

  /**
   * Starts a length-delimited body, reserving `reserve` bytes for its length; returns the mark for `end`.
   * Reserving the likely size (2 for a span, 1 for a key-value) makes the shift in `end` rare.
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const mark = this.pos * 8 + reserve;
    this.pos += reserve;
    return mark;
  }

  /** Writes the body length at the mark from `begin`, moving the body when the length needs a different size. */
  end(mark: number): void {
    const reserved = mark & 7;
    const at = (mark - reserved) / 8;
    const bodyStart = at + reserved;
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buf.copyWithin(at + size, bodyStart, this.pos);
      this.pos += size - reserved;
    }
    const buf = this.buf;
    let p = at;
    let v = length;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** Appends bytes encoded earlier (a cached resource). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Appends `source[start, end)` (a span encoded as it ended). */
  rawRange(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    this.buf.set(source.subarray(start, end), this.pos);
    this.pos += length;
  }

  /** The bytes from `start` to the current position, copied (to cache them). */
  copy(start: number): Uint8Array {
    return this.buf.slice(start, this.pos);
  }
}

/** Any JS integer as the low and high 32 bits of its 64-bit two's complement. */
function splitInt64(value: number): [number, number] {
  const abs = Math.abs(value);
  let low = abs >>> 0;
  let high = Math.floor(abs / TWO_32) >>> 0;
  if (value < 0) {
    low = ~low >>> 0;
    high = ~high >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
  return [low, high];
}

/**
 * '0'-'9', 'a'-'f', 'A'-'F' to 0-15 (ids are validated hex by the SDK and the propagators). A table, not
 * comparisons: random hex digits made the branches mispredict (a 32-digit trace id took ~150 ns, with the table
 * ~45 ns, in a loop over 4,096 random ids).
 */
const HEX_VALUE = new Uint8Array(128);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * JSON content cut to a length limit so that it is still JSON. Sentry reads `gen_ai.input.messages` /
 * `gen_ai.output.messages` (and tool arguments/results) as stringified JSON (getsentry/sentry-conventions
 * model/attributes/gen_ai/gen_ai__input__messages.json: "a stringified version of an array of objects"); a text
 * cut mid-token is shown as unparsable. Like Sentry's own SDKs (getsentry/sentry-javascript
 * packages/core/src/tracing/ai/messageTruncation.ts) a message list keeps its most recent messages; what still does
 * not fit is written up to the limit, the string that crosses it shortened and ending with the truncation marker,
 * later members and elements left out, every bracket closed.
 *
 * Time is linear in the input: one parse, one pass over the message lengths, and a writer that stops at the limit.
 */

/** `json` (valid JSON text) itself when it fits, else valid JSON of at most `max` UTF-16 code units. */
export function fitJson(json: string, max: number, marker: string): string {
  if (json.length <= max) return json;
  const value: unknown = JSON.parse(json);
  if (Array.isArray(value) && value.length > 0) {
    const recent = newestThatFit(value, max);
    if (recent !== undefined) return recent;
    return new BoundedJsonWriter(max, marker).write([value[value.length - 1]]);
  }
  return new BoundedJsonWriter(max, marker).write(value);
}

/** The longest suffix of `items` whose JSON array fits in `max`, or undefined when not even the last one fits. */
function newestThatFit(items: readonly unknown[], max: number): string | undefined {
  let length = 2; // the brackets
  let first = items.length;
  const parts: string[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const part = JSON.stringify(items[i]) ?? 'null';
    const added = part.length + (parts.length > 0 ? 1 : 0);
    if (length + added > max) break;
    length += added;
    parts.push(part);
    first = i;
  }
  if (first === items.length) return undefined;
  return `[${parts.reverse().join(',')}]`;
}

/** Writes JSON until the limit, with room always kept for the brackets still open. */
class BoundedJsonWriter {
  private text = '';
  private full = false;

  constructor(
    private readonly max: number,
    private readonly marker: string,
  ) {}

  write(value: unknown): string {
    this.value(value, 0);
    // A lone scalar that does not fit at all: an empty string is still JSON.
    return this.text === '' && this.max >= 2 ? '""' : this.text;
  }

  /** Room for the value being written, keeping `reserve` characters for the closers of open containers. */
  private room(reserve: number): number {
    return this.max - this.text.length - reserve;
  }

  private value(value: unknown, reserve: number): void {
    if (this.full) return;
    if (Array.isArray(value)) return this.array(value, reserve);
    if (typeof value === 'object' && value !== null) return this.object(value as Record<string, unknown>, reserve);
    if (typeof value === 'string') return this.string(value, reserve);
    const token = JSON.stringify(value) ?? 'null';
    if (token.length <= this.room(reserve)) this.text += token;
    else this.full = true;
  }

  private string(value: string, reserve: number): void {
    const room = this.room(reserve);
    // A string longer than the room cannot fit escaped either: skip serialising all of it.
    const token = value.length + 2 <= room ? JSON.stringify(value) : undefined;
    if (token !== undefined && token.length <= room) {
      this.text += token;
      return;
    }
    this.full = true;
    // Escaped, the text is longer than itself: drop the overshoot and retry. Every dropped character shortens the
    // token by at least one, so the second round fits (or nothing does: then the member is left out).
    let keep = Math.min(value.length, Math.max(0, room - this.marker.length - 2));
    for (let round = 0; round < 4; round++) {
      const code = value.charCodeAt(keep - 1);
      if (code >= 0xd800 && code <= 0xdbff) keep -= 1; // never half a surrogate pair
      const cut = JSON.stringify(value.slice(0, keep) + this.marker);
      if (cut.length <= room) {
        this.text += cut;
        return;
      }
      if (keep === 0) return;
      keep = Math.max(0, keep - (cut.length - room));
    }
  }

  private array(items: readonly unknown[], reserve: number): void {
    if (this.room(reserve) < 2) {
      this.full = true;
      return;
    }
    this.text += '[';
    for (let i = 0; i < items.length && !this.full; i++) {
      const mark = this.text.length;
      if (i > 0) this.text += ',';
      const before = this.text.length;
      this.value(items[i], reserve + 1);
      if (this.text.length === before) this.text = this.text.slice(0, mark); // nothing fitted: no dangling comma
    }
    this.text += ']';
  }

  private object(members: Record<string, unknown>, reserve: number): void {
    if (this.room(reserve) < 2) {
      this.full = true;
      return;
    }
    this.text += '{';
    let count = 0;
    for (const key of Object.keys(members)) {
      if (this.full) break;
      const mark = this.text.length;
      const name = `${count > 0 ? ',' : ''}${JSON.stringify(key)}:`;
      if (name.length > this.room(reserve + 1)) {
        this.full = true;
        break;
      }
      this.text += name;
      const before = this.text.length;
      this.value(members[key], reserve + 1);
      if (this.text.length === before) this.text = this.text.slice(0, mark); // no member without a value
      else count++;
    }
    this.text += '}';
  }
}

/** A plain JSON-like object (not null, not an array, not bytes): what an untrusted payload field must be to be read as one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * A global replace driven by a fixed separator ("://", '@'): the linear-time scanners look for a match only
 * around each occurrence of it, instead of trying every position as a regex engine does.
 */

/** A match found around one occurrence of the separator. */
export interface AnchoredMatch {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/**
 * Replace, left to right, what `find` reports around each occurrence of `anchor`. `last` is the end of the
 * previous match: like a regex's lastIndex, no match may start before it.
 */
export function replaceAround(text: string, anchor: string, find: (at: number, last: number) => AnchoredMatch | undefined): string {
  let out = '';
  let last = 0;
  for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
    const found = find(at, last);
    if (found === undefined) continue;
    out += text.slice(last, found.start) + found.replacement;
    last = found.end;
    at = last - 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Credentials in URLs in linear time: the matches of /\b([a-z][a-z0-9+.-]*:\/\/)USERINFO@/gi (USERINFO below),
 * replaced by `$1<replacement>@`, found from each "://" rather than from each character. A regex run from every
 * position rescans a scheme-like run (`a.a.a.a…`: a \b before every letter) from each of its letters
 * (quadratic); a regex with a bare-run fallback would call back once per word of every URL-bearing text. Here
 * each character is read at most three times: scanning left from "://" for the scheme run (which cannot cross
 * the previous "://" or the previous match), forward for the scheme's first letter, and by USERINFO (which stops
 * at the next '/'). Leftmost-first like the regex: the scheme starts at the first letter of its run that follows
 * a non-word character.
 */
import { replaceAround } from './anchored.js';

const USERINFO = /[^\s:@/?#]+(?::[^\s@/?#]*)?@/y;

/** [a-z0-9+.-], case-insensitive */
function isSchemeChar(code: number): boolean {
  return isLetter(code) || (code >= 48 && code <= 57) || code === 43 || code === 46 || code === 45;
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

/** A regex word character: [A-Za-z0-9_] */
function isWordChar(code: number): boolean {
  return isLetter(code) || (code >= 48 && code <= 57) || code === 95;
}

export function replaceUrlCredentials(text: string, replacement: string): string {
  return replaceAround(text, '://', (sep, last) => {
    let runStart = sep;
    while (runStart > last && isSchemeChar(text.charCodeAt(runStart - 1))) runStart--;
    // The scheme: from the first letter with a word boundary before it (`\b[a-z]`) up to "://".
    let start = runStart;
    while (start < sep && !(isLetter(text.charCodeAt(start)) && (start === 0 || !isWordChar(text.charCodeAt(start - 1))))) start++;
    if (start === sep) return undefined;
    USERINFO.lastIndex = sep + 3;
    if (!USERINFO.test(text)) return undefined;
    return { start: sep + 3, end: USERINFO.lastIndex, replacement: `${replacement}@` };
  });
}

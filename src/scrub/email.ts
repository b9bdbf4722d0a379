/**
 * E-mail addresses in linear time: the matches of /[A-Za-z0-9._%+-]+@DOMAIN/g (DOMAIN below), found from each
 * '@' rather than from each character. A regex run from every position rescans a long local-part-like run from
 * each of its characters (quadratic); here each character is read at most twice — once scanning left from an
 * '@' for the local part (which cannot cross the previous '@' or the previous match), once by DOMAIN (which
 * cannot cross the next '@'). Leftmost-first like the regex: the local part starts as far left as the previous
 * match allows.
 */
import { replaceAround } from './anchored.js';

const DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;

/** [A-Za-z0-9._%+-] */
function isLocalPartChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45
  );
}

export function replaceEmails(text: string, replacement: string): string {
  return replaceAround(text, '@', (at, last) => {
    let start = at;
    while (start > last && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start === at) return undefined;
    DOMAIN.lastIndex = at + 1;
    return DOMAIN.test(text) ? { start, end: DOMAIN.lastIndex, replacement } : undefined;
  });
}

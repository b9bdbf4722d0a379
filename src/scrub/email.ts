/**
 * E-mail addresses in linear time: the matches of /[A-Za-z0-9._%+-]+@DOMAIN/g (DOMAIN below), found from each
 * '@' rather than from each character. A regex run from every position rescans a long local-part-like run from
 * each of its characters (quadratic); here each character is read at most twice — once scanning left from an
 * '@' for the local part (which cannot cross the previous '@' or the previous match), once by DOMAIN (which
 * cannot cross the next '@'). Leftmost-first like the regex: the local part starts as far left as the previous
 * match allows.
 */
const DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;

/** [A-Za-z0-9._%+-] */
function isLocalPartChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45
  );
}

export function replaceEmails(text: string, replacement: string): string {
  let out = '';
  let last = 0; // end of the previous match: the next one starts at or after it
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > last && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    if (!DOMAIN.test(text)) continue;
    out += text.slice(last, start) + replacement;
    last = DOMAIN.lastIndex;
    at = last - 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

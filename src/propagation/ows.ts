/**
 * RFC 9110 OWS (space, tab) trimmed from both ends of a header list member or property. A loop, not a regex: these
 * strings come from incoming headers, and `/[ \t]+$/` retries a long blank run from each of its positions (4 KB of
 * blanks in baggage metadata took ~19 ms per outgoing request); `trim()` would also take line breaks, which a
 * member may not have.
 */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

/**
 * The value-shape rules as they were before they were made linear (backtracking, quadratic on long runs): the
 * oracle the linear rules are compared with on short generated texts. Not used by the product.
 */
import { FILTERED, MAYBE_SECRET } from '../../../src/scrub/patterns.js';

const LEGACY_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/?#]+(?::[^\s@/?#]*)?@/gi, `$1${FILTERED}@`],
  [
    /([?&;](?:token|access_token|refresh_token|id_token|auth|api[_-]?key|apikey|key|password|passwd|secret|client_secret|signature|sig|code|sentry_key|session)=)[^&#\s"']*/gi,
    `$1${FILTERED}`,
  ],
  [/\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${FILTERED}`],
  [/\b(?:sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,})/g, FILTERED],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, FILTERED],
  [/\b(passw(?:or)?d|pwd|secret|token|api[_-]?key)\b(\s*(?:[:=]|\bis\b)\s*)(["']?)[^\s"',;&]+/gi, `$1$2$3${FILTERED}`],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, FILTERED],
];

/** What the old `scrubString` returned for a text shorter than the scan bound. */
export function legacyScrub(value: string): string {
  if (value.length < 6 || !MAYBE_SECRET.test(value)) return value;
  let text = value;
  for (const [pattern, replacement] of LEGACY_RULES) text = text.replace(pattern, replacement);
  return text;
}

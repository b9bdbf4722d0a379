/**
 * What may be printed of a URL: never its credentials. Userinfo (`user:password@`) becomes `***@` and every query
 * value becomes `***` (keys such as `sentry_key`, `token` or `sig` are credentials under many names, so all values
 * are masked: fail closed). Works on text that is not a valid URL too, since invalid values are what get printed
 * in error messages. Linear: one pass of two bounded, non-backtracking patterns.
 */
const USERINFO = /^([a-z][a-z0-9+.-]{0,31}:\/\/)[^/?#@\s]{0,2048}@/i;
const QUERY_VALUE = /([?&][^=&#\s]{0,256}=)[^&#\s]*/g;

export function maskUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(QUERY_VALUE, '$1***');
}

const SCHEME = /^[a-z][a-z0-9+.-]{0,31}:\/\//i;

/**
 * A DSN as it may be printed: whatever precedes its `@` is the key and becomes `***`, also in a malformed DSN
 * (`abc…@host/1` without a scheme is exactly what gets reported as invalid, and is not a URL to mask).
 */
export function maskDsn(text: string): string {
  const at = text.indexOf('@');
  if (at < 0) return maskUrlCredentials(text);
  return `${SCHEME.exec(text)?.[0] ?? ''}***${maskUrlCredentials(text.slice(at))}`;
}

/** Userinfo of a URL anywhere in a text; bounded runs, so each "://" costs at most one bounded scan. */
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^/?#@\s]{0,2048}@/gi;

/**
 * Free text (a log line, an error message that quotes a URL): the userinfo of every URL in it becomes `***@`. Query
 * values are left: in free text where a URL ends is not known (URL-valued settings go through `maskUrlCredentials`).
 */
export function maskUrlCredentialsInText(text: string): string {
  return text.includes('://') ? text.replace(USERINFO_IN_TEXT, '$1***@') : text;
}

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

/**
 * Route patterns matched against the request path an HTTP server span has at start.
 *
 * `http.route` cannot be used: @opentelemetry/instrumentation-http sets it only when the response finishes, after
 * the sampler decided (its `getIncomingRequestAttributes` puts `url.path` on the span at start; older semconv
 * carries `http.target`, path plus query). A pattern is a path whose segments are literals, `:name` / `{name}`
 * (exactly one non-empty segment) or a final `*` (any rest, including nothing): `/users/:id`, `/v1/batch/*`.
 * Matching is one pass over at most `MAX_PATH_LENGTH` characters (longer paths never match).
 */
import { ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_TARGET } from '../agent/semconv-incubating.js';
import type { Attributes } from '@opentelemetry/api';

const MAX_PATH_LENGTH = 2048;
const SLASH = 0x2f;

type Segment = { kind: 'literal'; text: string } | { kind: 'param' } | { kind: 'rest' };

export type PathPattern = readonly Segment[];

export function compilePathPattern(pattern: string): PathPattern {
  const parts = splitPath(pattern);
  return parts.map((part, i): Segment => {
    if (part === '*' && i === parts.length - 1) return { kind: 'rest' };
    if ((part.startsWith(':') && part.length > 1) || (part.startsWith('{') && part.endsWith('}') && part.length > 2)) return { kind: 'param' };
    return { kind: 'literal', text: part };
  });
}

/** The request path at span start: `url.path`, else `http.target` without its query or fragment. */
export function requestPath(attributes: Attributes): string | undefined {
  const path = attributes[ATTR_URL_PATH];
  if (typeof path === 'string') return path;
  const target = attributes[ATTR_HTTP_TARGET];
  if (typeof target !== 'string') return undefined;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

export function matchesPath(pattern: PathPattern, path: string): boolean {
  if (path.length > MAX_PATH_LENGTH || !path.startsWith('/')) return false;
  const segments = splitPath(path);
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    if (want.kind === 'rest') return true;
    const have = segments[i];
    if (have === undefined || have === '') return false;
    if (want.kind === 'literal' && want.text !== have) return false;
  }
  return segments.length === pattern.length;
}

/** `/a/b/` → `['a', 'b']`; `/` → `[]` (a trailing slash does not make another segment). */
function splitPath(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === SLASH) start++;
  while (end > start && path.charCodeAt(end - 1) === SLASH) end--;
  return start === end ? [] : path.slice(start, end).split('/');
}

/**
 * What a secret looks like: the key names that hold secrets, and the value shapes that are secrets
 * wherever they appear. Compiled once; every check on the hot path is a single precompiled regex.
 */
import { ATTR_SESSION_ID, ATTR_SESSION_PREVIOUS_ID } from '../agent/semconv-incubating.js';
import { replaceEmails } from './email.js';
import { replaceUrlCredentials } from './url-credentials.js';

export const FILTERED = '[Filtered]';

/** Key parts that mark a value as secret: `http.request.header.authorization`, `api_key`, `db.password`, … */
const KEY_WORDS = [
  'authorization',
  'proxy-authorization',
  'cookies?',
  'set-cookie',
  'x-api-key',
  'api[_-]?key',
  'apikey',
  'passw(?:or)?d',
  'pwd',
  'secret',
  'client[_-]?secret',
  'token',
  'access[_-]?token',
  'refresh[_-]?token',
  'id[_-]?token',
  'auth[_-]?token',
  'private[_-]?key',
  'session',
  'session[_-]?id',
  'dsn',
  'credentials?',
  'x-sentry-auth',
];

/**
 * Keys that name an identifier although a key word matches them: OpenTelemetry's `session.id` is "a unique id to
 * identify a session" (semconv registry, session), the tag Sentry users filter sessions by — not a session
 * credential. Their values still go through every value-shape rule (a bearer token or JWT put there is redacted).
 * Listing the exact key in `scrub.extraKeys` filters it again.
 */
export const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([ATTR_SESSION_ID, ATTR_SESSION_PREVIOUS_ID]);

/** Whole key, or a `.`/`_`/`-`-separated part of it (so `gen_ai.usage.input_tokens` is not a token). */
export function keyPattern(extraKeys: readonly string[] = []): RegExp {
  const extra = extraKeys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?:^|[._-])(?:${[...KEY_WORDS, ...extra].join('|')})(?:$|[._-])`, 'i');
}

/** A value-shape rule: `apply` redacts every occurrence of the shape in a text. */
export interface ValueRule {
  /** A substring every occurrence contains: texts without it skip the rule for one `includes`. */
  readonly needs?: string;
  readonly apply: (text: string) => string;
}

type Replacement = string | ((match: string, ...groups: Array<string | undefined>) => string);

function regexRule(pattern: RegExp, replacement: Replacement, needs?: string): ValueRule {
  // `replace` has one overload per replacement kind; the union needs one picked explicitly.
  const apply = typeof replacement === 'string' ? (text: string) => text.replace(pattern, replacement) : (text: string) => text.replace(pattern, replacement);
  return needs === undefined ? { apply } : { needs, apply };
}

/*
 * Linear time. The texts come from outside (headers, URLs, prompts, exception messages), and a backtracking
 * engine retries a failed match at every later start position: a rule whose match begins with an unbounded run
 * (an e-mail local part, a URL scheme with `.`/`-` in it, a JWT's first segment) rescanned the whole run from
 * each position of it — quadratic (64 KB took 10 s). URL credentials and e-mails are therefore found from their
 * fixed separator ("://", '@') by small scanners (./url-credentials.ts, ./email.ts). The JWT rule reads "the
 * shape | the bare run": when the shape fails, the second alternative consumes the run, so the engine resumes
 * after it instead of inside it; every later start inside that run ends it at the same character, so it could
 * only have failed too. All three redact exactly what the old regexes did (test/unit/scrub/linear.test.ts
 * compares them on generated input). Every other rule begins at a fixed word or a single character, and its
 * runs either complete the match or stop at a bounded length.
 */
/** Value shapes, each replaced inside the string (the rest of the text stays readable). */
export const VALUE_RULES: readonly ValueRule[] = [
  // credentials in URLs, DSN keys included: scheme://user:pass@host, https://<key>@o0.ingest… (./url-credentials.ts)
  { needs: '://', apply: (text) => replaceUrlCredentials(text, FILTERED) },
  // sensitive query parameters
  regexRule(
    /([?&;](?:token|access_token|refresh_token|id_token|auth|api[_-]?key|apikey|key|password|passwd|secret|client_secret|signature|sig|code|sentry_key|session)=)[^&#\s"']*/gi,
    `$1${FILTERED}`,
    '=',
  ),
  // Authorization schemes with their credentials
  regexRule(/\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${FILTERED}`),
  // provider keys: OpenAI/Anthropic sk-…, GitHub, AWS access key ids, Slack
  regexRule(
    /\b(?:sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,})/g,
    FILTERED,
  ),
  // JWTs
  regexRule(
    /\beyJ(?:([A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,})|[A-Za-z0-9_-]*)/g,
    (run: string, jwt: string | undefined) => (jwt === undefined ? run : FILTERED),
    'eyJ',
  ),
  // "password: x", "secret=x", "api_key is x" in free text (prompts, log-like messages)
  regexRule(/\b(passw(?:or)?d|pwd|secret|token|api[_-]?key)\b(\s*(?:[:=]|\bis\b)\s*)(["']?)[^\s"',;&]+/gi, `$1$2$3${FILTERED}`),
  // e-mail addresses (personal data)
  { needs: '@', apply: (text) => replaceEmails(text, FILTERED) },
];

/**
 * A cheap pre-check: a string can only hold one of the shapes above if it contains one of these markers.
 * Most attribute values (model names, routes, ids) fail it and cost one regex test.
 */
// Alternatives grouped by first letter: the same markers as a flat list, measured 20–40 % faster on short values.
export const MAYBE_SECRET = /:\/\/|[?&;][a-z_-]+=|@|b(?:earer|asic)|token|digest|s(?:k-|ecret)|g(?:h[pousr]_|ithub_pat_)|a(?:kia|sia|pi.?key)|xox[abprs]-|eyj|p(?:assw|wd)/i;

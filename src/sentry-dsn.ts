/**
 * The parts of a Sentry DSN the bridge reads at start, parsed as @sentry/core `dsnFromString` parses them
 * (utils/dsn.js: its DSN_REGEX, the project id being the leading digits of the last path segment). Parsed here,
 * not through @sentry/core, because its one entry point loads ~180 modules into every process at start
 * (src/propagation/sentry-trace.ts says the same); test/unit/propagation/sentry-core-parity.test.ts holds this
 * equal to `dsnFromString`.
 */
const DSN_REGEX = /^(?:(\w+):)\/\/(?:(\w+)(?::(\w+)?)?@)((?:\[[:.%\w]+\]|[\w.-]+))(?::(\d+))?\/(.+)/;

export interface DsnParts {
  protocol: string;
  publicKey: string;
  host: string;
  port: string;
  path: string;
  projectId: string;
}

/** The DSN's parts, or undefined when `dsnFromString` would not parse it. Never logs (dsnFromString does). */
export function parseSentryDsn(value: string): DsnParts | undefined {
  const match = DSN_REGEX.exec(value);
  if (match === null) return undefined;
  const [protocol = '', publicKey = '', , host = '', port = '', lastPath = ''] = match.slice(1);
  const segments = lastPath.split('/');
  let projectId = segments.pop() ?? '';
  projectId = /^\d+/.exec(projectId)?.[0] ?? projectId;
  return { protocol, publicKey, host, port, path: segments.join('/'), projectId };
}

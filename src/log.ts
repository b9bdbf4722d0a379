/**
 * The bridge's only way to talk to the user: single, prefixed stderr lines. Telemetry must never crash the
 * host, so these helpers themselves never throw, and `warnOnce` keeps a repeating failure to one line.
 */
import { parseBooleanEnv } from './agent/boolean-env.js';
import { maskUrlCredentialsInText } from './mask-url.js';

const PREFIX = '[agent-otel-bridge]';
const seen = new Set<string>();

function write(level: string, message: string): void {
  try {
    // Messages quote error texts from other libraries, which may name a URL with its credentials.
    process.stderr.write(`${PREFIX} ${level}: ${maskUrlCredentialsInText(message)}\n`);
  } catch {
    // stderr closed: nothing sensible left to do
  }
}

export function info(message: string): void {
  if (parseBooleanEnv(process.env.AGENT_BRIDGE_QUIET) === true) return;
  write('info', message);
}

export function warn(message: string): void {
  write('warn', message);
}

export function error(message: string): void {
  write('error', message);
}

/** Warn once per key for the process lifetime (e.g. an exporter that keeps failing). */
export function warnOnce(key: string, message: string): void {
  if (seen.has(key)) return;
  seen.add(key);
  write('warn', message);
}

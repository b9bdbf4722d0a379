/**
 * The values an environment variable can hold, each a parser from the variable's text to its value (undefined when
 * the text is not one): what config.ts reads the environment with.
 *
 * Why not zod, as the config file is checked: these are a handful of scalars, and zod costs every process that
 * preloads the bridge ~130 ms of start-up and ~20 MB of RSS (measured: `await import('zod')` in a fresh Node 24
 * process; issue 18). The file's schema — nested objects, records, strict keys — stays with zod, loaded only when
 * a file is configured (config-file.ts). Numbers follow `Number()`, as `z.coerce.number()` did.
 */
import { parseBooleanEnv } from './agent/boolean-env.js';

export type EnvValue<T> = (text: string) => T | undefined;

/** true/false (and the other spellings parseBooleanEnv takes). */
export const bool: EnvValue<boolean> = parseBooleanEnv;

/** A finite number in [min, max]; `integer` asks for a safe integer. */
function numberIn(min: number, max: number, integer: boolean): EnvValue<number> {
  return (text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) return undefined;
    if (integer && !Number.isSafeInteger(value)) return undefined;
    return value;
  };
}

export const rate = numberIn(0, 1, false);
export const port = numberIn(0, 65535, true);
export const positiveInt = numberIn(1, Number.MAX_SAFE_INTEGER, true);
export const nonNegativeInt = numberIn(0, Number.MAX_SAFE_INTEGER, true);

/** An absolute http: or https: URL. */
export const httpUrl: EnvValue<string> = (text) => {
  const url = URL.parse(text);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? text : undefined;
};

const HOSTNAME = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[?[0-9A-Fa-f:.]+\]?)$/;

/** A host name or IP address (to bind to). */
export const hostname: EnvValue<string> = (text) => (HOSTNAME.test(text) ? text : undefined);

/** One of `values`, exactly. */
export function oneOf<T extends string>(values: readonly T[]): EnvValue<T> {
  return (text) => (values as readonly string[]).includes(text) ? (text as T) : undefined;
}

/**
 * The config file (`AGENT_BRIDGE_CONFIG`, README "Configuration"): sampling rules, operational errors, extra
 * scrub keys and prices, its schema and its reading. The environment's variables are read in config.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { z } from 'zod';

type Zod = typeof z;
let zod: Zod | undefined;

/**
 * A schema built, with zod loaded, the first time it is used — not when the configuration modules load: zod is ~95
 * modules and ~100 ms of the preload's start-up (issue 18), and most processes set no variable it checks and no
 * config file. `require`d (zod ships CommonJS too) because parsing the configuration is synchronous.
 */
export function lazySchema<T extends z.ZodType>(build: (z: Zod) => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build((zod ??= (createRequire(import.meta.url)('zod') as { z: Zod }).z)));
}

/** A rate in [0, 1], from the environment (a string) or the file (a number). */
export const rate = lazySchema((z) => z.coerce.number().min(0).max(1));

const fileSchema = lazySchema((z) => {
  const samplingRule = z
    .object({
      spanName: z.string().optional(),
      urlPath: z.string().optional(),
      httpRoute: z.string().optional(),
      agent: z.string().optional(),
      spanType: z.string().optional(),
      rate: rate(),
    })
    .strict();

  /** USD per 1M tokens: a plain number, at most a million dollars (a typo guard), kept to 1e-6. */
  const usdPerMillion = z.number().min(0).max(1_000_000);
  const modelPrice = z
    .object({
      input: usdPerMillion,
      output: usdPerMillion,
      cacheRead: usdPerMillion.optional(),
      cacheCreation: usdPerMillion.optional(),
      maxInputTokens: z.number().int().min(1).optional(),
    })
    .strict();

  return z
    .object({
      sampling: z.object({ rules: z.array(samplingRule).default([]) }).strict().optional(),
      operationalErrors: z.array(z.string()).optional(),
      scrub: z.object({ extraKeys: z.array(z.string()).default([]) }).strict().optional(),
      /** USD per 1M tokens by model (README, "Cost"). */
      prices: z.record(z.string().min(1).max(64), modelPrice).optional(),
    })
    .strict();
});

export type FileConfig = z.infer<ReturnType<typeof fileSchema>>;

/**
 * The file at `path`, checked against the schema; on failure `reject` gets what was expected (one line for the
 * user: unreadable, not JSON, or the first schema issue with its path) and the file is ignored as a whole.
 */
export function readConfigFile(path: string, reject: (expected: string) => void): FileConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    reject(`a readable JSON file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    reject(`valid JSON (${(err as Error).message})`);
    return undefined;
  }
  const result = fileSchema().safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    reject(`a config file matching the documented schema (${where})`);
    return undefined;
  }
  return result.data;
}

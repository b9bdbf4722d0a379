/**
 * The config file (`AGENT_BRIDGE_CONFIG`, README "Configuration"): sampling rules, operational errors, extra
 * scrub keys and prices, its schema and its reading. The environment's variables are read in config.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as zod from 'zod';

/**
 * The schema, built the first time a file is read: zod loads only then (synchronously: the configuration is read
 * at start, before anything else) — a process without a config file never pays for it (env-values.ts says why).
 */
function buildFileSchema(z: typeof zod) {
  /** A rate in [0, 1] (a number, or a string holding one). */
  const rate = z.coerce.number().min(0).max(1);
  const samplingRule = z
    .object({
      spanName: z.string().optional(),
      urlPath: z.string().optional(),
      httpRoute: z.string().optional(),
      agent: z.string().optional(),
      spanType: z.string().optional(),
      rate,
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
}

type FileSchema = ReturnType<typeof buildFileSchema>;
export type FileConfig = zod.infer<FileSchema>;

let fileSchema: FileSchema | undefined;

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
  fileSchema ??= buildFileSchema(createRequire(import.meta.url)('zod') as typeof zod);
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    reject(`a config file matching the documented schema (${where})`);
    return undefined;
  }
  return result.data;
}

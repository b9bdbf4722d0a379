/**
 * Node's own source-map support for the application's stack traces: with it on, `error.stack` names the `.ts`
 * (or other source) file and line of every frame whose module ships a source map, so the exception events the
 * OpenTelemetry SDK records (`exception.stacktrace`, read from `error.stack`) and the Sentry events the bridge
 * builds from them (src/processors/sentry-errors.ts) point at the code the developer wrote.
 *
 * Node applies source maps only to modules loaded after they were enabled (nodejs.org/api/process.html,
 * `process.setSourceMapsEnabled`), so the preload decides before the application's first import:
 *
 * - `off`: leave Node as it is.
 * - `on`: enable them.
 * - `auto` (default): enable them when the application ships maps — its entry script (`process.argv[1]`) ends
 *   with a `sourceMappingURL` comment or has a `.map` file next to it — unless `NODE_OPTIONS` or the command
 *   line already says `--enable-source-maps` or `--no-enable-source-maps` (the operator decided).
 *
 * Why not always: with source maps on, Node formats every stack through its source-map-aware formatter, also for
 * frames that have no map. `bench/source-maps.js` (Node 24, 12-frame stacks, `new Error().stack`): about 2× the
 * time for frames of a mapped module — the price of `.ts` lines — and about 1.1–1.3× for frames without a map,
 * which an application that ships no maps would pay for nothing (README, "Source maps").
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

export const SOURCE_MAPS_MODES = ['auto', 'on', 'off'] as const;
export type SourceMapsMode = (typeof SOURCE_MAPS_MODES)[number];

/** What `applySourceMaps` did and why (tests, `check`, the debug log). */
export interface SourceMapsDecision {
  enabled: boolean;
  reason: 'off' | 'on' | 'already-enabled' | 'flag-set' | 'entry-ships-map' | 'no-map' | 'unsupported';
}

/** Bytes read from the end of the entry script: the `sourceMappingURL` comment is its last line. */
const TAIL_BYTES = 64 * 1024;
/** The last non-blank line (tested alone: linear, whatever the file holds). */
const SOURCE_MAPPING_URL = /^[ \t]*\/\/[#@][ \t]*sourceMappingURL=\S+$/;
const SOURCE_MAPS_FLAG = /(?:^|\s)--(?:no-)?enable-source-maps(?:=\S*)?(?=\s|$)/;

export interface SourceMapsFacts {
  /** `process.sourceMapsEnabled`. */
  alreadyEnabled: boolean;
  nodeOptions: string | undefined;
  execArgv: readonly string[];
  /** Path of the entry script, if any. */
  entry: string | undefined;
}

export function decideSourceMaps(mode: SourceMapsMode, facts: SourceMapsFacts): SourceMapsDecision {
  if (mode === 'off') return { enabled: facts.alreadyEnabled, reason: 'off' };
  if (facts.alreadyEnabled) return { enabled: true, reason: 'already-enabled' };
  if (mode === 'on') return { enabled: true, reason: 'on' };
  if (SOURCE_MAPS_FLAG.test(facts.nodeOptions ?? '') || facts.execArgv.some((arg) => SOURCE_MAPS_FLAG.test(arg))) {
    return { enabled: false, reason: 'flag-set' };
  }
  return entryShipsMap(facts.entry) ? { enabled: true, reason: 'entry-ships-map' } : { enabled: false, reason: 'no-map' };
}

/** Decides for this process and enables Node's source maps if so. Never throws. */
export function applySourceMaps(mode: SourceMapsMode): SourceMapsDecision {
  try {
    const decision = decideSourceMaps(mode, {
      alreadyEnabled: process.sourceMapsEnabled,
      nodeOptions: process.env.NODE_OPTIONS,
      execArgv: process.execArgv,
      entry: process.argv[1],
    });
    if (decision.enabled && !process.sourceMapsEnabled) process.setSourceMapsEnabled(true);
    return decision;
  } catch {
    return { enabled: false, reason: 'unsupported' };
  }
}

/**
 * The entry script ships a map: a `.map` next to it, or a `sourceMappingURL` comment on its last line (external
 * or inline `data:` maps up to {@link TAIL_BYTES}). One bounded read; any error means no.
 */
export function entryShipsMap(entry: string | undefined): boolean {
  if (entry === undefined || entry === '') return false;
  try {
    const path = resolve(entry);
    if (existsSync(`${path}.map`)) return true;
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const tail = buffer.toString('utf8').trimEnd();
      return SOURCE_MAPPING_URL.test(tail.slice(tail.lastIndexOf('\n') + 1));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

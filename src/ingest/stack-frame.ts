/**
 * One stack frame as Node prints it: `at fn (file:line:col)`, or `at file:line:col` for a frame without a function
 * name. Sentry's Node stack parser (@sentry/core, utils/node-stack-trace) records such a frame's function as `?`,
 * and a method of an anonymous function (Node's `Object.<anonymous>`) as `Object.?`; printed verbatim that read
 * `at ? (…)`.
 *
 * Self-contained on purpose (no imports, no closure, plain syntax): the trace view's browser script embeds this
 * function's source (./ui/client.ts), so the terminal waterfall and the page print a frame the same way.
 */
import type { IngestStackFrame } from './types.js';

export function nodeFrameText(frame: IngestStackFrame): string {
  const file = frame.filename || frame.module || '<anonymous>';
  const where = frame.lineno ? `${file}:${frame.lineno}${frame.colno ? `:${frame.colno}` : ''}` : file;
  let fn = frame.function || '';
  if (fn === '?' || fn === '<anonymous>') fn = '';
  else if (fn.endsWith('.?')) fn = `${fn.slice(0, -1)}<anonymous>`;
  return fn ? `at ${fn} (${where})` : `at ${where}`;
}

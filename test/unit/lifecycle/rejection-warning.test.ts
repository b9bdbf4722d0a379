/**
 * In `--unhandled-rejections=warn-with-error-code` without an app listener, the bridge reads the rejection from
 * Node's own `UnhandledPromiseRejectionWarning` (instrumentation/process-errors.ts): checked against the warnings a
 * real Node process emits, for error-like reasons (with a message, a multi-line one, none) and other reasons.
 */
import { describe, expect, it } from 'vitest';
import { ROOT, assertBuilt, cleanEnv, startNode } from '../../helpers/process.js';

/** Rejects with each reason in turn and prints what `rejectionOfWarning` made of every warning Node emitted. */
const SCRIPT = `
const { rejectionOfWarning } = await import(${JSON.stringify(`${ROOT}dist/instrumentation/process-errors.js`)});
const seen = [];
process.on('warning', (warning) => {
  const reason = rejectionOfWarning(warning);
  if (reason instanceof Error) seen.push({ name: reason.name, message: reason.message, stackStart: reason.stack.split('\\n')[0], frames: /\\n {4}at /.test(reason.stack) });
  else seen.push(reason === undefined ? null : { text: reason });
});
class QuotaError extends Error { name = 'QuotaError'; }
void Promise.reject(new RangeError('exit-matrix 1'));
void Promise.reject(new QuotaError('line one\\nline two'));
void Promise.reject(new TypeError());
void Promise.reject('plain text reason');
process.emitWarning('something else', 'DeprecationWarning');
setTimeout(() => console.log(JSON.stringify(seen)), 50);
`;

describe('rejectionOfWarning', () => {
  it('rebuilds each rejection from the warnings of a real Node process, and ignores every other warning', async () => {
    assertBuilt();
    const child = startNode(['--unhandled-rejections=warn-with-error-code', '--input-type=module', '-e', SCRIPT], { env: cleanEnv(), preload: false });
    const [json] = await child.waitFor(/^\[.*\]$/m);
    const { code } = await child.exited;
    expect(code).toBe(1); // Node's own outcome of the mode: the warning listener changed nothing
    const seen = JSON.parse(json) as unknown[];
    const reasons = seen.filter((entry) => entry !== null);
    expect(reasons).toEqual([
      { name: 'RangeError', message: 'exit-matrix 1', stackStart: 'RangeError: exit-matrix 1', frames: true },
      { name: 'QuotaError', message: 'line one\nline two', stackStart: 'QuotaError: line one', frames: true },
      { name: 'TypeError', message: '', stackStart: 'TypeError', frames: true },
      { text: 'plain text reason' },
    ]);
    // the generic second warning of each rejection, and the unrelated warning, gave nothing
    expect(seen.length - reasons.length).toBe(4 + 1);
  });
});

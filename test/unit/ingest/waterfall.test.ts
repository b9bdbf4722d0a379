import { describe, expect, it } from 'vitest';
import { buildTraceDetail, renderWaterfall } from '../../../src/ingest/index.js';
import { EVENTS, SPANS, TRACE_ID } from '../../fixtures/ingest/three-service-trace.js';

describe('renderWaterfall', () => {
  const trace = buildTraceDetail(TRACE_ID, SPANS, EVENTS);

  it('matches the golden waterfall of a three-service trace at 100 columns', async () => {
    await expect(renderWaterfall(trace, EVENTS, { width: 100 })).toMatchFileSnapshot('../../fixtures/ingest/waterfall-three-services.txt');
  });

  it.each([80, 100, 120])('keeps every line within %i columns, one line per span, in parent order', (width) => {
    const lines = renderWaterfall(trace, EVENTS, { width }).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    const spanLines = lines.filter((line) => /^(gateway|planner|memory)\s/.test(line));
    expect(spanLines).toHaveLength(SPANS.length);
    expect(spanLines.map((line) => line.split(/\s+/)[0])).toEqual(['gateway', 'planner', 'memory', 'planner', 'planner', 'memory']);
    // indentation grows with depth: memory.search (depth 2) is indented more than invoke_agent (depth 1)
    const indentOf = (name: string): number => {
      const line = spanLines.find((l) => l.includes(name))!;
      return line.indexOf(name);
    };
    expect(indentOf('invoke_agent')).toBeGreaterThan(indentOf('POST /v1/chat'));
    expect(indentOf('memory.search')).toBeGreaterThan(indentOf('invoke_agent'));
    expect(spanLines.filter((line) => line.endsWith('✖'))).toHaveLength(1);
    expect(spanLines.find((line) => line.endsWith('✖'))).toContain('memory.search notes');
  });

  it('lists the error event with its span and innermost frames under the spans', () => {
    const text = renderWaterfall(trace, EVENTS, { width: 100 });
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.includes('MemoryUnavailableError: index unavailable'));
    expect(at).toBeGreaterThan(SPANS.length);
    expect(lines[at + 1]).toContain('memory › memory.search notes');
    expect(lines[at + 2]).toContain('at searchNotes (/app/memory/search.js:42:11)');
  });

  it('uses ANSI colours only when asked', () => {
    // eslint-disable-next-line no-control-regex
    expect(renderWaterfall(trace, EVENTS)).not.toMatch(/\u001b\[/);
    // eslint-disable-next-line no-control-regex
    expect(renderWaterfall(trace, EVENTS, { color: true })).toMatch(/\u001b\[31m/);
  });

  it('never lets received names inject control characters or break lines', () => {
    const hostile = buildTraceDetail(TRACE_ID, [{ ...SPANS[1]!, name: 'evil\n\u001b[2Jname\r' }], []);
    const text = renderWaterfall(hostile, [], { width: 80 });
    expect(text.split('\n').filter((line) => !line.includes('⚠'))).toHaveLength(3);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('survives a parent cycle and zero-length traces', () => {
    const cyclic = buildTraceDetail(TRACE_ID, [
      { ...SPANS[1]!, spanId: '00000000000000e1', parentSpanId: '00000000000000e2', durationMs: 0 },
      { ...SPANS[1]!, spanId: '00000000000000e2', parentSpanId: '00000000000000e1', durationMs: 0 },
    ], []);
    expect(cyclic.spans).toHaveLength(2);
    expect(renderWaterfall(cyclic, []).split('\n').filter((line) => !line.includes('⚠'))).toHaveLength(4);
  });
});

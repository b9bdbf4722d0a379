import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultController, parseFaultSpec, validateFault } from '../../../src/ingest/faults.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('fault specs and validation', () => {
  it.each([
    ['down', { mode: 'down' }],
    ['down,for=5000', { mode: 'down', durationMs: 5000 }],
    ['black-hole,count=2', { mode: 'black-hole', count: 2 }],
    ['slow:1500', { mode: 'slow', delayMs: 1500 }],
    ['status:429,retry-after=5,count=3', { mode: 'status', status: 429, retryAfter: 5, count: 3 }],
    ['503', { mode: 'status', status: 503 }],
    ['500,for=1000', { mode: 'status', status: 500, durationMs: 1000 }],
  ])('parses %s', (spec, fault) => {
    expect(parseFaultSpec(spec)).toEqual(fault);
  });

  it.each(['nope', 'slow', 'status:200', 'status:429,count=0', 'down,colour=red', '429,retry-after=-1'])('rejects %s', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow();
  });

  it('validates API input', () => {
    expect(() => validateFault(null)).toThrow(/JSON object/);
    expect(() => validateFault({ mode: 'slow', delayMs: 'x' })).toThrow(/delayMs/);
  });
});

describe('FaultController', () => {
  it('applies a fault to N requests, then lifts it', () => {
    const lifted: string[] = [];
    const faults = new FaultController((fault) => lifted.push(fault.mode));
    faults.set({ mode: 'status', status: 503, count: 2 });
    expect(faults.take()).toMatchObject({ status: 503 });
    expect(faults.current()).toMatchObject({ remaining: 1 });
    expect(faults.take()).toMatchObject({ status: 503 });
    expect(faults.take()).toBeUndefined();
    expect(lifted).toEqual(['status']);
  });

  it('lifts a fault after its duration, calling back (so `down` can listen again)', () => {
    vi.useFakeTimers();
    const lifted: string[] = [];
    const faults = new FaultController((fault) => lifted.push(fault.mode));
    faults.set({ mode: 'down', durationMs: 1000 });
    expect(faults.take()).toBeUndefined(); // down is carried out by the server, not per request
    vi.advanceTimersByTime(999);
    expect(faults.current()).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(faults.current()).toBeUndefined();
    expect(lifted).toEqual(['down']);
  });
});

/**
 * The environment's value parsers (src/env-values.ts), which replaced zod on the start-up path: what each accepts
 * and refuses, with `Number()`'s reading of numbers as `z.coerce.number()` had it.
 */
import { describe, expect, it } from 'vitest';
import { bool, hostname, httpUrl, nonNegativeInt, oneOf, port, positiveInt, rate } from '../../../src/env-values.js';

describe('environment values', () => {
  it('rate: a finite number in [0, 1]', () => {
    expect(['0', '1', '0.25', '1e-3', '.5'].map(rate)).toEqual([0, 1, 0.25, 0.001, 0.5]);
    for (const bad of ['-0.1', '1.01', 'NaN', 'Infinity', 'abc', '1,5', '50%']) expect(rate(bad), bad).toBeUndefined();
  });

  it('port, positive and non-negative whole numbers: safe integers in range', () => {
    expect(['0', '9464', '65535'].map(port)).toEqual([0, 9464, 65535]);
    for (const bad of ['-1', '65536', '80.5', 'http', '1e99']) expect(port(bad), bad).toBeUndefined();
    expect(positiveInt('1')).toBe(1);
    expect(positiveInt('0')).toBeUndefined();
    expect(positiveInt('9007199254740993')).toBeUndefined(); // not a safe integer
    expect(nonNegativeInt('0')).toBe(0);
    expect(nonNegativeInt('-5')).toBeUndefined();
    expect(nonNegativeInt('2.5')).toBeUndefined();
  });

  it('bool: the spellings of the one boolean parser', () => {
    expect(['true', 'FALSE', '1', '0', 'yes', 'off'].map(bool)).toEqual([true, false, true, false, true, false]);
    expect(bool('maybe')).toBeUndefined();
  });

  it('httpUrl: absolute http(s) URLs only', () => {
    expect(httpUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318');
    expect(httpUrl('https://collector.example/v1/traces')).toBe('https://collector.example/v1/traces');
    for (const bad of ['127.0.0.1:4318', 'ftp://host/x', 'file:///etc/passwd', 'http://', 'not a url']) expect(httpUrl(bad), bad).toBeUndefined();
  });

  it('hostname: a host name or an IP address', () => {
    for (const good of ['0.0.0.0', 'localhost', 'metrics.internal', '::1', '[::1]']) expect(hostname(good), good).toBe(good);
    for (const bad of ['host name', 'http://host', 'host/path', '']) expect(hostname(bad), bad).toBeUndefined();
  });

  it('oneOf: exactly one of the listed values', () => {
    const level = oneOf(['debug', 'info'] as const);
    expect(level('info')).toBe('info');
    expect(level('INFO')).toBeUndefined();
    expect(level('verbose')).toBeUndefined();
  });
});

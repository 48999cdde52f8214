import { describe, expect, it } from 'vitest';
import { UsageError } from './exitCodes.js';
import { durationOpt, expectedVersionOpt, intOpt, jsonOpt } from './options.js';

describe('command flag parsers', () => {
  it('parse integers with bounds and defaults', () => {
    expect(intOpt(undefined, '--count', { fallback: 100 })).toBe(100);
    expect(intOpt('7', '--count', { min: 1 })).toBe(7);
    expect(() => intOpt('0', '--count', { min: 1 })).toThrow(/--count must be an integer >= 1, got "0"/);
    expect(() => intOpt('1.5', '--from')).toThrow(UsageError);
  });

  it('parse durations in ms, s and m', () => {
    expect(durationOpt('500', '--duration')).toBe(500);
    expect(durationOpt('250ms', '--duration')).toBe(250);
    expect(durationOpt('1.5s', '--duration')).toBe(1500);
    expect(durationOpt('2m', '--duration')).toBe(120_000);
    expect(durationOpt(undefined, '--duration')).toBeUndefined();
    expect(() => durationOpt('soon', '--duration')).toThrow(/500ms, 2s or 1m/);
  });

  it('parse expected versions as the API names them', () => {
    expect(expectedVersionOpt(undefined)).toBe('any');
    expect(expectedVersionOpt('no_stream')).toBe('no_stream');
    expect(expectedVersionOpt('stream_exists')).toBe('stream_exists');
    expect(expectedVersionOpt('-1')).toBe(-1);
    expect(expectedVersionOpt('12')).toBe(12);
    expect(() => expectedVersionOpt('-2')).toThrow(/integer >= -1/);
  });

  it('parse JSON flags, naming the flag on error', () => {
    expect(jsonOpt('{"a":1}', '--data')).toEqual({ a: 1 });
    expect(() => jsonOpt('{a:1}', '--data')).toThrow(/--data must be JSON/);
  });
});

describe('integers beyond 2^53 are refused, never rounded', () => {
  it('expectedVersionOpt and intOpt refuse 9007199254740993', () => {
    expect(() => expectedVersionOpt('9007199254740993')).toThrow(/too large to be exact/);
    expect(() => intOpt('9007199254740993', '--count')).toThrow(/--count is too large/);
    expect(expectedVersionOpt('9007199254740991')).toBe(9007199254740991);
  });
});

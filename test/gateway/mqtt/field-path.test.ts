import { describe, expect, it } from 'vitest';
import { compileFieldPath } from '../../../gateway/mqtt/field-path.js';

describe('compileFieldPath', () => {
  const payload = { voltage: { l1: 230.1 }, readings: [{ t: 1, v: { x: [5, 6] } }], flat: 3 };

  it.each([
    ['$', payload],
    ['flat', 3],
    ['voltage.l1', 230.1],
    ['readings[0].t', 1],
    ['readings[0].v.x[1]', 6],
    ['$.voltage.l1', 230.1],
    ['$.readings[0].t', 1],
    ['voltage.l2', undefined],
    ['readings[3].t', undefined],
    ['flat.deeper', undefined],
    ['voltage.l1.x', undefined],
  ])('reads %j', (path, expected) => {
    expect(compileFieldPath(path).get(payload)).toEqual(expected);
  });

  it('reads into a payload that is an array, and a bare value with "$"', () => {
    expect(compileFieldPath('[1]').get([7, 8])).toBe(8);
    expect(compileFieldPath('$[0]').get([7, 8])).toBe(7);
    expect(compileFieldPath('$').get(42)).toBe(42);
    expect(compileFieldPath('a').get(42)).toBeUndefined();
    expect(compileFieldPath('a').get(null)).toBeUndefined();
  });

  it('does not read through strings', () => {
    expect(compileFieldPath('s[0]').get({ s: 'abc' })).toBeUndefined();
    expect(compileFieldPath('s.length').get({ s: 'abc' })).toBeUndefined();
  });

  it.each([
    ['a..b', /empty key at character 3/],
    ['a.', /empty key at character 3/],
    ['readings[x].t', /array index/],
    ['readings[0', /array index/],
    ['a]b', /unexpected "\]"/],
    ['$.', /no key/],
    ['a[0]b', /unexpected "b"/],
  ])('rejects %j saying where', (path, message) => {
    expect(() => compileFieldPath(path)).toThrow(message);
  });
});

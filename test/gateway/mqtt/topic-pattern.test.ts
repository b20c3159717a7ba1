import { describe, expect, it } from 'vitest';
import { compileCaptureTemplate } from '../../../gateway/mqtt/capture-template.js';
import { compileTopicPattern, coveringFilters, filterCovers, filtersOverlap } from '../../../gateway/mqtt/topic-pattern.js';

describe('compileTopicPattern', () => {
  it('turns named wildcards into the subscription filter and captures their values', () => {
    const pattern = compileTopicPattern('millbrook/packaging/+asset/motor/vt');
    expect(pattern.filter).toBe('millbrook/packaging/+/motor/vt');
    expect(pattern.names).toEqual(['asset']);
    expect(pattern.match('millbrook/packaging/conveyor-01/motor/vt')).toEqual({ asset: 'conveyor-01' });
    expect(pattern.match('millbrook/packaging/conveyor-01/motor/t')).toBeNull();
    expect(pattern.match('millbrook/packaging/conveyor-01/motor/vt/extra')).toBeNull();
    expect(pattern.match('millbrook/packaging/conveyor-01/motor')).toBeNull();
    expect(pattern.match('millbrook/packaging/motor/vt')).toBeNull();
  });

  it('captures the rest of the topic with "#name", including nothing when the topic ends at its parent', () => {
    const pattern = compileTopicPattern('plant/#rest');
    expect(pattern.filter).toBe('plant/#');
    expect(pattern.match('plant/a/b/c')).toEqual({ rest: 'a/b/c' });
    expect(pattern.match('plant')).toEqual({ rest: '' });
    expect(pattern.match('plants/a')).toBeNull();
  });

  it('keeps unnamed wildcards and literal filters working', () => {
    expect(compileTopicPattern('a/+/c').match('a/b/c')).toEqual({});
    expect(compileTopicPattern('a/+/c').match('a//c')).toEqual({});
    expect(compileTopicPattern('a/b').match('a/b')).toEqual({});
    expect(compileTopicPattern('a/b').match('a/bb')).toBeNull();
    expect(compileTopicPattern('#').match('anything/at/all')).toEqual({});
    expect(compileTopicPattern('+x/+y').match('one/two')).toEqual({ x: 'one', y: 'two' });
  });

  it('does not let a leading wildcard match "$" topics', () => {
    expect(compileTopicPattern('#').match('$SYS/broker/uptime')).toBeNull();
    expect(compileTopicPattern('+what/broker/uptime').match('$SYS/broker/uptime')).toBeNull();
    expect(compileTopicPattern('$SYS/#rest').match('$SYS/broker/uptime')).toEqual({ rest: 'broker/uptime' });
  });

  it.each([
    ['', /empty/],
    ['a/#rest/b', /must be the last level/],
    ['a/b+c', /whole level/],
    ['a/+as-set', /invalid name/],
    ['+x/+x', /"x" twice/],
  ])('rejects %j with a clear message', (pattern, message) => {
    expect(() => compileTopicPattern(pattern)).toThrow(message);
  });
});

describe('compileCaptureTemplate', () => {
  it('fills placeholders from captures', () => {
    expect(compileCaptureTemplate('{asset}', ['asset'])({ asset: 'pump-01' })).toBe('pump-01');
    expect(compileCaptureTemplate('line-{asset}', ['asset'])({ asset: '7' })).toBe('line-7');
    expect(compileCaptureTemplate('{a}.{b}!', ['a', 'b'])({ a: 'x', b: 'y' })).toBe('x.y!');
    expect(compileCaptureTemplate('meter-01', [])({})).toBe('meter-01');
  });

  it('names the missing wildcard and the ones available', () => {
    expect(() => compileCaptureTemplate('{machine}', ['asset'])).toThrow(/"\{machine\}".*no wildcard "\+machine" or "#machine".*"asset"/);
    expect(() => compileCaptureTemplate('x-{asset', ['asset'])).toThrow(/"\{" without "\}"/);
    expect(() => compileCaptureTemplate('x}', [])).toThrow(/"\}" without "\{"/);
    expect(() => compileCaptureTemplate('{}', [])).toThrow(/empty/);
  });
});

describe('filter relations', () => {
  it('knows when one filter contains another', () => {
    expect(filterCovers('a/#', 'a/b/c')).toBe(true);
    expect(filterCovers('a/#', 'a')).toBe(true);
    expect(filterCovers('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovers('a/+', 'a/#')).toBe(false);
    expect(filterCovers('a/b/c', 'a/+/c')).toBe(false);
    expect(filterCovers('#', '$SYS/x')).toBe(false);
  });

  it('subscribes once to overlapping filters when one contains the other', () => {
    expect(coveringFilters(['a/b', 'a/#', 'a/b', 'c/+'])).toEqual(['a/#', 'c/+']);
    expect(coveringFilters(['a/+/c', 'a/b/+'])).toEqual(['a/+/c', 'a/b/+']);
  });

  it('detects partial overlap', () => {
    expect(filtersOverlap('a/+/c', 'a/b/+')).toBe(true);
    expect(filtersOverlap('a/+/c', 'a/b/d')).toBe(false);
    expect(filtersOverlap('a/+', 'a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../gateway/mqtt/mqtt-mapping.js';
import type { MqttMapping } from '../../../gateway/mqtt/mqtt-source-config.js';

describe('compileMapping', () => {
  it.each<[MqttMapping, RegExp]>([
    [
      { topic: 'millbrook/+asset/vt', asset: '{machine}', signal: 's', value: '$' },
      /^mappings\[3\]\.asset: template "\{machine\}" uses "\{machine\}" but the topic has no wildcard "\+machine" or "#machine" \(its named wildcards are "asset"\) \(topic "millbrook\/\+asset\/vt"\)$/,
    ],
    [{ topic: 'a/b', asset: 'x', signal: '{signal}', value: '$' }, /^mappings\[3\]\.signal: .*"\{signal\}".*it has no named wildcards/],
    [{ topic: 'a/#rest/b', asset: 'x', signal: 's', value: '$' }, /^mappings\[3\]\.topic: .*must be the last level/],
    [{ topic: 'a', asset: 'x', signals: { v: 'a..b' } }, /^mappings\[3\]\.signals\.v: field path "a\.\.b": empty key/],
    [{ topic: 'a', asset: 'x', signal: 's', value: 'v', timestamp: { path: 'x[' } }, /^mappings\[3\]\.timestamp\.path: /],
    [{ topic: 'a', asset: 'x', samples: 'r]', signal: 's', value: 'v' }, /^mappings\[3\]\.samples: /],
    [{ topic: 'a', asset: 'x', signals: { v: 'v' }, signal: 's', value: 'v' }, /^mappings\[3\]: has both "signals" and "signal"\/"value"/],
    [{ topic: 'a', asset: 'x', signal: 's' }, /^mappings\[3\]: "value" is missing/],
    [{ topic: 'a', asset: 'x', value: 'v' }, /^mappings\[3\]: "signal" is missing/],
    [{ topic: 'a', asset: 'x' }, /^mappings\[3\]: says nothing about values/],
    [{ topic: 'a', asset: 'x', signals: {} }, /^mappings\[3\]\.signals: is empty/],
  ])('refuses %j with a message naming the mapping', (mapping, message) => {
    expect(() => compileMapping(mapping, 3)).toThrow(message);
  });

  it('compiles the subscription filter and the default timestamp format', () => {
    const mapping = compileMapping({ topic: 'p/+asset/#rest', asset: '{asset}', signal: '{rest}', value: '$', timestamp: { path: 't' } }, 0);
    expect(mapping.topic.filter).toBe('p/+/#');
    expect(mapping.timestamp?.format).toBe('auto');
    expect(mapping.fields.map((field) => field.signal({ asset: 'a', rest: 'x/y' }))).toEqual(['x/y']);
  });
});

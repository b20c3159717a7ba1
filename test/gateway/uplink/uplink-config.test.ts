import path from 'node:path';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { compileSignalPattern } from '../../../gateway/uplink/signal-pattern.js';
import { topicLevel } from '../../../gateway/uplink/topic-tree.js';
import { resolveUplinkConfig, UplinkConfigSchema, uplinkConfigProblems, type UplinkConfig } from '../../../gateway/uplink/uplink-config.js';

const context = { site: 'Millbrook Plant', dataDir: '/var/lib/millwright', resolvePath: (file: string) => path.resolve('/etc/millwright', file) };

describe('uplink configuration', () => {
  it('fills in defaults: JSON only, a 256 MB buffer in the data folder, alerts kept 30 days, 1000 messages/s', () => {
    const settings = resolveUplinkConfig({ url: 'mqtts://uns.plant.local:8883', boxId: 'line1-edge' }, context);
    expect(settings).toMatchObject({
      clientId: 'millwright-line1-edge',
      topicPrefix: 'millwright',
      json: true,
      sparkplug: null,
      findings: 'all',
      telemetry: { publish: true, downsample: { kind: 'every', every: 1 }, maxSamplesPerMessage: 200 },
      buffer: { file: '/var/lib/millwright/uplink.db', maxBytes: 256 * 1024 * 1024, maxMessages: 1_000_000, synchronous: 'normal' },
      publish: { maxMessagesPerSecond: 1000, maxInFlight: 100 },
    });
    expect(settings.buffer.maxAgeMs).toEqual({ alert: 720 * 3_600_000, finding: 72 * 3_600_000, telemetry: 24 * 3_600_000 });
  });

  it('takes Sparkplug ids from the site and box unless given, and TLS files relative to the configuration', () => {
    const settings = resolveUplinkConfig(
      { url: 'mqtts://uns:8883', boxId: 'line1-edge', formats: ['json', 'sparkplug'], tls: { caFile: 'certs/ca.pem', rejectUnauthorized: true }, telemetry: { signals: [{ match: '*/vibration_*', periodSeconds: 0.5 }] } },
      context,
    );
    expect(settings.sparkplug).toEqual({ groupId: 'Millbrook-Plant', edgeNodeId: 'line1-edge', clientId: 'millwright-line1-edge-spb', qos: 0 });
    expect(settings.tls).toEqual({ caFile: '/etc/millwright/certs/ca.pem', rejectUnauthorized: true });
    expect(settings.telemetry.signals[0]!.rule).toEqual({ kind: 'period', periodMs: 500 });
    expect(settings.telemetry.signals[0]!.pattern.matches('pump-01', 'vibration_de')).toBe(true);
  });

  it('rejects unknown keys and wrong types through the schema', () => {
    expect(Value.Check(UplinkConfigSchema, { url: 'mqtt://x', buffer: { maxMegabytes: 10, maxAgeHours: { alert: 100 } } })).toBe(true);
    expect(Value.Check(UplinkConfigSchema, { url: 'mqtt://x', bufer: {} })).toBe(false);
    expect(Value.Check(UplinkConfigSchema, { url: 'mqtt://x', formats: ['xml'] })).toBe(false);
    expect(Value.Check(UplinkConfigSchema, { url: 'mqtt://x', sparkplug: { groupId: 'a/b' } })).toBe(false);
    expect(Value.Check(UplinkConfigSchema, { url: 'mqtt://x', topicPrefix: 'plant/#' })).toBe(false);
  });

  it('reports what the schema cannot: URL, TLS without encryption, downsampling, ages out of order', () => {
    const problems = (config: UplinkConfig) => uplinkConfigProblems(config).map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(problems({ url: 'broker:1883' })).toEqual(['url: broker: is not supported; use mqtt://, mqtts://, ws:// or wss://']);
    expect(problems({ url: 'mqtt://broker:1883', tls: { caFile: 'ca.pem' } })).toEqual(['tls: tls is set but the url is not encrypted; use mqtts:// or wss://']);
    expect(problems({ url: 'mqtt://b', sparkplug: { groupId: 'g' } })[0]).toMatch(/^sparkplug: .*formats does not list "sparkplug"/);
    expect(problems({ url: 'mqtt://b', telemetry: { downsample: { every: 2, periodSeconds: 1 }, signals: [{ match: 'pump-01' }] } })).toEqual([
      'telemetry.downsample: give exactly one of "every" or "periodSeconds"',
      'telemetry.signals.0: give exactly one of "every" or "periodSeconds"',
      'telemetry.signals.0.match: "pump-01" is not of the form "asset/signal" (use "*" as a wildcard, e.g. "pump-01/*" or "*/vibration_*")',
    ]);
    expect(problems({ url: 'mqtt://b', buffer: { maxAgeHours: { alert: 1, telemetry: 24 } } })[0]).toMatch(/^buffer.maxAgeHours: alert transitions must be kept at least as long as findings/);
    expect(() => resolveUplinkConfig({ url: 'nope' }, context)).toThrow('uplink.url: "nope" is not a URL');
    expect(problems({ url: 'embedded' })).toEqual([]);
    expect(problems({ url: 'embedded', tls: { caFile: 'ca.pem' } })[0]).toMatch(/^tls: tls is set but the url is "embedded"/);
  });

  it('makes topic levels and Sparkplug ids from free text, and matches signal patterns', () => {
    expect(topicLevel('Line 2 / Packing')).toBe('Line-2-Packing');
    expect(topicLevel('a+b#c')).toBe('a-b-c');
    expect(topicLevel('  ')).toBe('_');
    const pattern = compileSignalPattern('pump-*/bearing_temp.*');
    expect(pattern.matches('pump-01', 'bearing_temp.de')).toBe(true);
    expect(pattern.matches('pump-01', 'bearing_tempXde')).toBe(false);
    expect(pattern.matches('fan-01', 'bearing_temp.de')).toBe(false);
  });
});

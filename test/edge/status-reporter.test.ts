import { describe, expect, it } from 'vitest';
import type { SourceHealth } from '../../gateway/source.js';
import { TelemetryBus } from '../../gateway/telemetry-bus.js';
import { PlantOverview } from '../../edge/plant-overview.js';
import { formatAssetsLine, formatOutOfNormal, formatStatusLine, sourceRates } from '../../edge/status-reporter.js';

function health(id: string, samplesIn: number, rejected: Record<string, number> = {}, state: SourceHealth['state'] = 'connected'): SourceHealth {
  return { id, kind: 'mqtt', state, target: 'mqtt://127.0.0.1:1883', samplesIn, rejected, reconnects: 0, lastSampleAt: null, lastError: null };
}

describe('status line', () => {
  it('gives each source its sample rate and the rejects since the last line', () => {
    const rates = sourceRates(
      { at: 0, health: [health('plc', 1000), health('sensors', 50, { malformed_json: 2 })] },
      { at: 5000, health: [health('plc', 2500), health('sensors', 300, { malformed_json: 5, unknown_signal: 1 }, 'disconnected')] },
    );
    expect(rates).toEqual([
      { id: 'plc', state: 'connected', samplesPerSecond: 300, rejectedSinceLast: 0 },
      { id: 'sensors', state: 'disconnected', samplesPerSecond: 50, rejectedSinceLast: 4 },
    ]);
    expect(formatStatusLine(rates)).toBe('plc connected 300 samples/s · sensors disconnected 50 samples/s (4 rejected)');
  });

  it('counts a source first seen in the later snapshot from zero', () => {
    const [rate] = sourceRates({ at: 0, health: [] }, { at: 2000, health: [health('late', 100, { not_a_number: 3 })] });
    expect(rate).toMatchObject({ samplesPerSecond: 50, rejectedSinceLast: 3 });
  });
});

describe('plant overview', () => {
  const assets = {
    'pump-01': { kind: 'centrifugal-pump', signals: { flow: { unit: 'm³/h', normal: [100, 165] as [number, number] }, speed: { unit: 'rpm' } } },
    'meter-01': { kind: 'energy-meter', signals: { power: { unit: 'kW', normal: [30, 80] as [number, number] } } },
  };

  it('lists signals outside their normal range, ignoring bad samples and signals without one', () => {
    const bus = new TelemetryBus({ historyPerSignal: 10 });
    const overview = new PlantOverview(bus, assets);
    bus.publish([
      { asset: 'pump-01', signal: 'flow', value: 61.234, ts: 1, quality: 'good', source: 'plc' },
      { asset: 'pump-01', signal: 'speed', value: 99999, ts: 1, quality: 'good', source: 'plc' },
      { asset: 'meter-01', signal: 'power', value: Number.NaN, ts: 1, quality: 'bad', source: 'sensors' },
    ]);
    const found = overview.outOfNormal();
    expect(found).toEqual([{ asset: 'pump-01', signal: 'flow', value: 61.234, unit: 'm³/h', normal: [100, 165] }]);
    expect(formatOutOfNormal(found)).toBe('outside normal range: pump-01.flow 61.23 m³/h (100–165)');
    expect(overview.silentAssets(60_000)).toEqual([]);
    overview.close();
  });

  it('names assets that have not reported', () => {
    const bus = new TelemetryBus({ historyPerSignal: 10 });
    const overview = new PlantOverview(bus, assets);
    bus.publish([{ asset: 'pump-01', signal: 'flow', value: 120, ts: 1, quality: 'good', source: 'plc' }]);
    const silent = overview.silentAssets(60_000);
    expect(silent).toEqual(['meter-01']);
    expect(formatAssetsLine(2, silent)).toBe('1 of 2 assets reporting (silent: meter-01)');
    expect(formatOutOfNormal([])).toBe('');
  });
});

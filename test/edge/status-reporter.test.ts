import { describe, expect, it } from 'vitest';
import type { SourceHealth } from '../../gateway/source.js';
import { formatStatusLine, sourceRates } from '../../edge/status-reporter.js';

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

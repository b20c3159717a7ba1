import type { TelemetryBus } from '../../../gateway/telemetry-bus.js';
import type { SignalConfig } from '../../config/config-schema.js';

export type SignalStatus = 'no-data' | 'bad-quality' | 'normal' | 'outside-normal' | 'above-high' | 'above-high-high' | 'below-low' | 'below-low-low';

/** One signal's latest reading next to its configured normal band and alarm limits. */
export interface SignalReading {
  readonly signal: string;
  readonly value: number | null;
  readonly unit: string;
  readonly quality: string | null;
  readonly ageSeconds: number | null;
  readonly normal: readonly [number, number] | null;
  readonly limits: SignalConfig['limits'] | null;
  readonly status: SignalStatus;
  readonly description?: string;
}

export function signalStatus(value: number, config: SignalConfig): SignalStatus {
  const limits = config.limits ?? {};
  if (limits.highHigh !== undefined && value >= limits.highHigh) return 'above-high-high';
  if (limits.high !== undefined && value >= limits.high) return 'above-high';
  if (limits.lowLow !== undefined && value <= limits.lowLow) return 'below-low-low';
  if (limits.low !== undefined && value <= limits.low) return 'below-low';
  if (config.normal && (value < config.normal[0] || value > config.normal[1])) return 'outside-normal';
  return 'normal';
}

export function readSignal(bus: TelemetryBus, asset: string, signal: string, config: SignalConfig, now: number): SignalReading {
  const latest = bus.latest(asset, signal);
  const base = {
    signal,
    unit: config.unit,
    normal: config.normal ?? null,
    limits: config.limits ?? null,
    ...(config.description ? { description: config.description } : {}),
  };
  if (!latest) return { ...base, value: null, quality: null, ageSeconds: null, status: 'no-data' };
  const usable = latest.quality !== 'bad' && Number.isFinite(latest.value);
  return {
    ...base,
    value: usable ? round(latest.value) : null,
    quality: latest.quality,
    ageSeconds: Math.max(0, Math.round((now - latest.ts) / 100) / 10),
    status: usable ? signalStatus(latest.value, config) : 'bad-quality',
  };
}

/** Four significant digits: enough for a person, short for a model. */
export function round(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(4));
}

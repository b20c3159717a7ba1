import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { Sample } from './sample.js';
import { SignalHistory, type HistoryPoint } from './signal-history.js';

export type BatchConsumer = (batch: readonly Sample[]) => void;

export interface TelemetryBusOptions {
  /** Points of recent history kept per signal. */
  readonly historyPerSignal: number;
  readonly logger?: Logger;
}

export interface LatestValue extends HistoryPoint {
  readonly asset: string;
  readonly signal: string;
  readonly source: string;
}

export interface TelemetryBusStats {
  readonly samplesPublished: number;
  /** Exact repeats of a stored point (typical after an OPC UA reconnect); dropped before consumers. */
  readonly duplicates: number;
  readonly consumerErrors: number;
}

interface SignalState {
  readonly history: SignalHistory;
  source: string;
}

/**
 * The hub between sources and consumers: sources publish batches of Samples, every consumer gets
 * each batch synchronously, in order. The bus keeps each signal's last value and a bounded recent
 * history. A consumer that throws is logged and counted; it never stops the others or the sources.
 */
export class TelemetryBus {
  private readonly consumers = new Set<BatchConsumer>();
  private readonly signals = new Map<string, Map<string, SignalState>>();
  private readonly logger: Logger;
  private samplesPublished = 0;
  private duplicates = 0;
  private consumerErrors = 0;

  constructor(private readonly options: TelemetryBusOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Returns the function that unsubscribes. */
  subscribe(consumer: BatchConsumer): () => void {
    this.consumers.add(consumer);
    return () => this.consumers.delete(consumer);
  }

  publish(batch: readonly Sample[]): void {
    let fresh: Sample[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const sample = batch[i]!;
      const state = this.stateOf(sample.asset, sample.signal);
      if (state.history.add(sample)) {
        state.source = sample.source;
        fresh?.push(sample);
      } else {
        this.duplicates += 1;
        fresh ??= batch.slice(0, i);
      }
    }
    const delivered = fresh ?? batch;
    if (delivered.length === 0) return;
    this.samplesPublished += delivered.length;
    for (const consumer of this.consumers) {
      try {
        consumer(delivered);
      } catch (error) {
        this.consumerErrors += 1;
        this.logger.error({ err: error }, 'telemetry consumer failed on a batch; it stays subscribed');
      }
    }
  }

  latest(asset: string, signal: string): LatestValue | undefined {
    const state = this.signals.get(asset)?.get(signal);
    const newest = state?.history.newest();
    return state && newest ? { asset, signal, source: state.source, ...newest } : undefined;
  }

  /** Recent points of one signal with from <= ts <= to, oldest first; empty for a signal never seen. */
  history(asset: string, signal: string, from?: number, to?: number): HistoryPoint[] {
    return this.signals.get(asset)?.get(signal)?.history.range(from, to) ?? [];
  }

  /** Every signal seen so far, with its newest value. */
  latestValues(): LatestValue[] {
    const values: LatestValue[] = [];
    for (const [asset, signals] of this.signals) {
      for (const signal of signals.keys()) {
        const value = this.latest(asset, signal);
        if (value) values.push(value);
      }
    }
    return values;
  }

  stats(): TelemetryBusStats {
    return { samplesPublished: this.samplesPublished, duplicates: this.duplicates, consumerErrors: this.consumerErrors };
  }

  private stateOf(asset: string, signal: string): SignalState {
    let assetSignals = this.signals.get(asset);
    if (!assetSignals) {
      assetSignals = new Map();
      this.signals.set(asset, assetSignals);
    }
    let state = assetSignals.get(signal);
    if (!state) {
      state = { history: new SignalHistory(this.options.historyPerSignal), source: '' };
      assetSignals.set(signal, state);
    }
    return state;
  }
}

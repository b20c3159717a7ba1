import type { EmitBatch } from './sample.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

/** A snapshot of a source's condition, for the status line, health endpoint and metrics. */
export interface SourceHealth {
  readonly id: string;
  readonly kind: 'opcua' | 'mqtt';
  readonly state: ConnectionState;
  /** Where the source connects to (endpoint URL or broker URL), without credentials. */
  readonly target: string;
  /** Samples emitted since start. */
  readonly samplesIn: number;
  /** Readings rejected since start, by reason (malformed_json, not_a_number, unknown_signal, ...). */
  readonly rejected: Readonly<Record<string, number>>;
  /** Times the connection was re-established after a loss. */
  readonly reconnects: number;
  readonly lastSampleAt: number | null;
  readonly lastError: string | null;
}

/** A protocol connector. `start` resolves once the source is running; it keeps reconnecting on its own. */
export interface Source {
  readonly id: string;
  start(emit: EmitBatch): Promise<void>;
  stop(): Promise<void>;
  health(): SourceHealth;
}

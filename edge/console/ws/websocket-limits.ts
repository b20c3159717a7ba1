/** The WebSocket's bounds and intervals; defaults as documented in PROTOCOL.md, smaller ones in tests. */
export interface WebSocketLimits {
  /** One `values` message per client at most this often. */
  readonly valueIntervalMs: number;
  /** Ping frame and `heartbeat` message interval; a client silent for two intervals is dropped. */
  readonly heartbeatMs: number;
  /** Signals one client may subscribe to. */
  readonly maxSignals: number;
  /** Points per signal in one `values` message (the newest kept). */
  readonly maxPointsPerSignal: number;
  /** Unsent bytes above which a client counts as slow: its values are held back and coalesced. */
  readonly slowClientBytes: number;
  /** Unsent bytes above which a client is closed with 4002 (alert events are never dropped instead). */
  readonly maxBufferedBytes: number;
  /** After closing a client, how long its close handshake may take before the socket is destroyed. */
  readonly closeGraceMs: number;
  /** A resume further behind than this many events gets a snapshot instead of a replay. */
  readonly maxReplayEvents: number;
  /** Largest client message; a larger one closes the socket with 1009. */
  readonly maxMessageBytes: number;
  /** Invalid client messages tolerated on one connection before it is closed with 4000. */
  readonly maxInvalidMessages: number;
  /** Client messages per second tolerated before the connection is closed with 4000. */
  readonly maxMessagesPerSecond: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  valueIntervalMs: 100,
  heartbeatMs: 15_000,
  maxSignals: 1000,
  maxPointsPerSignal: 20,
  slowClientBytes: 256 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  closeGraceMs: 5000,
  maxReplayEvents: 5000,
  maxMessageBytes: 64 * 1024,
  maxInvalidMessages: 20,
  maxMessagesPerSecond: 100,
};

/**
 * The limits of the link watchdog, derived from the subscription's keep-alive interval K (revised publishing
 * interval × revised keep-alive count: with no data change the server still sends an empty notification
 * every K).
 */
export interface WatchdogTiming {
  /** Silence (no notification, no keep-alive) tolerated on a connection that looks fine: 2K + 1 s. */
  readonly silenceLimitMs: number;
  /** How long rebuilding the subscription on the same session may take before the connection is replaced. */
  readonly rebuildTimeoutMs: number;
  /** How long node-opcua may take to restore the session once the server answers again, before we replace it. */
  readonly sessionRepairLimitMs: number;
  /**
   * How long node-opcua's own reconnection loop is trusted while the server is unreachable. Only a safety net
   * for a loop that hangs: outages as such are handled the same either way.
   */
  readonly channelRepairLimitMs: number;
  /** How often the watchdog looks. */
  readonly checkEveryMs: number;
}

export function watchdogTiming(keepAliveIntervalMs: number): WatchdogTiming {
  const k = keepAliveIntervalMs;
  return {
    silenceLimitMs: 2 * k + 1000,
    rebuildTimeoutMs: Math.max(2000, k),
    sessionRepairLimitMs: Math.max(10_000, 2 * k),
    channelRepairLimitMs: Math.max(30_000, 4 * k),
    checkEveryMs: Math.min(1000, Math.max(100, Math.round(k / 4))),
  };
}

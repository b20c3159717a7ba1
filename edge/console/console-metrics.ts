import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ConsoleContext } from './console-context.js';

type Labels = Record<string, string>;

/**
 * The box's Prometheus metrics (PROTOCOL.md lists them): counts kept elsewhere (sources, bus, alerts,
 * storage) are read at scrape time; the console's own WebSocket and login counts are counted here.
 * Other modules may add their families to `registry`.
 */
export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly wsFrames: Counter<'type'>;
  readonly wsValuesCoalesced: Counter;
  readonly wsValuesFramesSkipped: Counter;
  readonly wsClosed: Counter<'reason'>;
  readonly wsInvalidMessages: Counter<'reason'>;
  readonly logins: Counter<'outcome'>;
  readonly httpRejected: Counter<'route' | 'status' | 'code'>;
  private readonly frameCounters = new Map<string, Counter.Internal>();

  constructor(context: ConsoleContext, webSocketClients: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    /** A counter whose value lives elsewhere: set to the current totals at each scrape. */
    const mirroredCounter = (name: string, help: string, labelNames: string[], read: () => [Labels, number][]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.inc(labels, value);
        },
      });
    const gauge = (name: string, help: string, labelNames: string[], read: () => [Labels, number][]) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.set(labels, value);
        },
      });

    mirroredCounter('millwright_source_samples_total', 'Samples received, by source', ['source'], () => context.sources().map((s) => [{ source: s.id }, s.samplesIn]));
    mirroredCounter('millwright_source_rejected_total', 'Readings rejected, by source and reason', ['source', 'reason'], () =>
      context.sources().flatMap((s) => Object.entries(s.rejected).map(([reason, count]): [Labels, number] => [{ source: s.id, reason }, count])),
    );
    gauge('millwright_source_connected', '1 while the source is connected', ['source'], () => context.sources().map((s) => [{ source: s.id }, s.state === 'connected' ? 1 : 0]));
    mirroredCounter('millwright_source_reconnects_total', 'Connections re-established after a loss', ['source'], () => context.sources().map((s) => [{ source: s.id }, s.reconnects]));

    const brokerRefused = context.brokerRefusedPublishes;
    if (brokerRefused) {
      mirroredCounter('millwright_broker_refused_publishes_total', 'Messages the embedded broker refused, closing the publisher\'s connection', [], () => [[{}, brokerRefused()]]);
    }

    const bus = () => context.bus.stats();
    mirroredCounter('millwright_bus_samples_total', 'Samples delivered to consumers by the telemetry bus', [], () => [[{}, bus().samplesPublished]]);
    mirroredCounter('millwright_bus_duplicates_total', 'Exact repeats dropped by the telemetry bus', [], () => [[{}, bus().duplicates]]);
    mirroredCounter('millwright_bus_consumer_errors_total', 'Batches a consumer failed on', [], () => [[{}, bus().consumerErrors]]);

    const alerts = () => context.alerts.stats();
    mirroredCounter('millwright_alert_reports_total', 'Condition reports received from detection', [], () => [[{}, alerts().reportsReceived]]);
    mirroredCounter('millwright_alert_reports_rejected_total', 'Condition reports refused as malformed', [], () => [[{}, alerts().reportsRejected]]);
    mirroredCounter('millwright_alert_events_total', 'Alert events since start', [], () => [[{}, alerts().events]]);
    mirroredCounter('millwright_alert_listener_errors_total', 'Alert event listeners that threw', [], () => [[{}, alerts().listenerErrors]]);
    gauge('millwright_alerts', 'Open alerts by state', ['state'], () => Object.entries(context.alerts.counts()).map(([state, count]) => [{ state }, count]));
    gauge('millwright_alert_flood', '1 during an alarm flood', [], () => [[{}, context.alerts.flood().active ? 1 : 0]]);

    const storage = () => context.storage();
    mirroredCounter('millwright_storage_writes_total', 'Write transactions to the box database', [], () => [[{}, storage().writes]]);
    mirroredCounter('millwright_storage_write_failures_total', 'Failed write transactions', [], () => [[{}, storage().writeFailures]]);
    gauge('millwright_storage_pending_rows', 'Rows waiting in memory for the disk', [], () => [[{}, storage().pendingRows]]);
    mirroredCounter('millwright_storage_lost_rows_total', 'Rows dropped because too many were waiting', [], () => [[{}, storage().lostRows]]);
    gauge('millwright_storage_ok', '1 when writes reach the database file', [], () => [[{}, storage().status === 'ok' ? 1 : 0]]);

    const models = () => context.models();
    const scoring = () => models().filter((model) => model.state === 'active' && model.asset !== null);
    const byModel = (field: string) => (): [Labels, number][] =>
      scoring().map((model) => [{ asset: model.asset as string, model: model.id }, typeof model[field] === 'number' ? (model[field] as number) : 0]);
    mirroredCounter('millwright_model_findings_total', 'Rows scored by a model, by asset and model', ['asset', 'model'], byModel('findings'));
    mirroredCounter('millwright_model_anomalous_findings_total', 'Scored rows found anomalous, by asset and model', ['asset', 'model'], byModel('anomalousFindings'));
    gauge('millwright_model_anomalous', '1 while the asset deviates from its model (the model condition is active)', ['asset', 'model'], () =>
      scoring().map((model) => [{ asset: model.asset as string, model: model.id }, model['anomalous'] === true ? 1 : 0]),
    );
    gauge('millwright_models', 'Models by state: active (per asset served), collecting (first-start calibration), failed, unused', ['state'], () => {
      const counts = new Map<string, number>(['active', 'collecting', 'failed', 'unused'].map((state) => [state, 0]));
      for (const model of models()) counts.set(model.state, (counts.get(model.state) ?? 0) + 1);
      return [...counts].map(([state, count]) => [{ state }, count]);
    });

    const uplink = () => context.uplink?.() ?? null;
    /** One unlabelled value of the uplink's health, none while the box runs no uplink; the health is read once. */
    const ofUplink = (pick: (health: NonNullable<ReturnType<typeof uplink>>) => number): [Labels, number][] => {
      const health = uplink();
      return health ? [[{}, pick(health)]] : [];
    };
    const channels = () => uplink()?.channels ?? [];
    gauge('millwright_uplink_connected', '1 while the uplink connection of a format (json, sparkplug) is up', ['format'], () => channels().map((c) => [{ format: c.format }, c.state === 'connected' ? 1 : 0]));
    mirroredCounter('millwright_uplink_published_total', 'Messages the plant broker acknowledged, by format', ['format'], () => channels().map((c) => [{ format: c.format }, c.published]));
    gauge('millwright_uplink_buffered_messages', 'Messages in the uplink buffer, by class', ['class'], () =>
      Object.entries(uplink()?.buffer.byClass ?? {}).map(([cls, totals]): [Labels, number] => [{ class: cls }, totals.messages]),
    );
    gauge('millwright_uplink_buffered_bytes', 'Bytes in the uplink buffer (payload, topic, row overhead)', [], () => ofUplink((health) => health.buffer.bytes));
    gauge('millwright_uplink_buffer_on_disk', '1 while the uplink buffer writes to its file, 0 while it holds messages in memory only', [], () => ofUplink((health) => (health.buffer.status === 'disk' ? 1 : 0)));
    mirroredCounter('millwright_uplink_buffer_write_failures_total', 'Failed operations on the uplink buffer file', [], () => ofUplink((health) => health.buffer.writeFailures));
    mirroredCounter('millwright_uplink_dropped_total', 'Buffered messages dropped, by class and reason (expired, full, memory-full)', ['class', 'reason'], () =>
      Object.entries(uplink()?.buffer.dropped ?? {}).flatMap(([cls, reasons]) => Object.entries(reasons).map(([reason, count]): [Labels, number] => [{ class: cls, reason }, count])),
    );
    gauge('millwright_uplink_replay_backlog', 'Messages buffered when the current connection was made, by format', ['format'], () => channels().flatMap((c) => (c.replay ? [[{ format: c.format }, c.replay.backlog] as [Labels, number]] : [])));
    gauge('millwright_uplink_replay_messages_per_second', 'Replay rate of that backlog, by format', ['format'], () => channels().flatMap((c) => (c.replay ? [[{ format: c.format }, c.replay.perSecond] as [Labels, number]] : [])));

    gauge('millwright_ws_clients', 'Connected WebSocket clients', [], () => [[{}, webSocketClients()]]);
    this.wsFrames = new Counter({ name: 'millwright_ws_frames_total', help: 'WebSocket messages sent, by type', labelNames: ['type'], registers });
    this.wsValuesCoalesced = new Counter({ name: 'millwright_ws_values_coalesced_total', help: 'Live points replaced by a newer one for a slow client', registers });
    this.wsValuesFramesSkipped = new Counter({ name: 'millwright_ws_values_frames_skipped_total', help: 'Value batches held back from a client whose socket was backed up', registers });
    this.wsClosed = new Counter({ name: 'millwright_ws_closed_total', help: 'WebSocket connections closed by the server, by reason', labelNames: ['reason'], registers });
    this.wsInvalidMessages = new Counter({ name: 'millwright_ws_invalid_messages_total', help: 'Client messages refused, by reason', labelNames: ['reason'], registers });
    this.logins = new Counter({ name: 'millwright_console_logins_total', help: 'Login attempts, by outcome', labelNames: ['outcome'], registers });
    this.httpRejected = new Counter({
      name: 'millwright_http_requests_rejected_total',
      help: 'HTTP requests answered with an error, by route pattern ("unmatched" for no route), status and error code',
      labelNames: ['route', 'status', 'code'],
      registers,
    });
  }

  /** Counts one WebSocket message sent; the labelled child is kept, as this runs for every frame. */
  frameSent(type: string): void {
    let counter = this.frameCounters.get(type);
    if (counter === undefined) {
      counter = this.wsFrames.labels({ type });
      this.frameCounters.set(type, counter);
    }
    counter.inc();
  }
}

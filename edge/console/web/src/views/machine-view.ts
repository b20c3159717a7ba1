import { parseConditionId } from '../alerts/alert-description.js';
import { ANNUNCIATED } from '../alerts/alert-list.js';
import type { Asset, Model } from '../api-types.js';
import { scoreSignalOf } from '../machines/anomaly-score.js';
import type { AppContext, View } from '../app/app-context.js';
import type { Translator } from '../i18n/translator.js';
import { h, setText } from '../dom.js';
import { AlertRows, alertRow } from './alert-row.js';
import { SignalPanel } from './signal-panel.js';

const WINDOW_MS = 10 * 60_000;

/** One machine: status, its alerts, its anomaly score, and a live chart of every signal. */
export class MachineView implements View {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'machine-body' });
  private readonly status = h('span', { class: 'status-pill', 'data-testid': 'machine-status' });
  private readonly anomaly = h('section', { class: 'anomaly-panel', 'data-testid': 'anomaly-panel' });
  private readonly alertRows: AlertRows;
  private readonly noAlerts: HTMLElement;
  private panels: SignalPanel[] = [];
  private built = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly assetId: string,
  ) {
    this.alertRows = new AlertRows(h('div', { class: 'alert-list compact' }), (alert) => alertRow(ctx, alert, ['acknowledge']));
    this.noAlerts = h('p', { class: 'muted' }, ctx.t.t('machines.noAlerts'));
    this.element = h('section', { class: 'view machine-view', 'data-asset': assetId }, this.body);
    this.unsubscribe.push(
      ctx.catalog.changed.on(() => this.build()),
      ctx.alertsChanged.on(() => this.refreshAlerts()),
      ctx.tick.on(() => this.refresh()),
    );
    ctx.watchSignals([`${assetId}/*`]);
    this.build();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const panel of this.panels) panel.destroy();
  }

  private build(): void {
    if (this.built) return;
    const { ctx } = this;
    const { t } = ctx;
    const asset = ctx.catalog.asset(this.assetId);
    if (!asset) {
      this.body.replaceChildren(h('p', { class: 'empty-state' }, ctx.catalog.loaded ? t.t('machine.unknown', { asset: this.assetId }) : t.t('loading')));
      return;
    }
    this.built = true;
    // the signals in alert first: what the operator came to see
    const alerted = new Set(ctx.alerts.list(ANNUNCIATED, asset.id).map((alert) => parseConditionId(alert.conditionId).signal));
    // Derived signals (the anomaly score) have their own panel.
    const ordered = asset.signals.filter((signal) => signal.derived !== true).sort((a, b) => Number(alerted.has(b.id)) - Number(alerted.has(a.id)));
    this.panels = ordered.map((signal) => new SignalPanel(ctx, asset, signal, { windowMs: WINDOW_MS, height: 150 }));
    this.body.replaceChildren(
      h(
        'div',
        { class: 'view-header machine-header' },
        h('a', { class: 'button back', href: '#/machines' }, `‹ ${t.t('nav.machines')}`),
        h('div', {}, h('h1', {}, asset.name), h('div', { class: 'muted' }, [asset.id, asset.kind, asset.line].filter(Boolean).join(' · '))),
        this.status,
      ),
      h('div', { class: 'machine-top' }, h('section', { class: 'machine-alerts' }, h('h2', {}, t.t('machine.alerts')), this.alertRows.element, this.noAlerts), this.anomaly),
      h('div', { class: 'signal-grid' }, ...this.panels.map((panel) => panel.element)),
    );
    void this.loadModels(asset);
    this.refreshAlerts();
    this.refresh();
  }

  private refresh(): void {
    const asset = this.ctx.catalog.asset(this.assetId);
    if (!asset || !this.built) return;
    const status = this.ctx.status(asset);
    setText(this.status, this.ctx.t.t(`status.${status}`));
    this.status.dataset.status = status;
    for (const panel of this.panels) panel.refresh();
  }

  private refreshAlerts(): void {
    const alerts = this.ctx.alerts.list(ANNUNCIATED, this.assetId);
    this.alertRows.update(alerts, String(this.ctx.catalog.loaded));
    this.noAlerts.hidden = alerts.length > 0;
  }

  private async loadModels(asset: Asset): Promise<void> {
    const { t } = this.ctx;
    let models: Model[] = [];
    try {
      models = await this.ctx.api.models();
    } catch {
      // shown as no model; the page keeps working without detection
    }
    const found = scoreSignalOf(models, asset.id);
    const heading = h('h2', {}, t.t('anomaly.title'));
    if (!found) {
      this.anomaly.replaceChildren(heading, h('p', { class: 'anomaly-none' }, t.t('anomaly.none')));
      return;
    }
    const scoreSignal = found.key === null ? undefined : asset.signals.find((signal) => signal.key === found.key);
    const state = h('p', {}, t.t('anomaly.model', { id: found.model.id, state: modelState(t, found.model) }));
    if (!scoreSignal) {
      this.anomaly.replaceChildren(heading, state);
      return;
    }
    const panel = new SignalPanel(this.ctx, asset, scoreSignal, { windowMs: WINDOW_MS, height: 110 });
    this.panels.push(panel);
    this.anomaly.replaceChildren(heading, state, panel.element);
  }
}

/** "active", "learning normal behaviour: 40 %", "failed: <why>". */
function modelState(t: Translator, model: Model): string {
  const state = t.optional(`modelState.${model.state}`) ?? model.state;
  const calibration = model['calibration'] as { progress?: unknown } | undefined;
  if (model.state === 'collecting' && typeof calibration?.progress === 'number') return t.t('anomaly.collecting', { progress: String(Math.round(calibration.progress)) });
  if (model.state === 'failed' && typeof model['error'] === 'string') return `${state}: ${model['error']}`;
  return state;
}

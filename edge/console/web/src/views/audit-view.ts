import type { AuditEntry } from '../api/api-client.js';
import type { AppContext, View } from '../app/app-context.js';
import { h } from '../dom.js';

/** The audit log (operators and above): who did what, when, and whether it was allowed. */
export class AuditView implements View {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly problem = h('p', { class: 'dialog-problem', hidden: true });
  private readonly unsubscribe: () => void;
  private loading = false;
  private again = false;

  constructor(private readonly ctx: AppContext) {
    const { t } = ctx;
    ctx.watchSignals([]);
    this.element = h(
      'section',
      { class: 'view audit-view' },
      h('div', { class: 'view-header' }, h('h1', {}, t.t('audit.title')), h('button', { type: 'button', class: 'button', onclick: () => void this.load() }, t.t('action.refresh'))),
      this.problem,
      h(
        'table',
        { class: 'event-table', 'data-testid': 'audit-table' },
        h('thead', {}, h('tr', {}, ...(['history.time', 'audit.user', 'audit.action', 'audit.target', 'audit.outcome', 'audit.detail'] as const).map((key) => h('th', {}, t.t(key))))),
        this.body,
      ),
    );
    // an alert action is audited as it happens: follow along
    this.unsubscribe = ctx.alertsChanged.on(() => void this.load());
    void this.load();
  }

  destroy(): void {
    this.unsubscribe();
  }

  /** One request at a time; changes meanwhile ask for one more (an alarm flood must not flood the server). */
  private async load(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    try {
      await this.fetchAndRender();
    } finally {
      this.loading = false;
    }
    if (this.again) {
      this.again = false;
      void this.load();
    }
  }

  private async fetchAndRender(): Promise<void> {
    let entries: AuditEntry[];
    try {
      entries = await this.ctx.api.audit(200);
    } catch (error) {
      this.problem.textContent = error instanceof Error ? error.message : String(error);
      this.problem.hidden = false;
      return;
    }
    this.problem.hidden = true;
    const { t, formats } = this.ctx;
    this.body.replaceChildren(
      ...entries.map((entry) =>
        h(
          'tr',
          { 'data-action': entry.action, 'data-outcome': entry.outcome },
          h('td', {}, formats.dateTime(entry.ts)),
          h('td', {}, entry.user),
          h('td', {}, t.optional(`auditAction.${entry.action}`) ?? entry.action),
          h('td', {}, entry.target),
          h('td', { class: `outcome-${entry.outcome}` }, t.optional(`outcome.${entry.outcome}`) ?? entry.outcome),
          h('td', { lang: 'en' }, entry.detail ?? ''),
        ),
      ),
    );
  }
}

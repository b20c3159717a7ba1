import { ANNUNCIATED, SUPPRESSED } from '../alerts/alert-list.js';
import type { AppContext } from '../app/app-context.js';
import type { Route } from '../app/routes.js';
import { h, setText } from '../dom.js';
import type { Locale } from '../i18n/translator.js';
import type { ConnectionState } from '../live/live-connection.js';
import { languageSwitch } from './language-switch.js';

export interface TopBarActions {
  readonly chooseLocale: (locale: Locale) => void;
  readonly logout: () => void;
  readonly toggleChat: () => void;
}

/** Site, navigation with alert counts, connection state, language, user and role, logout, assistant. */
export class TopBar {
  readonly element: HTMLElement;
  private readonly links: Record<'alerts' | 'suppressed' | 'machines' | 'audit', HTMLAnchorElement>;
  private readonly alertBadge = h('span', { class: 'nav-badge', 'data-testid': 'unacked-count' });
  private readonly suppressedBadge = h('span', { class: 'nav-badge neutral' });
  private readonly connection = h('span', { class: 'connection', 'data-testid': 'connection', role: 'status' });
  private readonly site = h('span', { class: 'brand-site' });
  private readonly chatBadge = h('span', { class: 'nav-badge unacked', 'data-priority': 'high', 'data-testid': 'chat-badge', hidden: true });

  constructor(
    private readonly ctx: AppContext,
    actions: TopBarActions,
  ) {
    const { t } = ctx;
    const link = (hash: string, label: string, badge?: HTMLElement) => h('a', { class: 'nav-link', href: hash, 'data-nav': hash.slice(2) }, h('span', {}, label), badge);
    this.links = {
      alerts: link('#/alerts', t.t('nav.alerts'), this.alertBadge),
      suppressed: link('#/suppressed', t.t('nav.suppressed'), this.suppressedBadge),
      machines: link('#/machines', t.t('nav.machines')),
      audit: link('#/audit', t.t('nav.audit')),
    };
    this.element = h(
      'header',
      { class: 'top-bar' },
      h('div', { class: 'brand stacked' }, h('span', { class: 'brand-name' }, t.t('app.name')), h('span', { class: 'brand-line' }, this.site, this.connection)),
      h('nav', { class: 'nav', 'aria-label': t.t('nav.label') }, this.links.alerts, this.links.suppressed, this.links.machines, ctx.can('operator') ? this.links.audit : null),
      h('div', { class: 'top-right' },
        languageSwitch(t, actions.chooseLocale),
        h('span', { class: 'user', 'data-testid': 'user' }, h('span', { class: 'user-name' }, ctx.user.name), h('span', { class: 'user-role' }, t.t(`role.${ctx.user.role}`))),
        h('button', { type: 'button', class: 'button', 'data-testid': 'logout', onclick: actions.logout }, t.t('action.logout')),
        h('button', { type: 'button', class: 'button chat-toggle', 'data-testid': 'chat-toggle', onclick: actions.toggleChat }, t.t('chat.title'), this.chatBadge),
      ),
    );
    this.updateAlerts();
    this.updateConnection(ctx.connection.status);
  }

  setSite(site: string): void {
    setText(this.site, site);
  }

  setRoute(route: Route): void {
    const current = route.name === 'alert' ? 'alerts' : route.name === 'machine' ? 'machines' : route.name;
    for (const [name, link] of Object.entries(this.links)) {
      if (name === current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  updateAlerts(): void {
    const { alerts } = this.ctx;
    const unacked = alerts.count(['active-unacked', 'rtn-unacked']);
    setText(this.alertBadge, String(alerts.count(ANNUNCIATED)));
    this.alertBadge.classList.toggle('unacked', unacked > 0);
    const first = alerts.list(ANNUNCIATED)[0];
    this.alertBadge.dataset.priority = first?.priority ?? 'none';
    const suppressed = alerts.count(SUPPRESSED);
    setText(this.suppressedBadge, String(suppressed));
    this.suppressedBadge.hidden = suppressed === 0;
  }

  /** Escalations the assistant posted that the person has not looked at yet. */
  setUnseenEscalations(count: number): void {
    setText(this.chatBadge, String(count));
    this.chatBadge.title = this.ctx.t.t('chat.newEscalations', { count });
    this.chatBadge.hidden = count === 0;
  }

  updateConnection(state: ConnectionState): void {
    const { t } = this.ctx;
    const text: Record<ConnectionState['kind'], string> = {
      connecting: t.t('connection.connecting'),
      live: t.t('connection.live'),
      reconnecting: t.t('connection.lostShort'),
      'session-ended': t.t('connection.sessionEnded'),
      refused: t.t('connection.refused'),
    };
    setText(this.connection, text[state.kind]);
    this.connection.dataset.state = state.kind;
  }
}

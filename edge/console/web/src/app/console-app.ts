import { AlertList } from '../alerts/alert-list.js';
import { ApiClient, type SessionInfo } from '../api/api-client.js';
import { roleAtLeast, type User } from '../api-types.js';
import { fill, h, setText } from '../dom.js';
import { Emitter } from '../emitter.js';
import { Formats } from '../format/formats.js';
import { Translator, type Locale, type MessageKey } from '../i18n/translator.js';
import { ChatSession } from '../live/chat-session.js';
import { LiveConnection, type ConnectionState } from '../live/live-connection.js';
import { LiveValues } from '../live/live-values.js';
import { machineStatus } from '../machines/machine-status.js';
import { AlertDetailView } from '../views/alert-detail-view.js';
import { AlertsView } from '../views/alerts-view.js';
import { AuditView } from '../views/audit-view.js';
import { ChatPanel } from '../views/chat-panel.js';
import { loginView } from '../views/login-view.js';
import { MachineView } from '../views/machine-view.js';
import { MachinesView } from '../views/machines-view.js';
import { SuppressedView } from '../views/suppressed-view.js';
import { TopBar } from '../views/top-bar.js';
import type { AppContext, View } from './app-context.js';
import { AssetCatalog } from './asset-catalog.js';
import { loadLocale, saveLocale } from './locale-preference.js';
import { parseRoute, routeHash, type Route } from './routes.js';

/** What lives as long as a login: the data and the connection, kept across a change of language. */
interface LoggedIn {
  readonly user: User;
  readonly alerts: AlertList;
  readonly values: LiveValues;
  readonly catalog: AssetCatalog;
  readonly connection: LiveConnection;
  readonly chat: ChatSession;
  readonly tick: Emitter<void>;
  readonly stop: () => void;
  site: string | null;
  chatOpen: boolean;
}

/** The page: the login, or the logged-in shell (top bar, banners, the current view, the assistant panel). */
export class ConsoleApp {
  private locale: Locale = loadLocale();
  private t = new Translator(this.locale);
  private readonly api = new ApiClient();
  private loggedIn: LoggedIn | null = null;
  private loginNotice: MessageKey | null = null;
  private shell: Shell | null = null;

  constructor(private readonly root: HTMLElement) {
    this.api.unauthenticated.on(() => this.sessionEnded());
  }

  async start(): Promise<void> {
    this.applyLocale();
    let session: SessionInfo | null = null;
    try {
      session = await this.api.session();
    } catch {
      this.loginNotice = 'error.network';
    }
    if (session) this.begin(session);
    else this.showLogin();
  }

  private chooseLocale = (locale: Locale): void => {
    this.locale = locale;
    saveLocale(locale);
    this.applyLocale();
    if (this.loggedIn) this.renderShell();
    else this.showLogin();
  };

  private applyLocale(): void {
    this.t = new Translator(this.locale);
    document.documentElement.lang = this.locale;
    document.title = this.t.t('app.name');
  }

  private showLogin(): void {
    this.shell?.destroy();
    this.shell = null;
    fill(
      this.root,
      loginView({
        t: this.t,
        api: this.api,
        notice: this.loginNotice,
        chooseLocale: this.chooseLocale,
        loggedIn: (session) => {
          this.loginNotice = null;
          this.begin(session);
        },
      }),
    );
  }

  private begin(session: SessionInfo): void {
    const alerts = new AlertList();
    const values = new LiveValues();
    const catalog = new AssetCatalog(this.api, values);
    const connection = new LiveConnection({ alerts, values, sessionStillValid: async () => (await this.api.session()) !== null });
    const tick = new Emitter<void>();
    const timer = window.setInterval(() => tick.emit(), 1000);
    const offState = connection.state.on((state) => {
      if (state.kind === 'session-ended') this.sessionEnded();
      tick.emit();
    });
    const loggedIn: LoggedIn = {
      user: session.user,
      alerts,
      values,
      catalog,
      connection,
      chat: new ChatSession(connection, this.api),
      tick,
      site: null,
      chatOpen: false,
      stop: () => {
        window.clearInterval(timer);
        offState();
        connection.stop();
        catalog.stop();
      },
    };
    this.loggedIn = loggedIn;
    connection.start();
    void catalog.start().catch(() => undefined);
    void this.api.health().then(
      (health) => {
        loggedIn.site = health.site;
        this.shell?.topBar.setSite(health.site);
      },
      () => undefined,
    );
    this.renderShell();
  }

  private sessionEnded(): void {
    if (!this.loggedIn) return;
    this.loggedIn.stop();
    this.loggedIn = null;
    this.loginNotice = 'login.sessionEnded';
    this.showLogin();
  }

  private logout = (): void => {
    const loggedIn = this.loggedIn;
    if (!loggedIn) return;
    loggedIn.stop();
    this.loggedIn = null;
    this.loginNotice = null;
    void this.api.logout().catch(() => undefined);
    this.showLogin();
  };

  private renderShell(): void {
    const loggedIn = this.loggedIn!;
    this.shell?.destroy();
    this.shell = new Shell(this.root, this.t, this.api, loggedIn, { chooseLocale: this.chooseLocale, logout: this.logout });
  }
}

/** The logged-in page for one language; rebuilt when the language changes. */
class Shell {
  readonly topBar: TopBar;
  private readonly ctx: AppContext;
  private readonly viewHost = h('main', { class: 'view-host', id: 'main' });
  private readonly floodBanner = h('div', { class: 'banner flood-banner', role: 'alert', 'data-testid': 'flood-banner', hidden: true });
  private readonly connectionBanner = h('div', { class: 'banner connection-banner', role: 'alert', 'data-testid': 'connection-banner', hidden: true });
  private readonly chatPanel: ChatPanel;
  private readonly element: HTMLElement;
  private view: View | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    root: HTMLElement,
    private readonly t: Translator,
    api: ApiClient,
    private readonly loggedIn: LoggedIn,
    actions: { chooseLocale: (locale: Locale) => void; logout: () => void },
  ) {
    const { alerts, values, catalog, connection, user, tick } = loggedIn;
    const formats = new Formats(t);
    const isFresh = (asset: string) => connection.live && catalog.current && catalog.asset(asset)?.reporting === true;
    this.ctx = {
      t,
      formats,
      user,
      api,
      alerts,
      values,
      catalog,
      connection,
      alertsChanged: connection.alertsChanged,
      tick,
      navigate: (route: Route) => {
        location.hash = routeHash(route);
      },
      watchSignals: (keys) => connection.setSignals(keys),
      isFresh,
      status: (asset) => machineStatus(asset, (signal) => values.value(`${asset.id}/${signal}`), isFresh(asset.id)),
      now: () => connection.now(),
      can: (role) => roleAtLeast(user.role, role),
    };
    this.topBar = new TopBar(this.ctx, { ...actions, toggleChat: () => this.toggleChat() });
    if (loggedIn.site) this.topBar.setSite(loggedIn.site);
    this.chatPanel = new ChatPanel(this.ctx, loggedIn.chat, () => this.toggleChat(false));
    this.element = h('div', { class: 'shell' }, this.topBar.element, this.floodBanner, h('div', { class: 'shell-body' }, this.connectionBanner, this.viewHost, this.chatPanel.element));
    this.element.classList.toggle('chat-open', loggedIn.chatOpen);
    fill(root, this.element);
    const onHash = () => this.route();
    window.addEventListener('hashchange', onHash);
    this.unsubscribe.push(
      () => window.removeEventListener('hashchange', onHash),
      connection.alertsChanged.on(() => this.alertsChanged()),
      connection.state.on((state) => this.connectionChanged(state)),
      tick.on(() => this.connectionChanged(connection.status)),
      loggedIn.chat.changed.on(() => this.chatChanged()),
    );
    this.chatChanged();
    this.alertsChanged();
    this.connectionChanged(connection.status);
    this.route();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.view?.destroy();
    this.chatPanel.destroy();
  }

  private route(): void {
    let route = parseRoute(location.hash);
    if (route.name === 'audit' && !this.ctx.can('operator')) route = { name: 'alerts' };
    this.view?.destroy();
    this.view = this.createView(route);
    fill(this.viewHost, this.view.element);
    this.topBar.setRoute(route);
    this.viewHost.scrollTop = 0;
  }

  private createView(route: Route): View {
    switch (route.name) {
      case 'alerts':
        return new AlertsView(this.ctx);
      case 'alert':
        return new AlertDetailView(this.ctx, route.id);
      case 'suppressed':
        return new SuppressedView(this.ctx);
      case 'machines':
        return new MachinesView(this.ctx);
      case 'machine':
        return new MachineView(this.ctx, route.asset);
      case 'audit':
        return new AuditView(this.ctx);
    }
  }

  private toggleChat(open = !this.loggedIn.chatOpen): void {
    this.loggedIn.chatOpen = open;
    this.element.classList.toggle('chat-open', open);
    if (open) this.chatPanel.focus();
  }

  private chatChanged(): void {
    const { chat, chatOpen } = this.loggedIn;
    if (chatOpen) chat.seen();
    this.topBar.setUnseenEscalations(chat.unseenEscalations);
  }

  private alertsChanged(): void {
    const { alerts } = this.loggedIn;
    this.topBar.updateAlerts();
    const flood = alerts.flood;
    this.floodBanner.hidden = !flood.active;
    if (flood.active) {
      const windowSeconds = alerts.floodWindowSeconds;
      setText(
        this.floodBanner,
        windowSeconds === null
          ? this.t.t('flood.banner', { count: flood.annunciationsInWindow })
          : this.t.t('flood.bannerWindow', { count: flood.annunciationsInWindow, minutes: Math.round(windowSeconds / 60) }),
      );
    }
    const unacked = alerts.count(['active-unacked', 'rtn-unacked']);
    document.title = unacked > 0 ? this.t.t('app.titleUnacked', { count: unacked }) : this.t.t('app.name');
  }

  private connectionChanged(state: ConnectionState): void {
    this.topBar.updateConnection(state);
    const show = state.kind === 'reconnecting' || state.kind === 'refused';
    this.connectionBanner.hidden = !show;
    this.element.classList.toggle('offline', show);
    if (state.kind === 'reconnecting') {
      const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
      setText(this.connectionBanner, this.t.t('connection.lost', { time: this.ctx.formats.time(state.since), seconds }));
    } else if (state.kind === 'refused') {
      setText(this.connectionBanner, this.t.t('connection.refusedLong', { reason: state.reason }));
    }
  }
}

import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import fastify, { LogController } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../gateway/logger.js';
import { PACKAGE_ROOT } from '../package-paths.js';
import { ActionDecisions } from './action-decisions.js';
import type { ConsoleAssistant } from './assistant-port.js';
import { AssistantSlot } from './assistant-slot.js';
import { installAuthentication } from './authentication.js';
import type { ConsoleApp } from './console-app.js';
import type { ConsoleSettings } from './console-config.js';
import type { ConsoleContext } from './console-context.js';
import { ConsoleMetrics } from './console-metrics.js';
import { installErrorHandlers, typeboxValidatorCompiler } from './http-errors.js';
import type { LoginGuardOptions } from './login-guard.js';
import { LoginService } from './login-service.js';
import { OriginPolicy } from './origin-policy.js';
import { alertRoutes } from './routes/alert-routes.js';
import { assistantRoutes } from './routes/assistant-routes.js';
import { assetRoutes } from './routes/asset-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { webPageRoutes } from './routes/web-page-routes.js';
import { SessionStore } from './session-store.js';
import { SourceRates } from './source-rates.js';
import { DEFAULT_WEBSOCKET_LIMITS, type WebSocketLimits } from './ws/websocket-limits.js';
import { WebSocketHub } from './ws/websocket-hub.js';
import { SUBPROTOCOL } from './ws-messages.js';

/** The built web page (`npm run build:web` writes it from edge/console/web/). */
export const DEFAULT_WEB_ROOT = path.join(PACKAGE_ROOT, 'edge', 'console', 'web', 'dist');
const BODY_LIMIT_BYTES = 64 * 1024;

export interface ConsoleServerOptions {
  readonly settings: ConsoleSettings;
  readonly context: ConsoleContext;
  readonly logger: Logger;
  /** The built web page's folder (its index.html is served at /); default edge/console/web/dist. */
  readonly webRoot?: string;
  readonly webSocket?: Partial<WebSocketLimits>;
  /** Login lockout (per name and per address) and the login request rate per address. */
  readonly login?: LoginGuardOptions & { readonly maxRequestsPerMinute?: number };
  readonly assistant?: ConsoleAssistant;
}

/**
 * The operator console: HTTP API, WebSocket and web page on one port (PROTOCOL.md). Create, then
 * `start()`; `stop()` closes the WebSockets (1001) and the server.
 */
export class ConsoleServer {
  readonly metrics: ConsoleMetrics;
  readonly sessions: SessionStore;
  private readonly app: ConsoleApp;
  private readonly hub: WebSocketHub;
  private readonly assistant = new AssistantSlot();
  private readonly decisions: ActionDecisions;
  private readonly rates: SourceRates;
  private readonly limits: WebSocketLimits;
  private originPolicy: OriginPolicy | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private listeningUrl: string | undefined;

  private constructor(
    private readonly options: ConsoleServerOptions,
    app: ConsoleApp,
  ) {
    const { context, settings, logger } = options;
    this.app = app;
    this.limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...options.webSocket };
    this.sessions = new SessionStore({ lifetimeMs: settings.sessionHours * 3_600_000 });
    this.metrics = new ConsoleMetrics(context, () => this.hub.size);
    this.assistant.attach(options.assistant ?? null);
    this.decisions = new ActionDecisions(this.assistant, context.audit, logger);
    this.hub = new WebSocketHub(context, this.limits, this.metrics, logger, this.assistant, this.decisions);
    this.rates = new SourceRates(context.sources);
    this.sessions.onEnd((session) => this.hub.endSession(session.id));
  }

  static async create(options: ConsoleServerOptions): Promise<ConsoleServer> {
    const tls = options.settings.tls;
    const https = tls ? { cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) } : null;
    // One instance type for HTTP and HTTPS: the routes do not depend on the transport.
    const app = fastify({
      // fastify's own lines (listening, request errors) only from warn up: the runtime announces the URL itself
      loggerInstance: options.logger.child({ part: 'console' }, { level: options.logger.levelVal >= 40 ? options.logger.level : 'warn' }),
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: BODY_LIMIT_BYTES,
      ...(https ? { https } : {}),
    }) as unknown as ConsoleApp;
    const server = new ConsoleServer(options, app);
    await server.build();
    return server;
  }

  /** Listens on the configured host and port; resolves with the URL people open. */
  async start(): Promise<string> {
    const { settings } = this.options;
    try {
      await this.app.listen({ host: settings.host, port: settings.port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      const why = code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied';
      throw new Error(`the console cannot listen on ${settings.host}:${settings.port}: ${why}; choose another with console.port in the configuration (--console-port for the demo)`, { cause: error });
    }
    const port = (this.app.server.address() as AddressInfo).port;
    const scheme = settings.tls ? 'https' : 'http';
    this.originPolicy = new OriginPolicy({ scheme, host: settings.host, port, publicOrigin: settings.publicOrigin, allowedOrigins: settings.allowedOrigins });
    const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    this.listeningUrl = settings.publicOrigin ?? `${scheme}://${host}:${port}`;
    this.startedAt = Date.now();
    this.rates.start();
    this.sweepTimer = setInterval(() => this.sessions.sweep(), 60_000);
    this.sweepTimer.unref();
    return this.listeningUrl;
  }

  /** Where the console listens (after start). */
  get url(): string {
    if (this.listeningUrl === undefined) throw new Error('the console is not started');
    return this.listeningUrl;
  }

  /** Connects the assistant to chat, escalations and its routes (until then: "no assistant attached yet"). */
  attachAssistant(assistant: ConsoleAssistant | null): void {
    this.assistant.attach(assistant);
  }

  /** Per WebSocket client: values held back and bytes unsent (the bounds of PROTOCOL.md). */
  webSocketBacklogs(): ReturnType<WebSocketHub['backlogs']> {
    return this.hub.backlogs();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.rates.stop();
    await this.hub.close();
    await this.app.close();
  }

  private async build(): Promise<void> {
    const { app } = this;
    const { context, settings, logger } = this.options;
    app.setValidatorCompiler(typeboxValidatorCompiler);
    installErrorHandlers(app, logger, (rejected) => this.metrics.httpRejected.inc(rejected));
    await app.register(fastifyCookie);
    await app.register(fastifyRateLimit, { global: false });
    await app.register(fastifyWebsocket, {
      options: {
        maxPayload: this.limits.maxMessageBytes,
        handleProtocols: (offered: Set<string>) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
      },
      errorHandler: (error, socket) => {
        logger.debug({ err: error }, 'WebSocket error');
        socket.terminate();
      },
      // the hub closes its clients in stop(); the server itself closes with fastify
      preClose: (done) => done(),
    });
    const login = new LoginService({
      users: settings.users,
      sessions: this.sessions,
      audit: context.audit,
      guard: this.options.login,
      onAttempt: (outcome) => this.metrics.logins.inc({ outcome }),
    });
    installAuthentication(app, { sessions: this.sessions, audit: context.audit, originPolicy: () => this.originPolicy! });
    sessionRoutes(app, {
      login,
      secureCookie: settings.tls !== null,
      loginRateLimit: { max: this.options.login?.maxRequestsPerMinute ?? 20, timeWindowMs: 60_000 },
    });
    healthRoutes(app, context, this.rates, () => ({ startedAt: this.startedAt, webSocketClients: this.hub.size, sessions: this.sessions.size }), this.metrics);
    assetRoutes(app, context);
    alertRoutes(app, context.alerts);
    auditRoutes(app, context.audit);
    assistantRoutes(app, this.assistant, this.decisions, logger);
    app.get('/ws', { websocket: true, config: { role: 'viewer' } }, (socket, request) => this.hub.accept(socket, request.consoleSession!));
    await webPageRoutes(app, this.options.webRoot ?? DEFAULT_WEB_ROOT);
  }
}

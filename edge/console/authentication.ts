import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../store/audit-log.js';
import { ApiError } from './http-errors.js';
import type { OriginPolicy } from './origin-policy.js';
import { roleAtLeast, type Role } from './roles.js';
import type { Session, SessionStore } from './session-store.js';

export const SESSION_COOKIE = 'millwright_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The lowest role allowed on the route; routes without one are open (login, metrics, the page). */
    role?: Role;
  }
  interface FastifyRequest {
    /** The session or token the request came with, once checked; null when it had none. */
    consoleSession: Session | null;
  }
}

export interface AuthenticationOptions {
  readonly sessions: SessionStore;
  /** Known once the server listens (its port may be chosen by the system). */
  readonly originPolicy: () => OriginPolicy;
  readonly audit: AuditLog;
}

/**
 * Runs before every route, the WebSocket upgrade included (so a refused upgrade never becomes a
 * socket): checks the Origin, finds the session from the cookie or bearer token, and enforces the
 * route's role. Denials by role are recorded in the audit log.
 */
export function installAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  app.decorateRequest('consoleSession', null);
  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    if (!options.originPolicy().allows(origin, request.headers.host)) {
      throw new ApiError(403, 'origin-refused', `requests from ${origin} are not allowed: open the console at its own address, or add the origin to console.allowedOrigins`);
    }
    request.consoleSession = options.sessions.find(credentialOf(request)) ?? null;
    const needed = request.routeOptions.config.role;
    if (needed === undefined) return;
    const session = request.consoleSession;
    if (session === null) {
      throw new ApiError(401, 'unauthenticated', 'log in first (POST /api/session), or send a bearer token from POST /api/tokens; a session ends after console.sessionHours');
    }
    if (!roleAtLeast(session.role, needed)) {
      const target = `${request.method} ${request.url.split('?')[0]}`;
      options.audit.record({ user: session.user, action: 'access.denied', target, outcome: 'denied', detail: `needs role ${needed}, has ${session.role}` });
      throw new ApiError(403, 'forbidden', `${target} needs the role ${needed} or above; ${session.user} is ${session.role}`);
    }
  });
}

function credentialOf(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1];
  }
  return request.cookies[SESSION_COOKIE];
}

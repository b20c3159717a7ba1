import { Type } from 'typebox';
import type { ConsoleApp } from '../console-app.js';
import { SESSION_COOKIE } from '../authentication.js';
import { ErrorSchema, LoginBody, SessionAnswer, TokenAnswer } from '../http-schemas.js';
import type { LoginService } from '../login-service.js';
import type { Session } from '../session-store.js';

export interface SessionRouteOptions {
  readonly login: LoginService;
  readonly secureCookie: boolean;
  /** Per client address, for the login routes (see @fastify/rate-limit). */
  readonly loginRateLimit: { readonly max: number; readonly timeWindowMs: number };
}

const userOf = (session: Session) => ({ user: { name: session.user, role: session.role }, expiresAt: session.expiresAt });

export function sessionRoutes(app: ConsoleApp, options: SessionRouteOptions): void {
  const rateLimit = { max: options.loginRateLimit.max, timeWindow: options.loginRateLimit.timeWindowMs };
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema };

  app.post('/api/session', { schema: { body: LoginBody, response: { 200: SessionAnswer, ...errors } }, config: { rateLimit } }, async (request, reply) => {
    const session = await options.login.login(request.body.name, request.body.password, request.ip, 'cookie');
    reply.setCookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secureCookie,
      path: '/',
      expires: new Date(session.expiresAt),
    });
    return userOf(session);
  });

  app.post('/api/tokens', { schema: { body: LoginBody, response: { 200: TokenAnswer, ...errors } }, config: { rateLimit } }, async (request) => {
    const session = await options.login.login(request.body.name, request.body.password, request.ip, 'token');
    return { token: session.id, ...userOf(session) };
  });

  app.get('/api/session', { schema: { response: { 200: SessionAnswer, 401: ErrorSchema } }, config: { role: 'viewer' } }, async (request) => userOf(request.consoleSession!));

  app.delete('/api/session', { schema: { response: { 204: Type.Null(), 401: ErrorSchema } }, config: { role: 'viewer' } }, async (request, reply) => {
    options.login.logout(request.consoleSession!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });
}

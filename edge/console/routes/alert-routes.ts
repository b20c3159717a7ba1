import type { Static, TSchema } from 'typebox';
import type { ActionResult, AlertEngine } from '../../alerts/alert-engine.js';
import { ActionResultSchema } from '../alert-schemas.js';
import type { ConsoleApp } from '../console-app.js';
import { ApiError } from '../http-errors.js';
import {
  AcknowledgeBody,
  AlertDetailAnswer,
  AlertListAnswer,
  AlertListQuery,
  AlertParams,
  CommentBody,
  ErrorSchema,
  EventPageAnswer,
  EventPageQuery,
  RemoveFromServiceBody,
  ReturnToServiceBody,
  ShelveBody,
  UnshelveBody,
} from '../http-schemas.js';
import type { Role } from '../roles.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

export function alertRoutes(app: ConsoleApp, engine: AlertEngine): void {
  app.get('/api/alerts', { schema: { querystring: AlertListQuery, response: { 200: AlertListAnswer, ...errors } }, config: { role: 'viewer' } }, async (request) => {
    const { state, priority, asset, includeNormal, limit } = request.query;
    return {
      alerts: engine.list({ states: state, priorities: priority, assets: asset, includeNormal, limit }),
      latestEventId: engine.latestEventId(),
      counts: engine.counts(),
      flood: engine.flood(),
    };
  });

  app.get('/api/alerts/:id', { schema: { params: AlertParams, response: { 200: AlertDetailAnswer, ...errors } }, config: { role: 'viewer' } }, async (request) => {
    const found = engine.get(request.params.id);
    if (!found) throw new ApiError(404, 'not-found', `no alert with id ${request.params.id}`);
    return { alert: found.alert, events: [...found.events] };
  });

  app.get('/api/alert-events', { schema: { querystring: EventPageQuery, response: { 200: EventPageAnswer, ...errors } }, config: { role: 'viewer' } }, async (request) => {
    const page = engine.eventsAfter(request.query.after, request.query.limit);
    return { ...page, events: [...page.events] };
  });

  /** An action route: the engine checks the state, records the audit entry and throws AlertActionError when it refuses. */
  const action = <B extends TSchema>(path: string, role: Role, body: B, run: (id: number, user: string, body: Static<B>) => ActionResult) =>
    app.post(
      `/api/alerts/:id/${path}`,
      { schema: { params: AlertParams, body, response: { 200: ActionResultSchema, ...errors } }, config: { role } },
      async (request) => run(request.params.id, request.consoleSession!.user, request.body as Static<B>),
    );

  action('acknowledge', 'operator', AcknowledgeBody, (id, user, body) => engine.acknowledge(id, { user, ...body }));
  action('shelve', 'operator', ShelveBody, (id, user, { reason, durationSeconds, until }) => {
    if (durationSeconds !== undefined && until !== undefined) {
      throw new ApiError(400, 'invalid-request', 'give either body.durationSeconds or body.until, not both', [{ path: 'body', message: 'durationSeconds and until exclude each other' }]);
    }
    return engine.shelve(id, { user, reason, ...(until === undefined ? {} : { until }), ...(durationSeconds === undefined ? {} : { durationMs: durationSeconds * 1000 }) });
  });
  action('unshelve', 'operator', UnshelveBody, (id, user, body) => engine.unshelve(id, { user, ...body }));
  action('comment', 'operator', CommentBody, (id, user, { text }) => engine.comment(id, { user, text }));
  action('remove-from-service', 'maintenance', RemoveFromServiceBody, (id, user, { reason }) => engine.removeFromService(id, { user, reason }));
  action('return-to-service', 'maintenance', ReturnToServiceBody, (id, user, body) => engine.returnToService(id, { user, ...body }));
}

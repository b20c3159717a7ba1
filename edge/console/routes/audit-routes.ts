import type { AuditLog } from '../../store/audit-log.js';
import type { ConsoleApp } from '../console-app.js';
import { AuditAnswer, AuditQuery, ErrorSchema } from '../http-schemas.js';

export function auditRoutes(app: ConsoleApp, audit: AuditLog): void {
  app.get(
    '/api/audit',
    { schema: { querystring: AuditQuery, response: { 200: AuditAnswer, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema } }, config: { role: 'operator' } },
    async (request) => ({ entries: audit.list(request.query) }),
  );
}

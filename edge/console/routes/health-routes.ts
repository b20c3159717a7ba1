import type { ConsoleApp } from '../console-app.js';
import type { ConsoleContext } from '../console-context.js';
import type { ConsoleMetrics } from '../console-metrics.js';
import { healthReport, type ConsoleStatus } from '../health-report.js';
import { ErrorSchema, HealthAnswer, LivenessAnswer, ModelsAnswer } from '../http-schemas.js';
import type { SourceRates } from '../source-rates.js';

const denied = { 401: ErrorSchema, 403: ErrorSchema };

export function healthRoutes(app: ConsoleApp, context: ConsoleContext, rates: SourceRates, status: () => ConsoleStatus, metrics: ConsoleMetrics): void {
  app.get('/api/health', { schema: { response: { 200: HealthAnswer, ...denied } }, config: { role: 'viewer' } }, async () => healthReport(context, rates, status()));

  // For container and load-balancer probes, which hold no login: the overall word only, no details.
  app.get('/api/health/live', { schema: { response: { 200: LivenessAnswer } } }, async () => ({ status: healthReport(context, rates, status()).status }));

  app.get('/api/models', { schema: { response: { 200: ModelsAnswer, ...denied } }, config: { role: 'viewer' } }, async () => ({ models: [...context.models()] }));

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

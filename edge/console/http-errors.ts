import type { FastifyError, FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { Logger } from '../../gateway/logger.js';
import { AlertActionError } from '../alerts/alert-action-error.js';
import { formatPath } from '../config/config-error.js';
import { schemaProblems } from '../config/schema-problems.js';

export type ApiErrorCode =
  | 'invalid-request'
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'origin-refused'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'locked-out'
  | 'unavailable'
  | 'internal';

export interface ApiProblem {
  readonly path: string;
  readonly message: string;
}

/** An error answered to the client as is: status, code and a message meant for the person. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly problems?: readonly ApiProblem[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Validates with TypeBox (the schema language of the configuration) and explains failures as the
 * configuration check does: the field path, what was wrong and what would be right. Query strings and
 * path parameters are converted first (text to numbers, a single value to a list).
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const part = httpPart ?? 'body';
  return (value: unknown) => {
    const input = part === 'body' ? (value ?? {}) : Value.Convert(schema, value);
    if (check.Check(input)) return { value: input };
    const problems = schemaProblems(schema, input, [part]).map((problem) => ({ path: formatPath(problem.path), message: problem.message }));
    const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    return { error: new ApiError(400, 'invalid-request', summary || `${part} does not match the route's schema`, problems) };
  };
};

const FASTIFY_CODES: Record<string, { status: number; code: ApiErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload-too-large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type', message: 'send the body as JSON (Content-Type: application/json)' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid-request', message: 'the body is empty but Content-Type says JSON: send {} or no Content-Type' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid-request' },
};

/** Told of every request answered with an error; `route` is the route's pattern, "unmatched" when none matched. */
export type RejectCounter = (rejected: { route: string; status: string; code: ApiErrorCode }) => void;

/** Every error as `{ statusCode, error, code, message, problems? }`; unexpected ones are logged, not leaked. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger, countReject: RejectCounter = () => undefined): void {
  app.setErrorHandler((error: FastifyError | ApiError | AlertActionError, request, reply) => {
    const answer = (status: number, code: ApiErrorCode, message: string, problems?: readonly ApiProblem[]) => {
      countReject({ route: request.routeOptions.url ?? 'unmatched', status: String(status), code });
      return reply.status(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message, ...(problems ? { problems } : {}) });
    };
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return answer(error.statusCode, error.code, error.message, error.problems);
    }
    if (error instanceof AlertActionError) return answer(error.httpStatus, error.code, error.message);
    const known = FASTIFY_CODES[error.code];
    if (known) return answer(known.status, known.code, known.message ?? error.message);
    if (error.statusCode === 429) {
      return answer(429, 'rate-limited', `too many requests: ${error.message}`);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return answer(error.statusCode, 'invalid-request', error.message);
    }
    logger.error({ err: error, url: request.url, method: request.method }, 'console request failed');
    return answer(500, 'internal', 'the server failed on this request (a bug: the server log has the details)');
  });
  app.setNotFoundHandler((request, reply) => {
    countReject({ route: 'unmatched', status: '404', code: 'not-found' });
    return reply.status(404).send({ statusCode: 404, error: 'Not Found', code: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}

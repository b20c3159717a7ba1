import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHarness, PASSWORD } from '../edge/console/fixtures/console-harness.js';

/** Every console route that takes a body, but the assistant's (changed by others meanwhile). */
const ALERT_ACTIONS = ['acknowledge', 'shelve', 'unshelve', 'comment', 'remove-from-service', 'return-to-service'] as const;
const LOGIN_ROUTES = ['/api/session', '/api/tokens'] as const;

/** Answers a refused body may get; 500 (a bug) is never among them. */
const REFUSALS = new Set([400, 401, 403, 404, 409, 413, 415, 423, 429]);

/** Anything a field might hold. */
const fieldValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 1990, maxLength: 2100 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const number = fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(1e-300, 1e308, Number.MAX_SAFE_INTEGER, 8.64e15, 8.64e15 + 1, 2 ** 31));

/** Bodies that pass the schemas with values at their edges (where handlers break), and bodies far from them. */
const fitting: Record<string, fc.Arbitrary<unknown>> = {
  login: fc.record({ name: fc.constantFrom('operator', 'admin', 'Operator', 'nobody'), password: fc.oneof(text, fc.constantFrom(PASSWORD('operator'), PASSWORD('admin'))) }),
  acknowledge: fc.record({ comment: text }, { requiredKeys: [] }),
  unshelve: fc.record({ comment: text }, { requiredKeys: [] }),
  'return-to-service': fc.record({ comment: text }, { requiredKeys: [] }),
  comment: fc.record({ text }),
  'remove-from-service': fc.record({ reason: text }),
  shelve: fc.oneof(fc.record({ reason: text, durationSeconds: number }, { requiredKeys: ['reason'] }), fc.record({ reason: text, until: number }, { requiredKeys: ['reason'] })),
};
const jsonBody = fc.oneof(
  fc.record({ name: fieldValue, password: fieldValue }, { requiredKeys: [] }),
  fc.record({ comment: fieldValue, text: fieldValue, reason: fieldValue, durationSeconds: fieldValue, until: fieldValue }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fieldValue, { maxKeys: 12 }),
);

type Body = { readonly contentType: string | null; readonly text: string };
const asJson = (value: unknown): Body => ({ contentType: 'application/json', text: JSON.stringify(value) ?? 'null' });
/** Half the time a body that fits the route, else anything. */
const bodyFor = (kind: string): fc.Arbitrary<Body> => fc.oneof(fitting[kind]!.map(asJson), anyBody);
const anyBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: jsonBody.map(asJson) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }).map((text) => ({ contentType: 'application/json', text })) },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', ''),
      text: fc.string({ maxLength: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 64 * 1024, max: 80 * 1024 }).map((size) => ({ contentType: 'application/json', text: `{"comment":"${'x'.repeat(size)}"}` })) },
);

describe('HTTP bodies of the console, fuzzed', () => {
  let harness: ConsoleHarness;
  let operator: string;
  let maintenance: string;
  let alertId: number;

  beforeAll(async () => {
    // Lock-outs and the login rate limit are their own tests; here every login attempt reaches the handler.
    harness = await ConsoleHarness.start({ login: { maxRequestsPerMinute: 1_000_000, maxFailuresPerName: 1_000_000, maxFailuresPerIp: 1_000_000 } });
    const token = async (name: string) => (await harness.request('POST', '/api/tokens', { body: { name, password: PASSWORD(name) } })).body.token as string;
    operator = await token('operator');
    maintenance = await token('maintenance');
    harness.report('pump-01/limit/flow.low', true);
    alertId = (await harness.request('GET', '/api/alerts', { token: operator })).body.alerts[0].id;
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function rejectedTotal(): Promise<number> {
    const text = (await harness.request('GET', '/metrics')).text;
    return text
      .split('\n')
      .filter((line) => line.startsWith('millwright_http_requests_rejected_total{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  async function send(path: string, { contentType, text }: Body, token: string | null): Promise<number> {
    const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    const response = await fetch(`${harness.url}${path}`, { method: 'POST', headers, body: text });
    const answer = await response.text();
    if (response.status >= 400) {
      // Every refusal says what was wrong, in the API's error shape.
      expect(JSON.parse(answer), `${response.status} ${path}: ${answer.slice(0, 300)}`).toMatchObject({ statusCode: response.status, code: expect.any(String), message: expect.any(String) });
    }
    return response.status;
  }

  it('never fails (500) or crashes on any body, answers every refusal with its reason, and counts every refusal', async () => {
    const before = await rejectedTotal();
    let refused = 0;
    const statuses: Record<number, number> = {};
    const request = fc.oneof(
      fc.record({ path: fc.constantFrom(...LOGIN_ROUTES), token: fc.constant(null), sent: bodyFor('login') }),
      fc.constantFrom(...ALERT_ACTIONS).chain((action) =>
        fc
          .record({
            id: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.string({ maxLength: 12 })) }),
            who: fc.constantFrom('operator', 'operator', 'maintenance', 'none'),
            sent: bodyFor(action),
          })
          .map(({ id, who, sent }) => ({
            path: `/api/alerts/${id === null ? alertId : encodeURIComponent(String(id))}/${action}`,
            token: who === 'operator' ? operator : who === 'maintenance' ? maintenance : null,
            sent,
          })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ path, token, sent }) => {
        const status = await send(path, sent, token);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 400) {
          refused += 1;
          expect(REFUSALS.has(status), `${status} on ${path} with ${sent.text.slice(0, 200)}`).toBe(true);
        } else {
          expect(status).toBe(200);
        }
      }),
      { numRuns: 200 },
    );

    // Still serving, and every refusal counted.
    const health = await harness.request('GET', '/api/health', { token: operator });
    expect(health.status).toBe(200);
    expect(await rejectedTotal()).toBe(before + refused);
    console.info(`[fuzz http] 200 bodies on ${LOGIN_ROUTES.length + ALERT_ACTIONS.length} routes: answers by status ${JSON.stringify(statuses)}, ${refused} refusals counted`);
  }, 90_000);
});

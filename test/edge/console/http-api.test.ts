import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHarness, sourceHealthOf } from './fixtures/console-harness.js';

describe('console HTTP API', () => {
  let harness: ConsoleHarness;
  let viewer: string;
  let operator: string;
  let maintenance: string;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
    [viewer, operator, maintenance] = await Promise.all([harness.login('viewer'), harness.login('operator'), harness.login('maintenance')]);
  });
  afterAll(() => harness.stop());

  describe('sessions', () => {
    it('logs in with an HttpOnly, SameSite=Strict session cookie and records the login', async () => {
      const answer = await harness.request('POST', '/api/session', { body: { name: 'operator', password: 'operator-test-pw' } });
      expect(answer.status).toBe(200);
      expect(answer.body.user).toEqual({ name: 'operator', role: 'operator' });
      expect(answer.body.expiresAt).toBeGreaterThan(Date.now());
      const cookie = answer.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(/^millwright_session=[A-Za-z0-9_-]{43};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      const session = await harness.request('GET', '/api/session', { cookie: cookie.split(';')[0]! });
      expect(session.body.user).toEqual({ name: 'operator', role: 'operator' });
      expect(harness.audit.list({ action: 'session.login', user: 'operator', outcome: 'ok' }).length).toBeGreaterThan(0);
    });

    it('refuses a wrong password and an unknown name alike, and records both', async () => {
      const wrong = await harness.request('POST', '/api/session', { body: { name: 'viewer', password: 'nope-nope' } });
      const unknown = await harness.request('POST', '/api/session', { body: { name: 'mallory', password: 'nope-nope' } });
      for (const answer of [wrong, unknown]) {
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ code: 'unauthenticated', message: 'wrong user name or password' });
        expect(answer.headers.getSetCookie()).toEqual([]);
      }
      expect(harness.audit.list({ action: 'session.login', outcome: 'rejected' }).map((entry) => entry.user)).toEqual(expect.arrayContaining(['viewer', 'mallory']));
    });

    it('answers 401 to every protected route without a session, and with an unknown one', async () => {
      for (const route of ['/api/session', '/api/health', '/api/assets', '/api/alerts', '/api/alerts/1', '/api/audit', '/api/models', '/api/alert-events?after=0']) {
        const none = await harness.request('GET', route);
        expect(none.status, route).toBe(401);
        expect(none.body.code).toBe('unauthenticated');
        const forged = await harness.request('GET', route, { cookie: 'millwright_session=forged' });
        expect(forged.status, route).toBe(401);
      }
    });

    it('issues bearer tokens for programs, and ends a session on logout', async () => {
      const issued = await harness.request('POST', '/api/tokens', { body: { name: 'viewer', password: 'viewer-test-pw' } });
      expect(issued.status).toBe(200);
      expect(issued.headers.getSetCookie()).toEqual([]);
      const token = issued.body.token as string;
      expect((await harness.request('GET', '/api/assets', { token })).status).toBe(200);

      const cookie = await harness.login('viewer');
      const logout = await harness.request('DELETE', '/api/session', { cookie });
      expect(logout.status).toBe(204);
      expect(logout.headers.getSetCookie()[0]).toMatch(/^millwright_session=;/);
      expect((await harness.request('GET', '/api/session', { cookie })).status).toBe(401);
      expect((await harness.request('DELETE', '/api/session', { token })).status).toBe(204);
      expect((await harness.request('GET', '/api/assets', { token })).status).toBe(401);
      expect(harness.audit.list({ action: 'session.logout', user: 'viewer' })).toHaveLength(2);
    });
  });

  describe('health, assets, history, models', () => {
    it('reports sources with rates and rejects, storage, alerts and models', async () => {
      const health = await harness.request('GET', '/api/health', { cookie: viewer });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        problems: [],
        site: 'Testbrook',
        sources: [{ id: 'plc', kind: 'opcua', state: 'connected', samplesIn: 1200, rejected: { not_a_number: 3 }, samplesPerSecond: 0 }],
        broker: null,
        storage: { status: 'ok', lastError: null },
        alerts: { flood: { active: false } },
        console: { sessions: expect.any(Number) },
        models: [],
      });
      expect(health.body.alerts.counts).toEqual({ 'active-unacked': 0, 'active-acked': 0, 'rtn-unacked': 0, shelved: 0, 'out-of-service': 0 });

      harness.sourceHealth = [sourceHealthOf('plc', 'disconnected')];
      harness.models = [{ id: 'pump-ae', asset: 'pump-01', kind: 'autoencoder', state: 'calibrating', progress: 0.4 }];
      try {
        const degraded = await harness.request('GET', '/api/health', { cookie: viewer });
        expect(degraded.body.status).toBe('degraded');
        expect(degraded.body.problems).toEqual(['source plc is disconnected']);
        expect(degraded.body.models).toEqual([{ id: 'pump-ae', asset: 'pump-01', kind: 'autoencoder', state: 'calibrating', progress: 0.4 }]);
        const models = await harness.request('GET', '/api/models', { cookie: viewer });
        expect(models.body.models[0]).toMatchObject({ id: 'pump-ae', state: 'calibrating', progress: 0.4 });
      } finally {
        harness.sourceHealth = [sourceHealthOf('plc', 'connected')];
        harness.models = [];
      }
    });

    it('lists assets in configuration order with signals, units, ranges, limits and live values', async () => {
      harness.publish('pump-01', 'flow', 131.5);
      harness.publish('pump-01', 'vibration_de', Number.NaN, Date.now(), 'bad');
      const answer = await harness.request('GET', '/api/assets', { cookie: viewer });
      expect(answer.status).toBe(200);
      expect(answer.body.assets.map((asset: { id: string }) => asset.id)).toEqual(['pump-01', 'meter-01']);
      const pump = answer.body.assets[0];
      expect(pump).toMatchObject({ id: 'pump-01', name: 'Cooling water pump 1', kind: 'centrifugal-pump', line: 'Utilities', running: { signal: 'state', equals: 2 }, reporting: true });
      const flow = pump.signals.find((signal: { id: string }) => signal.id === 'flow');
      expect(flow).toMatchObject({ key: 'pump-01/flow', unit: 'm³/h', normal: [100, 165], limits: { lowLow: 30, low: 60 }, deadband: 5, latest: { value: 131.5, quality: 'good', source: 'plc' } });
      const vibration = pump.signals.find((signal: { id: string }) => signal.id === 'vibration_de');
      expect(vibration.latest).toMatchObject({ value: null, quality: 'bad' });
      const meter = answer.body.assets[1];
      expect(meter).toMatchObject({ name: 'meter-01', line: null, running: null, reporting: false });
      expect(meter.signals[0]).toMatchObject({ id: 'power', latest: null, normal: null, limits: {} });

      expect((await harness.request('GET', '/api/assets/pump-01', { cookie: viewer })).body.id).toBe('pump-01');
      const unknown = await harness.request('GET', '/api/assets/pump-1', { cookie: viewer });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toBe('no asset "pump-1" is configured (known: pump-01, meter-01)');
    });

    it('downsamples history to the points asked for, keeping peaks, dips and gaps', async () => {
      const start = 1_700_000_000_000;
      for (let i = 0; i < 900; i++) {
        const value = i === 400 ? 9.5 : i === 600 ? -3 : 1 + (i % 7) / 10;
        harness.publish('pump-01', 'vibration_de', i === 700 ? Number.NaN : value, start + i * 100, i === 700 ? 'bad' : 'good');
      }
      const query = `from=${start}&to=${start + 899 * 100}&points=100`;
      const answer = await harness.request('GET', `/api/assets/pump-01/signals/vibration_de/history?${query}`, { cookie: viewer });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ asset: 'pump-01', signal: 'vibration_de', unit: 'mm/s', from: start, rawPoints: 900, downsampled: true });
      const points = answer.body.points as [number, number | null, string][];
      expect(points.length).toBeLessThanOrEqual(100);
      expect(points.length).toBeGreaterThan(50);
      expect(points).toContainEqual([start + 400 * 100, 9.5, 'good']);
      expect(points).toContainEqual([start + 600 * 100, -3, 'good']);
      expect(points).toContainEqual([start + 700 * 100, null, 'bad']);
      expect(points.map((point) => point[0])).toEqual([...points.map((point) => point[0])].sort((a, b) => a - b));

      const window = await harness.request('GET', `/api/assets/pump-01/signals/vibration_de/history?from=${start}&to=${start + 900}`, { cookie: viewer });
      expect(window.body).toMatchObject({ rawPoints: 10, downsampled: false });
      expect(window.body.points).toHaveLength(10);
    });

    it('says what is wrong with a history request', async () => {
      const tooFew = await harness.request('GET', '/api/assets/pump-01/signals/flow/history?points=1', { cookie: viewer });
      expect(tooFew.status).toBe(400);
      expect(tooFew.body.code).toBe('invalid-request');
      expect(tooFew.body.problems[0].path).toBe('querystring.points');
      const reversed = await harness.request('GET', '/api/assets/pump-01/signals/flow/history?from=20&to=10', { cookie: viewer });
      expect(reversed.status).toBe(400);
      expect(reversed.body.message).toContain('querystring.from (20) is after querystring.to (10)');
      const notANumber = await harness.request('GET', '/api/assets/pump-01/signals/flow/history?from=yesterday', { cookie: viewer });
      expect(notANumber.status).toBe(400);
      expect(notANumber.body.problems[0].path).toBe('querystring.from');
      const unknown = await harness.request('GET', '/api/assets/pump-01/signals/flw/history', { cookie: viewer });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toContain('asset "pump-01" has no signal "flw"');
    });
  });

  describe('alerts and the audit log', () => {
    it('lists alerts with filters, and one alert with its events', async () => {
      harness.report('pump-01/limit/flow.low', true, { priority: 'medium' });
      harness.report('pump-01/limit/vibration_de.high', true, { priority: 'high' });
      harness.report('meter-01/limit/power.high', true, { asset: 'meter-01', priority: 'low' });
      const all = await harness.request('GET', '/api/alerts', { cookie: viewer });
      expect(all.status).toBe(200);
      expect(all.body.alerts.map((alert: { priority: string }) => alert.priority)).toEqual(['high', 'medium', 'low']);
      expect(all.body.latestEventId).toBe(harness.alerts.latestEventId());
      expect(all.body.counts['active-unacked']).toBe(3);

      const filtered = await harness.request('GET', '/api/alerts?priority=high&priority=low&asset=pump-01', { cookie: viewer });
      expect(filtered.body.alerts.map((alert: { conditionId: string }) => alert.conditionId)).toEqual(['pump-01/limit/vibration_de.high']);
      const byState = await harness.request('GET', '/api/alerts?state=shelved', { cookie: viewer });
      expect(byState.body.alerts).toEqual([]);
      const badState = await harness.request('GET', '/api/alerts?state=open', { cookie: viewer });
      expect(badState.status).toBe(400);
      expect(badState.body.problems[0].path).toMatch(/^querystring\.state/);
      expect(badState.body.message).toContain('active-unacked');

      const id = all.body.alerts[0].id as number;
      const one = await harness.request('GET', `/api/alerts/${id}`, { cookie: viewer });
      expect(one.body.alert).toMatchObject({ id, state: 'active-unacked', conditionId: 'pump-01/limit/vibration_de.high' });
      expect(one.body.events.map((event: { type: string }) => event.type)).toEqual(['activated']);
      expect((await harness.request('GET', '/api/alerts/99999', { cookie: viewer })).status).toBe(404);
      const badId = await harness.request('GET', '/api/alerts/seven', { cookie: viewer });
      expect(badId.status).toBe(400);
      expect(badId.body.problems[0].path).toBe('params.id');
    });

    it('pages alert events, and says when a position cannot be resumed', async () => {
      const page = await harness.request('GET', '/api/alert-events?after=0&limit=2', { cookie: viewer });
      expect(page.body.events.map((event: { id: number }) => event.id)).toEqual([1, 2]);
      expect(page.body).toMatchObject({ hasMore: true, resync: false });
      const beyond = await harness.request('GET', '/api/alert-events?after=100000', { cookie: viewer });
      expect(beyond.body).toMatchObject({ events: [], resync: true });
    });

    it('acknowledges and shelves for operators, refuses viewers, and audits every step', async () => {
      harness.report('pump-01/limit/flow.lowLow', true, { priority: 'urgent' });
      const id = harness.alerts.list({ priorities: ['urgent'] })[0]!.id;

      const denied = await harness.request('POST', `/api/alerts/${id}/acknowledge`, { cookie: viewer, body: {} });
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({ code: 'forbidden', message: `POST /api/alerts/${id}/acknowledge needs the role operator or above; viewer is viewer` });
      expect(harness.audit.list({ action: 'access.denied', user: 'viewer' })[0]).toMatchObject({ target: `POST /api/alerts/${id}/acknowledge`, outcome: 'denied' });

      const acked = await harness.request('POST', `/api/alerts/${id}/acknowledge`, { cookie: operator, body: { comment: 'on my way' } });
      expect(acked.status).toBe(200);
      expect(acked.body.alert).toMatchObject({ state: 'active-acked', acknowledged: { by: 'operator', comment: 'on my way' } });
      expect(acked.body.event).toMatchObject({ type: 'acknowledged', who: 'operator' });
      const again = await harness.request('POST', `/api/alerts/${id}/acknowledge`, { cookie: operator });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'conflict', message: expect.stringContaining('already acknowledged by operator') });

      const noReason = await harness.request('POST', `/api/alerts/${id}/shelve`, { cookie: operator, body: { durationSeconds: 60 } });
      expect(noReason.status).toBe(400);
      expect(noReason.body.problems).toEqual([{ path: 'body', message: 'missing required key "reason"' }]);
      const both = await harness.request('POST', `/api/alerts/${id}/shelve`, { cookie: operator, body: { reason: 'x', durationSeconds: 60, until: Date.now() + 60_000 } });
      expect(both.status).toBe(400);
      const tooLong = await harness.request('POST', `/api/alerts/${id}/shelve`, { cookie: operator, body: { reason: 'pump swap', durationSeconds: 9 * 3600 } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.code).toBe('invalid');
      const before = Date.now();
      const shelved = await harness.request('POST', `/api/alerts/${id}/shelve`, { cookie: operator, body: { reason: 'pump swap', durationSeconds: 600 } });
      expect(shelved.status).toBe(200);
      expect(shelved.body.alert.state).toBe('shelved');
      expect(shelved.body.alert.shelved.until).toBeGreaterThanOrEqual(before + 600_000);
      const commented = await harness.request('POST', `/api/alerts/${id}/comment`, { cookie: operator, body: { text: 'fitter called' } });
      expect(commented.body.event).toMatchObject({ type: 'commented', comment: 'fitter called' });
      const unshelved = await harness.request('POST', `/api/alerts/${id}/unshelve`, { cookie: operator, body: {} });
      expect(unshelved.body.alert.state).toBe('active-unacked');

      const trail = harness.audit.list({ target: `alert/${id}` }).reverse();
      expect(trail.map((entry) => [entry.action, entry.user, entry.outcome])).toEqual([
        ['alert.acknowledge', 'operator', 'ok'],
        ['alert.acknowledge', 'operator', 'rejected'],
        ['alert.shelve', 'operator', 'rejected'],
        ['alert.shelve', 'operator', 'ok'],
        ['alert.comment', 'operator', 'ok'],
        ['alert.unshelve', 'operator', 'ok'],
      ]);
    });

    it('takes alerts out of service for maintenance only', async () => {
      const id = harness.alerts.list({ assets: ['meter-01'] })[0]!.id;
      const denied = await harness.request('POST', `/api/alerts/${id}/remove-from-service`, { cookie: operator, body: { reason: 'meter replaced' } });
      expect(denied.status).toBe(403);
      const removed = await harness.request('POST', `/api/alerts/${id}/remove-from-service`, { cookie: maintenance, body: { reason: 'meter replaced' } });
      expect(removed.body.alert).toMatchObject({ state: 'out-of-service', outOfService: { by: 'maintenance', reason: 'meter replaced' } });
      const returned = await harness.request('POST', `/api/alerts/${id}/return-to-service`, { cookie: maintenance, body: {} });
      expect(returned.body.alert.state).toBe('active-unacked');
    });

    it('shows the audit log to operators and above, with filters', async () => {
      expect((await harness.request('GET', '/api/audit', { cookie: viewer })).status).toBe(403);
      expect((await harness.request('GET', '/api/audit', { cookie: operator })).status).toBe(200);
      const answer = await harness.request('GET', '/api/audit?action=session.login&outcome=ok&limit=2', { cookie: maintenance });
      expect(answer.status).toBe(200);
      expect(answer.body.entries).toHaveLength(2);
      expect(answer.body.entries[0]).toMatchObject({ action: 'session.login', outcome: 'ok', target: expect.stringMatching(/^user\//) });
      expect(answer.body.entries[0].id).toBeGreaterThan(answer.body.entries[1].id);
      const bad = await harness.request('GET', '/api/audit?outcome=maybe', { cookie: maintenance });
      expect(bad.status).toBe(400);
      expect(bad.body.problems[0]).toMatchObject({ path: 'querystring.outcome', message: expect.stringContaining('"ok", "rejected", "denied", "failed"') });
    });
  });

  describe('bad requests', () => {
    it('answers malformed, oversized and unexpected bodies with 4xx saying what was wrong', async () => {
      const notJson = await harness.request('POST', '/api/session', { body: '{"name": ' });
      expect(notJson.status).toBe(400);
      expect(notJson.body.code).toBe('invalid-request');
      const unknownKey = await harness.request('POST', '/api/session', { body: { name: 'viewer', passwort: 'x' } });
      expect(unknownKey.status).toBe(400);
      expect(unknownKey.body.problems).toEqual(
        expect.arrayContaining([{ path: 'body', message: 'unknown key "passwort" — did you mean "password"?' }, { path: 'body', message: 'missing required key "password"' }]),
      );
      const wrongType = await harness.request('POST', '/api/session', { body: { name: 7, password: 'x' } });
      expect(wrongType.body.problems).toEqual([{ path: 'body.name', message: 'must be text (got 7)' }]);
      const huge = await harness.request('POST', '/api/session', { body: { name: 'viewer', password: 'x'.repeat(70_000) } });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('payload-too-large');
      const form = await harness.request('POST', '/api/session', { body: 'name=viewer', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      expect(form.body.message).toContain('application/json');
      const text = await harness.request('POST', '/api/session', { body: 'name=viewer', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(400);
      expect(text.body.problems).toEqual([{ path: 'body', message: 'must be a mapping (key: value) (got "name=viewer")' }]);
    });

    it('answers unknown routes with a JSON 404', async () => {
      for (const [method, route] of [['GET', '/api/nothing'], ['POST', '/api/alerts'], ['GET', '/nothing.html']] as const) {
        const answer = await harness.request(method, route, { cookie: viewer });
        expect(answer.status, route).toBe(404);
        expect(answer.body).toMatchObject({ code: 'not-found', message: `no route ${method} ${route}` });
      }
    });

    it('refuses requests from a foreign origin, and accepts its own', async () => {
      const foreign = await harness.request('POST', '/api/session', { body: { name: 'viewer', password: 'viewer-test-pw' }, headers: { origin: 'http://evil.example' } });
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('origin-refused');
      const own = await harness.request('POST', '/api/session', { body: { name: 'viewer', password: 'viewer-test-pw' }, headers: { origin: harness.url } });
      expect(own.status).toBe(200);
      const port = new URL(harness.url).port;
      const localhost = await harness.request('GET', '/api/session', { cookie: viewer, headers: { origin: `http://localhost:${port}` } });
      expect(localhost.status).toBe(200);
      const rebound = await harness.request('GET', '/api/session', { cookie: viewer, headers: { origin: `http://attacker.example:${port}`, host: `attacker.example:${port}` } });
      expect(rebound.status).toBe(403);
    });
  });

  describe('metrics and the page', () => {
    it('exports Prometheus metrics of sources, bus, alerts, storage, WebSockets, logins and the event loop', async () => {
      const answer = await harness.request('GET', '/metrics');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/plain');
      for (const family of [
        'millwright_source_samples_total{source="plc"} 1200',
        'millwright_source_rejected_total{source="plc",reason="not_a_number"} 3',
        'millwright_source_connected{source="plc"} 1',
        'millwright_bus_samples_total',
        'millwright_bus_duplicates_total',
        'millwright_alert_events_total',
        'millwright_alerts{state="active-unacked"}',
        'millwright_alert_flood 0',
        'millwright_storage_write_failures_total 0',
        'millwright_storage_ok 1',
        'millwright_ws_clients 0',
        'millwright_ws_values_coalesced_total',
        'millwright_console_logins_total{outcome="ok"}',
        'millwright_console_logins_total{outcome="rejected"}',
        'nodejs_eventloop_lag_seconds',
        'process_resident_memory_bytes',
      ]) {
        expect(answer.text, family).toContain(family);
      }
    });

    it('serves a plain page while the web page is not built', async () => {
      const page = await harness.request('GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('The web page is not built yet');
    });
  });
});

describe('console login limits', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await ConsoleHarness.start({ login: { maxFailuresPerName: 3, maxRequestsPerMinute: 8 } });
  });
  afterAll(() => harness.stop());

  it('locks a name out after repeated failures, even for the right password, and counts it', async () => {
    for (let i = 0; i < 3; i++) expect((await harness.request('POST', '/api/session', { body: { name: 'admin', password: 'guess-' + i } })).status).toBe(401);
    const locked = await harness.request('POST', '/api/session', { body: { name: 'admin', password: 'admin-test-pw' } });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('locked-out');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(harness.audit.list({ action: 'session.login', user: 'admin', outcome: 'denied' })).toHaveLength(1);
    expect((await harness.request('POST', '/api/session', { body: { name: 'viewer', password: 'viewer-test-pw' } })).status).toBe(200);
    expect((await harness.request('GET', '/metrics')).text).toContain('millwright_console_logins_total{outcome="locked-out"} 1');
  });

  it('limits login requests per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await harness.request('POST', '/api/session', { body: { name: 'nobody', password: 'x' } })).status);
    expect(statuses.at(-1)).toBe(429);
    const limited = await harness.request('POST', '/api/tokens', { body: { name: 'viewer', password: 'viewer-test-pw' } });
    expect(limited.status).toBe(200); // a separate route has its own count
  });
});

describe('console web page', () => {
  it('serves the built page from its folder', async () => {
    const folder = path.join((await import('node:os')).tmpdir(), `millwright-web-${process.pid}-${Date.now()}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'index.html'), '<!doctype html><title>console</title><p>built</p>');
    const harness = await ConsoleHarness.start({ webRoot: folder });
    try {
      const page = await harness.request('GET', '/');
      expect(page.text).toContain('<p>built</p>');
      expect((await harness.request('GET', '/missing.js')).body.code).toBe('not-found');
      expect((await harness.request('GET', '/api/health')).status).toBe(401);
    } finally {
      await harness.stop();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHarness } from './fixtures/alert-harness.js';

const VIBRATION = 'pump-01/limit/vibration_de.high';

describe('alert lifecycle (no delays)', () => {
  let h: AlertHarness;

  beforeEach(() => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 } } });
  });
  afterEach(() => h.close());

  it('normal -> active-unacked when the condition activates, with the report message and details', () => {
    h.report(VIBRATION, true, { message: 'vibration_de 7.4 mm/s above 7.1', details: { value: 7.4, limit: 7.1 } });
    const [alert] = h.engine.list();
    expect(alert).toMatchObject({
      id: 1,
      conditionId: VIBRATION,
      asset: 'pump-01',
      kind: 'limit',
      priority: 'high',
      state: 'active-unacked',
      conditionActive: true,
      message: 'vibration_de 7.4 mm/s above 7.1',
      details: { value: 7.4, limit: 7.1 },
      activatedAt: h.clock.now(),
      reactivations: 0,
      lastEventId: 1,
    });
    expect(h.events).toMatchObject([
      { id: 1, type: 'activated', alertId: 1, conditionId: VIBRATION, asset: 'pump-01', fromState: 'normal', toState: 'active-unacked', cause: 'condition', who: 'system' },
    ]);
    expect(h.events[0]!.alert).toEqual(alert);
  });

  it('active-unacked -> active-acked on acknowledge, recording who and the comment', () => {
    h.report(VIBRATION, true);
    h.clock.advance(30_000);
    const { alert, event } = h.engine.acknowledge(1, { user: 'maria', comment: 'checking the bearing' });
    expect(alert).toMatchObject({ state: 'active-acked', acknowledged: { by: 'maria', at: h.clock.now(), comment: 'checking the bearing' } });
    expect(event).toMatchObject({ type: 'acknowledged', fromState: 'active-unacked', toState: 'active-acked', cause: 'action', who: 'maria', comment: 'checking the bearing' });
  });

  it('active-acked -> normal when the condition clears: the alert closes', () => {
    h.report(VIBRATION, true);
    h.engine.acknowledge(1, { user: 'maria' });
    h.clock.advance(1000);
    h.report(VIBRATION, false);
    expect(h.engine.list()).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ type: 'cleared', fromState: 'active-acked', toState: 'normal', cause: 'condition' });
    expect(h.engine.get(1)?.alert).toMatchObject({ state: 'normal', conditionActive: false, closedAt: h.clock.now(), clearedAt: h.clock.now() });
  });

  it('active-unacked -> rtn-unacked when the condition clears, then -> normal on acknowledge', () => {
    h.report(VIBRATION, true);
    h.report(VIBRATION, false);
    expect(h.engine.list()).toMatchObject([{ id: 1, state: 'rtn-unacked', conditionActive: false }]);
    expect(h.events.at(-1)).toMatchObject({ type: 'cleared', fromState: 'active-unacked', toState: 'rtn-unacked' });

    const { alert, event } = h.engine.acknowledge(1, { user: 'li' });
    expect(event).toMatchObject({ type: 'acknowledged', fromState: 'rtn-unacked', toState: 'normal', who: 'li' });
    expect(alert).toMatchObject({ state: 'normal', closedAt: h.clock.now() });
    expect(h.engine.list()).toEqual([]);
  });

  it('rtn-unacked -> active-unacked when the condition comes back: the same alert, re-activation counted', () => {
    h.report(VIBRATION, true);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(10_000);
      h.report(VIBRATION, false);
      h.clock.advance(10_000);
      h.report(VIBRATION, true, { message: `again ${i}` });
    }
    const alerts = h.engine.list();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: 1, state: 'active-unacked', reactivations: 3, lastActivatedAt: h.clock.now(), clearedAt: null, message: 'again 2' });
    expect(h.events.map((event) => event.type)).toEqual(['activated', 'cleared', 'reactivated', 'cleared', 'reactivated', 'cleared', 'reactivated']);
  });

  it('one alert per condition: repeated active reports add nothing; after the alert closed a new one opens', () => {
    for (let i = 0; i < 50; i++) h.report(VIBRATION, true);
    expect(h.engine.list()).toHaveLength(1);
    expect(h.events).toHaveLength(1);

    h.engine.acknowledge(1, { user: 'maria' });
    h.report(VIBRATION, false);
    h.report(VIBRATION, true);
    expect(h.engine.list()).toMatchObject([{ id: 2, conditionId: VIBRATION, state: 'active-unacked', reactivations: 0 }]);
  });

  it('keeps conditions apart and orders the list by priority, then most recent first', () => {
    h.report('pump-01/limit/temp.high', true, { priority: 'low' });
    h.clock.advance(1000);
    h.report('pump-01/model/pump-ae', true, { kind: 'model', priority: 'urgent' });
    h.clock.advance(1000);
    h.report('fan-02/limit/current.high', true, { asset: 'fan-02', priority: 'low' });
    h.clock.advance(1000);
    h.report('pump-01/limit/pressure.low', true, { priority: 'medium' });
    expect(h.engine.list().map((alert) => alert.conditionId)).toEqual([
      'pump-01/model/pump-ae',
      'pump-01/limit/pressure.low',
      'fan-02/limit/current.high',
      'pump-01/limit/temp.high',
    ]);
    expect(h.engine.list({ assets: ['fan-02'] }).map((alert) => alert.id)).toEqual([3]);
    expect(h.engine.list({ priorities: ['urgent', 'medium'] }).map((alert) => alert.id)).toEqual([2, 4]);
    expect(h.engine.list({ limit: 1 }).map((alert) => alert.id)).toEqual([2]);
  });

  it('records a priority change of an open alert without changing its state', () => {
    h.report(VIBRATION, true, { priority: 'medium' });
    h.report(VIBRATION, true, { priority: 'urgent' });
    expect(h.engine.list()).toMatchObject([{ id: 1, priority: 'urgent', state: 'active-unacked' }]);
    expect(h.events.at(-1)).toMatchObject({ type: 'priority-changed', fromState: 'active-unacked', toState: 'active-unacked', details: { from: 'medium', to: 'urgent' } });
  });

  it('comments on open and closed alerts, as events with the text', () => {
    h.report(VIBRATION, true);
    h.engine.comment(1, { user: 'maria', text: 'noisy since the coupling was changed' });
    h.engine.acknowledge(1, { user: 'maria' });
    h.report(VIBRATION, false);
    const { event } = h.engine.comment(1, { user: 'li', text: 'root cause: loose base bolts' });
    expect(event).toMatchObject({ type: 'commented', fromState: 'normal', toState: 'normal', who: 'li', comment: 'root cause: loose base bolts' });
    expect(h.engine.get(1)?.events.map((e) => e.type)).toEqual(['activated', 'commented', 'acknowledged', 'cleared', 'commented']);
  });

  it('counts open alerts by state', () => {
    h.report('a', true);
    h.report('b', true);
    h.report('c', true);
    h.report('d', true);
    h.engine.acknowledge(2, { user: 'maria' });
    h.report('c', false);
    h.engine.shelve(4, { user: 'maria', reason: 'known', durationMs: 60_000 });
    expect(h.engine.counts()).toEqual({ 'active-unacked': 1, 'active-acked': 1, 'rtn-unacked': 1, shelved: 1, 'out-of-service': 0 });
  });

  it('a listener that throws does not keep the others from their events, and is counted', () => {
    const seen: number[] = [];
    h.engine.subscribe(() => {
      throw new Error('broken client');
    });
    h.engine.subscribe((event) => seen.push(event.id));
    h.report(VIBRATION, true);
    h.report(VIBRATION, false);
    expect(seen).toEqual([1, 2]);
    expect(h.engine.stats().listenerErrors).toBe(2);
  });

  it('an unsubscribed listener gets nothing more', () => {
    const seen: number[] = [];
    const unsubscribe = h.engine.subscribe((event) => seen.push(event.id));
    h.report(VIBRATION, true);
    unsubscribe();
    h.report(VIBRATION, false);
    expect(seen).toEqual([1]);
  });

  it('counts bad reports, keeps the last ones with the reason, and carries on with the good ones', () => {
    h.engine.report([
      { conditionId: '', asset: 'pump-01', kind: 'limit', active: true, priority: 'high', ts: 0, message: '' },
      { conditionId: 'x', asset: 'pump-01', kind: 'limit', active: true, priority: 'critical' as never, ts: 0, message: '' },
      null as never,
      { conditionId: 'y', asset: 'pump-01', kind: 'limit', active: true, priority: 'low', ts: 0, message: 'fine' },
    ]);
    expect(h.engine.stats()).toMatchObject({ reportsReceived: 4, reportsRejected: 3 });
    expect(h.engine.rejectedReports().map((rejected) => rejected.reason)).toEqual([
      'conditionId must be a non-empty string',
      'priority must be one of urgent, high, medium, low',
      'a report must be an object',
    ]);
    expect(h.engine.list()).toMatchObject([{ conditionId: 'y' }]);
  });

  it('copies details, so a detector reusing its objects does not change a stored alert', () => {
    const details = { score: 3.2, contributions: { vibration_de: 0.8 } };
    h.report(VIBRATION, true, { details });
    details.score = 99;
    expect(h.engine.list()[0]?.details).toEqual({ score: 3.2, contributions: { vibration_de: 0.8 } });
  });
});

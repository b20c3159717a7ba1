import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHarness } from './fixtures/alert-harness.js';

const CONDITION = 'pump-01/limit/vibration_de.high';
const HOUR = 3_600_000;

describe('shelving and out of service', () => {
  let h: AlertHarness;

  beforeEach(() => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 } }, shelving: { defaultSeconds: 1800, maxSeconds: 4 * 3600 } });
    h.report(CONDITION, true);
  });
  afterEach(() => h.close());

  it('shelves for a duration and unshelves itself at expiry, back to active-unacked while the condition holds', () => {
    h.engine.acknowledge(1, { user: 'maria' });
    const shelvedAt = h.clock.now();
    const { alert, event } = h.engine.shelve(1, { user: 'maria', reason: 'sensor being replaced', durationMs: HOUR });
    expect(alert).toMatchObject({ state: 'shelved', shelved: { by: 'maria', at: shelvedAt, until: shelvedAt + HOUR, reason: 'sensor being replaced' } });
    expect(event).toMatchObject({ type: 'shelved', fromState: 'active-acked', toState: 'shelved', who: 'maria', comment: 'sensor being replaced', details: { until: shelvedAt + HOUR, previousUntil: null } });

    h.clock.advance(HOUR - 1);
    expect(h.engine.list()).toMatchObject([{ state: 'shelved' }]);
    h.clock.advance(1);
    expect(h.events.at(-1)).toMatchObject({ type: 'unshelved', fromState: 'shelved', toState: 'active-unacked', cause: 'expiry', who: 'system', details: { due: shelvedAt + HOUR, lateMs: 0 } });
    // Re-annunciated: it needs a fresh acknowledgement.
    expect(h.engine.list()).toMatchObject([{ state: 'active-unacked', shelved: null, acknowledged: null, lastActivatedAt: h.clock.now() }]);
  });

  it('tracks the condition while shelved without annunciating, and closes at expiry if it has cleared', () => {
    h.engine.shelve(1, { user: 'maria', reason: 'chattering', until: h.clock.now() + HOUR });
    h.report(CONDITION, false);
    expect(h.events.at(-1)).toMatchObject({ type: 'condition-cleared', fromState: 'shelved', toState: 'shelved', cause: 'condition' });
    expect(h.engine.list()).toMatchObject([{ state: 'shelved', conditionActive: false, clearedAt: h.clock.now() }]);
    h.report(CONDITION, true);
    expect(h.events.at(-1)).toMatchObject({ type: 'condition-active', toState: 'shelved' });
    expect(h.engine.list()).toMatchObject([{ state: 'shelved', conditionActive: true, reactivations: 0 }]);
    h.report(CONDITION, false);

    h.clock.advance(HOUR);
    expect(h.events.at(-1)).toMatchObject({ type: 'unshelved', fromState: 'shelved', toState: 'normal', cause: 'expiry' });
    expect(h.engine.list()).toEqual([]);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('unshelves early on request and forgets the expiry', () => {
    h.engine.shelve(1, { user: 'maria', reason: 'nuisance' });
    expect(h.engine.list()[0]?.shelved?.until).toBe(h.clock.now() + 1_800_000); // the default duration
    const { event } = h.engine.unshelve(1, { user: 'li', comment: 'fixed' });
    expect(event).toMatchObject({ type: 'unshelved', fromState: 'shelved', toState: 'active-unacked', cause: 'action', who: 'li', comment: 'fixed' });
    const count = h.events.length;
    h.clock.advance(2 * HOUR);
    expect(h.events).toHaveLength(count);
  });

  it('shelving a shelved alert sets a new expiry, replacing the old one', () => {
    const start = h.clock.now();
    h.engine.shelve(1, { user: 'maria', reason: 'first', durationMs: HOUR });
    const { event } = h.engine.shelve(1, { user: 'maria', reason: 'longer', durationMs: 3 * HOUR });
    expect(event).toMatchObject({ fromState: 'shelved', toState: 'shelved', details: { until: start + 3 * HOUR, previousUntil: start + HOUR } });
    h.clock.advance(2 * HOUR);
    expect(h.engine.list()).toMatchObject([{ state: 'shelved' }]);
    h.clock.advance(HOUR);
    expect(h.engine.list()).toMatchObject([{ state: 'active-unacked' }]);
  });

  it('removes from service and returns to service explicitly; the condition is tracked meanwhile', () => {
    const { alert, event } = h.engine.removeFromService(1, { user: 'tech-ana', reason: 'bearing replacement, work order 4711' });
    expect(alert).toMatchObject({ state: 'out-of-service', outOfService: { by: 'tech-ana', reason: 'bearing replacement, work order 4711' } });
    expect(event).toMatchObject({ type: 'removed-from-service', fromState: 'active-unacked', toState: 'out-of-service', who: 'tech-ana' });

    h.report(CONDITION, false);
    h.report(CONDITION, true);
    h.clock.advance(24 * HOUR); // no expiry
    expect(h.engine.list()).toMatchObject([{ state: 'out-of-service', conditionActive: true }]);

    const back = h.engine.returnToService(1, { user: 'tech-ana' });
    expect(back.event).toMatchObject({ type: 'returned-to-service', fromState: 'out-of-service', toState: 'active-unacked', who: 'tech-ana' });
    expect(back.alert).toMatchObject({ state: 'active-unacked', outOfService: null });
  });

  it('returns to service into normal when the condition has cleared meanwhile', () => {
    h.engine.removeFromService(1, { user: 'tech-ana', reason: 'maintenance' });
    h.report(CONDITION, false);
    expect(h.engine.returnToService(1, { user: 'tech-ana' }).alert).toMatchObject({ state: 'normal', closedAt: h.clock.now() });
  });

  it('removing a shelved alert from service ends the shelving and its expiry', () => {
    h.engine.shelve(1, { user: 'maria', reason: 'nuisance', durationMs: HOUR });
    const { event } = h.engine.removeFromService(1, { user: 'tech-ana', reason: 'maintenance' });
    expect(event).toMatchObject({ fromState: 'shelved', toState: 'out-of-service', details: { endedShelving: { by: 'maria', reason: 'nuisance' } } });
    h.clock.advance(2 * HOUR);
    expect(h.engine.list()).toMatchObject([{ state: 'out-of-service', shelved: null }]);
  });

  it('counts an annunciation only when it is seen: not while shelved', () => {
    h.engine.shelve(1, { user: 'maria', reason: 'nuisance', durationMs: HOUR });
    for (let i = 0; i < 5; i++) {
      h.report(CONDITION, false);
      h.report(CONDITION, true);
    }
    expect(h.engine.flood().annunciationsInWindow).toBe(1);
  });
});

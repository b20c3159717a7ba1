import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHarness } from './fixtures/alert-harness.js';

const MINUTE = 60_000;

describe('alarm flood (more than 10 in 10 minutes, over below 5)', () => {
  let h: AlertHarness;

  beforeEach(() => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 } } });
  });
  afterEach(() => h.close());

  /** `count` new alerts, one every `spacingMs`. */
  const raise = (count: number, spacingMs: number, prefix = 'c') => {
    for (let i = 0; i < count; i++) {
      h.report(`pump-01/limit/${prefix}${i}`, true);
      h.clock.advance(spacingMs);
    }
  };

  it('does not start at 10 alerts in the window', () => {
    raise(10, 30_000);
    expect(h.eventsOfType('flood-started')).toEqual([]);
    expect(h.engine.flood()).toEqual({ active: false, since: null, annunciationsInWindow: 10 });
  });

  it('starts with the 11th alert within 10 minutes, and ends once fewer than 5 remain in the window', () => {
    const start = h.clock.now();
    raise(11, 30_000);
    const started = h.eventsOfType('flood-started');
    expect(started).toMatchObject([{ alertId: null, conditionId: null, cause: 'rate', who: 'system', ts: start + 10 * 30_000 }]);
    expect(started[0]!.details).toMatchObject({ active: true, annunciationsInWindow: 11, windowSeconds: 600, startAbove: 10, endBelow: 5 });
    // The flood event follows the activation that caused it.
    const activation = h.events.find((event) => event.conditionId === 'pump-01/limit/c10')!;
    expect(started[0]!.id).toBe(activation.id + 1);
    expect(h.engine.flood()).toMatchObject({ active: true, since: start + 300_000 });

    // The alerts were raised at start + 0, 30 s, ... 300 s; the 7th oldest (at 180 s) leaves the window at
    // 780 s, leaving 4 (< 5).
    h.clock.advance(start + 780_000 - h.clock.now() - 1);
    expect(h.eventsOfType('flood-ended')).toEqual([]);
    h.clock.advance(1);
    expect(h.eventsOfType('flood-ended')).toMatchObject([{ ts: start + 780_000, cause: 'rate', details: { active: false, annunciationsInWindow: 4 } }]);
    expect(h.engine.flood().active).toBe(false);
  });

  it('counts re-activations and returns from shelving as annunciations, and stays in flood while they keep coming', () => {
    h.report('pump-01/limit/chatter', true);
    for (let i = 0; i < 10; i++) {
      h.report('pump-01/limit/chatter', false);
      h.report('pump-01/limit/chatter', true);
    }
    expect(h.eventsOfType('flood-started')).toHaveLength(1);
    expect(h.engine.list()).toHaveLength(1);

    // One a minute keeps 10 in the window, well above 5.
    for (let i = 0; i < 12; i++) {
      h.clock.advance(MINUTE);
      h.report('pump-01/limit/chatter', false);
      h.report('pump-01/limit/chatter', true);
    }
    expect(h.eventsOfType('flood-ended')).toEqual([]);
    const before = h.engine.flood().annunciationsInWindow;
    h.engine.shelve(1, { user: 'maria', reason: 'chattering', durationMs: MINUTE });
    h.engine.unshelve(1, { user: 'maria' });
    expect(h.engine.flood().annunciationsInWindow).toBe(before + 1);

    h.clock.advance(10 * MINUTE);
    expect(h.eventsOfType('flood-ended')).toHaveLength(1);
  });

  it('resumes across a restart: a flood that died down during the downtime ends at start, cause "restart"', () => {
    raise(12, 10_000);
    expect(h.engine.flood().active).toBe(true);
    h.reopen({ downtimeMs: 30 * MINUTE });
    expect(h.eventsOfType('flood-ended')).toMatchObject([{ cause: 'restart', ts: h.clock.now() }]);
    expect(h.engine.flood().active).toBe(false);
  });

  it('resumes across a quick restart: still in flood, and it ends on time', () => {
    const start = h.clock.now();
    raise(12, 10_000);
    h.reopen({ downtimeMs: MINUTE });
    expect(h.engine.flood()).toMatchObject({ active: true, since: start + 100_000, annunciationsInWindow: 12 });
    h.clock.advance(10 * MINUTE);
    expect(h.eventsOfType('flood-ended')).toMatchObject([{ cause: 'rate' }]);
  });
});

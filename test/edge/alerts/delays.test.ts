import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlertPolicy } from '../../../edge/alerts/alert-policy.js';
import { AlertHarness } from './fixtures/alert-harness.js';

const CONDITION = 'pump-01/limit/vibration_de.high';

describe('on-delay and off-delay', () => {
  let h: AlertHarness;
  afterEach(() => h.close());

  it('activates only once the condition has stayed active for the on-delay; shorter pulses leave no trace', () => {
    h = new AlertHarness({ delays: { default: { onSeconds: 10, offSeconds: 0 } } });
    // Chattering input: active for 4 s, clear for 1 s, reported every 500 ms, for a minute.
    for (let t = 0; t < 60_000; t += 500) {
      h.report(CONDITION, t % 5000 < 4000);
      h.clock.advance(500);
    }
    expect(h.events).toEqual([]);
    expect(h.engine.list()).toEqual([]);

    h.report(CONDITION, true);
    const risingEdge = h.clock.now();
    for (let i = 0; i < 19; i++) {
      h.clock.advance(500);
      h.report(CONDITION, true);
    }
    expect(h.events).toEqual([]); // 9.5 s: not yet
    h.clock.advance(500);
    expect(h.events).toMatchObject([{ type: 'activated', cause: 'delay', ts: risingEdge + 10_000 }]);
  });

  it('returns to normal only once the condition has stayed clear for the off-delay; short clears are ignored', () => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 5 } } });
    h.report(CONDITION, true);
    expect(h.events).toMatchObject([{ type: 'activated', cause: 'condition' }]);

    // Hovering at the limit: clear for 3 s, active for 1 s, for a minute.
    for (let t = 0; t < 60_000; t += 500) {
      h.report(CONDITION, t % 4000 >= 3000);
      h.clock.advance(500);
    }
    expect(h.events).toHaveLength(1);
    expect(h.engine.list()).toMatchObject([{ state: 'active-unacked', reactivations: 0 }]);

    h.report(CONDITION, false);
    const fallingEdge = h.clock.now();
    h.clock.advance(4999);
    expect(h.events).toHaveLength(1);
    h.clock.advance(1);
    expect(h.events.at(-1)).toMatchObject({ type: 'cleared', cause: 'delay', toState: 'rtn-unacked', ts: fallingEdge + 5000 });
  });

  it('takes delays from the kind and from the first matching conditionId pattern, field by field', () => {
    const policy = resolveAlertPolicy({
      delays: {
        default: { onSeconds: 1, offSeconds: 2 },
        byKind: { model: { onSeconds: 30 } },
        byCondition: [
          { match: 'pump-01/model/*', offSeconds: 60 },
          { match: 'pump-01/*', onSeconds: 7, offSeconds: 8 },
          { match: 'fan-?/limit.x', onSeconds: 9 },
        ],
      },
    });
    expect(policy.delaysFor('pump-01/model/pump-ae', 'model')).toEqual({ onDelayMs: 30_000, offDelayMs: 60_000 });
    expect(policy.delaysFor('pump-01/limit/temp.high', 'limit')).toEqual({ onDelayMs: 7000, offDelayMs: 8000 });
    expect(policy.delaysFor('fan-02/model/fan-ae', 'model')).toEqual({ onDelayMs: 30_000, offDelayMs: 2000 });
    expect(policy.delaysFor('fan-02/limit/current.high', 'limit')).toEqual({ onDelayMs: 1000, offDelayMs: 2000 });
    // Only * is special: "?" and "." are literal.
    expect(policy.delaysFor('fan-?/limit.x', 'limit')).toEqual({ onDelayMs: 9000, offDelayMs: 2000 });
    expect(policy.delaysFor('fan-1/limitXx', 'limit')).toEqual({ onDelayMs: 1000, offDelayMs: 2000 });
  });

  it('applies the per-kind delay in the engine', () => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 }, byKind: { model: { onSeconds: 20 } } } });
    h.report('pump-01/model/pump-ae', true, { kind: 'model' });
    h.report(CONDITION, true);
    expect(h.engine.list().map((alert) => alert.conditionId)).toEqual([CONDITION]);
    h.clock.advance(20_000);
    expect(h.engine.list().map((alert) => alert.conditionId).sort()).toEqual([CONDITION, 'pump-01/model/pump-ae']);
  });

  it('uses the defaults when nothing is configured: no on-delay, 5 s off-delay', () => {
    expect(resolveAlertPolicy().delaysFor('any', 'limit')).toEqual({ onDelayMs: 0, offDelayMs: 5000 });
  });

  it('refuses inconsistent settings, naming the field', () => {
    expect(() => resolveAlertPolicy({ flood: { startAbove: 10, endBelow: 12 } })).toThrow(/alerts\.flood\.endBelow \(12\) must not exceed alerts\.flood\.startAbove \(10\)/);
    expect(() => resolveAlertPolicy({ shelving: { defaultSeconds: 7200, maxSeconds: 3600 } })).toThrow(/alerts\.shelving\.defaultSeconds/);
  });
});

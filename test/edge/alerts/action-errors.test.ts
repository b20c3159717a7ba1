import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertActionError } from '../../../edge/alerts/alert-action-error.js';
import { AlertHarness } from './fixtures/alert-harness.js';

const CONDITION = 'pump-01/limit/vibration_de.high';

function refusal(action: () => unknown): AlertActionError {
  try {
    action();
  } catch (error) {
    if (error instanceof AlertActionError) return error;
    throw error;
  }
  throw new Error('the action was not refused');
}

describe('refused actions', () => {
  let h: AlertHarness;

  beforeEach(() => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 } }, shelving: { maxSeconds: 7200 } });
    h.report(CONDITION, true);
  });
  afterEach(() => h.close());

  it('an unknown alert id: not-found, 404', () => {
    const error = refusal(() => h.engine.acknowledge(42, { user: 'maria' }));
    expect(error).toMatchObject({ code: 'not-found', httpStatus: 404, message: 'there is no alert 42' });
    expect(h.engine.get(42)).toBeUndefined();
  });

  it('an id that is not a positive integer: invalid, 400', () => {
    expect(refusal(() => h.engine.acknowledge('1' as never, { user: 'maria' }))).toMatchObject({ code: 'invalid', httpStatus: 400, message: 'alert id must be a positive integer, got "1"' });
    expect(refusal(() => h.engine.get(0))).toMatchObject({ code: 'invalid' });
    expect(refusal(() => h.engine.eventsAfter(-1))).toMatchObject({ code: 'invalid' });
  });

  it('acknowledging an acknowledged alert or a closed one: conflict, 409, saying why', () => {
    h.engine.acknowledge(1, { user: 'maria' });
    expect(refusal(() => h.engine.acknowledge(1, { user: 'li' }))).toMatchObject({
      code: 'conflict',
      httpStatus: 409,
      message: `alert 1 (${CONDITION}) was already acknowledged by maria at ${new Date(h.clock.now()).toISOString()}`,
    });
    h.report(CONDITION, false);
    expect(refusal(() => h.engine.acknowledge(1, { user: 'li' })).message).toMatch(/alert 1 .* returned to normal at .* and is closed; only comments can be added/);
    expect(refusal(() => h.engine.shelve(1, { user: 'li', reason: 'x' })).code).toBe('conflict');
  });

  it('state mismatches: unshelve an unshelved alert, return to service one in service, shelve one out of service', () => {
    expect(refusal(() => h.engine.unshelve(1, { user: 'maria' })).message).toMatch(/is active and unacknowledged, not shelved/);
    expect(refusal(() => h.engine.returnToService(1, { user: 'maria' })).message).toMatch(/not out of service/);
    h.engine.removeFromService(1, { user: 'tech-ana', reason: 'maintenance' });
    expect(refusal(() => h.engine.removeFromService(1, { user: 'tech-ana', reason: 'again' })).message).toMatch(/already out of service \(removed by tech-ana\)/);
    expect(refusal(() => h.engine.shelve(1, { user: 'maria', reason: 'x' })).message).toMatch(/out of service; return it to service before shelving/);
    expect(refusal(() => h.engine.acknowledge(1, { user: 'maria' })).message).toMatch(/is out of service; only unacknowledged alerts/);
  });

  it('shelving beyond the maximum, into the past, or with both until and a duration: invalid', () => {
    expect(refusal(() => h.engine.shelve(1, { user: 'maria', reason: 'x', durationMs: 3 * 3_600_000 })).message).toBe(
      'shelving may last at most 2 h (alerts.shelving.maxSeconds); 3 h was asked',
    );
    expect(refusal(() => h.engine.shelve(1, { user: 'maria', reason: 'x', until: h.clock.now() - 1 })).message).toMatch(/must end in the future/);
    expect(refusal(() => h.engine.shelve(1, { user: 'maria', reason: 'x', until: h.clock.now() + 1, durationMs: 1 })).message).toBe('give either until or durationMs, not both');
    expect(h.engine.list()).toMatchObject([{ state: 'active-unacked', shelved: null }]);
  });

  it('missing user, reason or text, and over-long text: invalid', () => {
    expect(refusal(() => h.engine.acknowledge(1, { user: ' ' })).message).toMatch(/user must name the person acting/);
    expect(refusal(() => h.engine.shelve(1, { user: 'maria', reason: '' })).message).toBe('reason is required (a non-empty string)');
    expect(refusal(() => h.engine.removeFromService(1, { user: 'maria' } as never)).message).toBe('reason is required (a non-empty string)');
    expect(refusal(() => h.engine.comment(1, { user: 'maria', text: 'x'.repeat(2001) })).message).toMatch(/text must be at most 2000 characters/);
    expect(refusal(() => h.engine.acknowledge(1, undefined as never)).code).toBe('invalid');
  });

  it('writes every action, done or refused, to the audit log with who and the outcome', () => {
    h.engine.acknowledge(1, { user: 'maria', comment: 'on it' });
    refusal(() => h.engine.acknowledge(1, { user: 'li' }));
    refusal(() => h.engine.shelve(7, { user: 'li', reason: 'x' }));
    expect(h.audit.list().map(({ user, action, target, outcome, detail }) => ({ user, action, target, outcome, detail }))).toEqual([
      { user: 'li', action: 'alert.shelve', target: 'alert/7', outcome: 'rejected', detail: 'there is no alert 7' },
      { user: 'li', action: 'alert.acknowledge', target: 'alert/1', outcome: 'rejected', detail: expect.stringMatching(/already acknowledged by maria/) },
      { user: 'maria', action: 'alert.acknowledge', target: 'alert/1', outcome: 'ok', detail: 'event 2: active-unacked -> active-acked' },
    ]);
  });

  it('a refused action changes nothing and emits nothing', () => {
    const before = h.events.length;
    refusal(() => h.engine.shelve(1, { user: 'maria', reason: 'x', durationMs: 10 * 3_600_000 }));
    refusal(() => h.engine.unshelve(1, { user: 'maria' }));
    expect(h.events).toHaveLength(before);
    expect(h.engine.latestEventId()).toBe(before);
  });
});

import { describe, expect, it } from 'vitest';
import { describeAlert, contributionsOf, parseConditionId, signalsToChart, thresholdOf } from '../../../edge/console/web/src/alerts/alert-description.js';
import { AlertList } from '../../../edge/console/web/src/alerts/alert-list.js';
import type { Alert, AlertEvent, Asset } from '../../../edge/console/web/src/api-types.js';
import { parseRoute, routeHash } from '../../../edge/console/web/src/app/routes.js';
import { Formats, signalDecimals } from '../../../edge/console/web/src/format/formats.js';
import { EN_MESSAGES } from '../../../edge/console/web/src/i18n/messages-en.js';
import { ZH_MESSAGES } from '../../../edge/console/web/src/i18n/messages-zh.js';
import { preferredLocale, Translator } from '../../../edge/console/web/src/i18n/translator.js';
import { LiveValues } from '../../../edge/console/web/src/live/live-values.js';
import { ReconnectBackoff } from '../../../edge/console/web/src/live/reconnect-backoff.js';
import { SeriesBuffer } from '../../../edge/console/web/src/live/series-buffer.js';
import { parseEnumeration } from '../../../edge/console/web/src/machines/enumeration.js';
import { scoreSignalOf } from '../../../edge/console/web/src/machines/anomaly-score.js';
import { machineStatus } from '../../../edge/console/web/src/machines/machine-status.js';
import { sparklineSignals } from '../../../edge/console/web/src/machines/sparkline-signals.js';

const T0 = 1_700_000_000_000;

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    conditionId: 'pump-01/limit/vibration_de.high',
    asset: 'pump-01',
    kind: 'limit',
    priority: 'medium',
    state: 'active-unacked',
    conditionActive: true,
    message: 'vibration_de 6.223 mm/s above its high limit 4.5 mm/s',
    details: { signal: 'vibration_de', value: 6.223, limit: 4.5, deadband: 0.2 },
    activatedAt: T0,
    lastActivatedAt: T0,
    reactivations: 0,
    clearedAt: null,
    acknowledged: null,
    shelved: null,
    outOfService: null,
    closedAt: null,
    lastEventId: 1,
    updatedAt: T0,
    ...overrides,
  };
}

function event(id: number, changed: Alert | null, type: AlertEvent['type'] = 'activated', details: unknown = null): AlertEvent {
  return {
    id,
    ts: T0 + id,
    type,
    alertId: changed?.id ?? null,
    conditionId: changed?.conditionId ?? null,
    asset: changed?.asset ?? null,
    fromState: null,
    toState: changed?.state ?? null,
    cause: 'condition',
    who: 'system',
    comment: null,
    details,
    alert: changed,
  };
}

const placeholders = (message: unknown) => [...JSON.stringify(message).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the page dictionaries', () => {
  it('have the same placeholders in English and Chinese for every text', () => {
    for (const [key, english] of Object.entries(EN_MESSAGES)) {
      const chinese = (ZH_MESSAGES as Record<string, unknown>)[key];
      expect(chinese, key).toBeDefined();
      expect([...new Set(placeholders(chinese))], key).toEqual([...new Set(placeholders(english))]);
    }
    expect(Object.keys(ZH_MESSAGES).sort()).toEqual(Object.keys(EN_MESSAGES).sort());
  });

  it('fill placeholders and choose plural forms by count', () => {
    const en = new Translator('en');
    expect(en.t('machines.openAlerts', { count: 1 })).toBe('1 open alert');
    expect(en.t('machines.openAlerts', { count: 3 })).toBe('3 open alerts');
    expect(new Translator('zh-CN').t('machines.openAlerts', { count: 3 })).toBe('3 条未关闭报警');
    expect(en.optional('unit.rpm')).toBe('rpm');
    expect(en.optional('unit.bar')).toBeUndefined();
  });

  it('pick the browser\'s language when none was chosen', () => {
    expect(preferredLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(preferredLocale(['de-DE', 'en-GB'])).toBe('en');
    expect(preferredLocale(['fr'])).toBe('en');
  });
});

describe('numbers and units per locale', () => {
  it('format quantities with fixed decimals per signal and the locale\'s unit', () => {
    expect(signalDecimals({ unit: 'mm/s', normal: [0.5, 2.8], limits: {} })).toBe(2);
    expect(signalDecimals({ unit: 'rpm', normal: [2900, 3000], limits: {} })).toBe(0);
    expect(signalDecimals({ unit: '', normal: [0.85, 0.98], limits: {} })).toBe(3);
    expect(signalDecimals({ unit: 'kW', normal: null, limits: { high: 110, highHigh: 130 } })).toBe(1);
    expect(signalDecimals({ unit: 'kWh', normal: null, limits: {} })).toBe(1);
    expect(signalDecimals({ unit: '', normal: null, limits: {} })).toBe(0);
    const en = new Formats(new Translator('en'));
    const zh = new Formats(new Translator('zh-CN'));
    expect(en.quantity(en.number(2986.4, 0), 'rpm')).toBe('2,986 rpm');
    expect(zh.quantity(zh.number(2986.4, 0), 'rpm')).toBe('2,986 r/min');
    expect(en.quantity(en.number(45, 0), '%')).toBe('45%');
    expect(en.duration(7200)).toBe('2 hours');
    expect(zh.duration(900)).toBe('15 分钟');
  });
});

describe('the alert list', () => {
  it('applies events in id order, ignores repeats and reports a gap instead of applying past it', () => {
    const list = new AlertList();
    list.replace({ alerts: [alert({ id: 1 })], latestEventId: 5, flood: { active: false, since: null, annunciationsInWindow: 0 } });
    expect(list.apply(event(5, alert({ id: 1, state: 'active-acked' })))).toBe('duplicate');
    expect(list.apply(event(7, alert({ id: 2 })))).toBe('gap');
    expect(list.get(2)).toBeUndefined();
    expect(list.apply(event(6, alert({ id: 1, state: 'active-acked' }), 'acknowledged'))).toBe('applied');
    expect(list.get(1)?.state).toBe('active-acked');
    expect(list.apply(event(7, alert({ id: 1, state: 'normal' }), 'cleared'))).toBe('applied');
    expect(list.get(1)).toBeUndefined();
    expect(list.lastEventId).toBe(7);
  });

  it('sorts most urgent first, then most recently activated, and separates suppressed alerts', () => {
    const list = new AlertList();
    list.replace({
      alerts: [
        alert({ id: 1, priority: 'low', lastActivatedAt: T0 + 50 }),
        alert({ id: 2, priority: 'high', lastActivatedAt: T0 }),
        alert({ id: 3, priority: 'high', lastActivatedAt: T0 + 10 }),
        alert({ id: 4, priority: 'urgent', state: 'shelved' }),
      ],
      latestEventId: 9,
      flood: { active: false, since: null, annunciationsInWindow: 0 },
    });
    expect(list.list(['active-unacked', 'active-acked', 'rtn-unacked']).map((a) => a.id)).toEqual([3, 2, 1]);
    expect(list.list(['shelved', 'out-of-service']).map((a) => a.id)).toEqual([4]);
    expect(list.highestPriority('pump-01')).toBe('high');
  });

  it('follows alarm floods from their events', () => {
    const list = new AlertList();
    list.replace({ alerts: [], latestEventId: 0, flood: { active: false, since: null, annunciationsInWindow: 0 } });
    list.apply(event(1, null, 'flood-started', { active: true, since: T0, annunciationsInWindow: 12, windowSeconds: 600 }));
    expect(list.flood).toEqual({ active: true, since: T0, annunciationsInWindow: 12 });
    expect(list.floodWindowSeconds).toBe(600);
    list.apply(event(2, null, 'flood-ended', { active: false, since: null, annunciationsInWindow: 4 }));
    expect(list.flood.active).toBe(false);
  });
});

describe('alert texts and charts', () => {
  const unit = () => 'mm/s';

  it('reads condition ids', () => {
    expect(parseConditionId('pump-01/limit/vibration_de.highHigh')).toEqual({ asset: 'pump-01', kind: 'limit', signal: 'vibration_de', limit: 'highHigh' });
    expect(parseConditionId('pump-01/quality/communication')).toEqual({ asset: 'pump-01', kind: 'quality', signal: null, limit: null });
    expect(parseConditionId('pump-01/stuck/bearing_temp_de')).toEqual({ asset: 'pump-01', kind: 'stuck', signal: 'bearing_temp_de', limit: null });
  });

  it('describes an alert in the page\'s language, and falls back to the server\'s text for kinds it does not know', () => {
    const en = new Translator('en');
    const zh = new Translator('zh-CN');
    expect(describeAlert(alert(), en, new Formats(en), unit)).toBe('vibration_de 6.223 mm/s — above its high limit 4.5 mm/s');
    expect(describeAlert(alert(), zh, new Formats(zh), unit)).toBe('vibration_de 6.223 mm/s — 高于高限 4.5 mm/s');
    expect(describeAlert(alert({ conditionId: 'pump-01/vision/camera-2', kind: 'vision', message: 'smoke seen' }), zh, new Formats(zh), unit)).toBe('smoke seen');
  });

  it('charts the top contributing signals of a finding first, then the condition\'s own signal', () => {
    const finding = alert({
      conditionId: 'pump-01/model/pump-ae',
      kind: 'model',
      details: { score: 0.93, threshold: 0.7, contributions: [{ signal: 'flow', contribution: 0.1 }, { signal: 'pump-01/vibration_de', contribution: 0.6 }, { signal: 'bearing_temp_de', contribution: 0.3 }] },
    });
    expect(contributionsOf(finding).map((c) => c.signal)).toEqual(['vibration_de', 'bearing_temp_de', 'flow']);
    expect(signalsToChart(finding, ['flow', 'vibration_de', 'bearing_temp_de', 'speed'], 2)).toEqual(['vibration_de', 'bearing_temp_de']);
    expect(signalsToChart(alert(), ['flow', 'vibration_de'])).toEqual(['vibration_de']);
    expect(thresholdOf(alert())).toBe(4.5);
    expect(thresholdOf(finding)).toBe(0.7);
  });
});

describe('machine status', () => {
  const asset = (running: Asset['running']): Asset => ({
    id: 'pump-01',
    name: 'Pump',
    kind: 'centrifugal-pump',
    line: null,
    running,
    reporting: true,
    alerts: { open: 0, unacknowledged: 0, highestPriority: null },
    signals: [{ id: 'state', key: 'pump-01/state', unit: '', description: '0 stopped, 1 starting, 2 running, 3 stopping, 4 tripped', normal: null, limits: {}, deadband: null, latest: null }],
  });

  it('is running while the running condition holds, else what the state signal\'s description names', () => {
    const pump = asset({ signal: 'state', equals: 2 });
    expect(machineStatus(pump, () => 2, true)).toBe('running');
    expect(machineStatus(pump, () => 4, true)).toBe('tripped');
    expect(machineStatus(pump, () => 0, true)).toBe('stopped');
    expect(machineStatus(pump, () => 7, true)).toBe('stopped');
    expect(machineStatus(pump, () => 2, false)).toBe('no-data');
    expect(machineStatus(asset({ signal: 'state', above: 0.3 }), () => 0.1, true)).toBe('stopped');
    expect(machineStatus(asset(null), () => undefined, true)).toBe('reporting');
  });

  it('puts the signals in alert first on a machine\'s card, then those with a normal range', () => {
    const signal = (id: string, normal: [number, number] | null) => ({ id, key: `pump-01/${id}`, unit: 'x', description: null, normal, limits: {}, deadband: null, latest: null });
    const pump = { ...asset(null), signals: [signal('state', null), signal('speed', [1, 2]), signal('flow', [1, 2]), signal('current', [1, 2]), signal('vibration_de', [1, 2])] };
    expect(sparklineSignals(pump, new Set()).map((s) => s.id)).toEqual(['speed', 'flow', 'current']);
    expect(sparklineSignals(pump, new Set(['vibration_de'])).map((s) => s.id)).toEqual(['vibration_de', 'speed', 'flow']);
  });

  it('finds the anomaly score a model publishes for an asset, and says when there is no model', () => {
    expect(scoreSignalOf([], 'pump-01')).toBeNull();
    const model = { id: 'pump-ae', asset: 'pump-01', kind: 'autoencoder', state: 'ready', scoreSignal: 'pump-01/anomaly_score' };
    expect(scoreSignalOf([model], 'pump-01')).toEqual({ model, key: 'pump-01/anomaly_score' });
    expect(scoreSignalOf([{ ...model, scoreSignal: 'other/x' }], 'pump-01')?.key).toBeNull();
  });

  it('reads enumerations only from descriptions that are lists of numbered words', () => {
    expect(parseEnumeration('0 stopped, 1 starting, 2 running').get(2)).toBe('running');
    expect(parseEnumeration('PLC trip code, 0 when healthy (simulators/MACHINES.md)').size).toBe(0);
    expect(parseEnumeration('1 while the compressor is loaded').size).toBe(0);
  });
});

describe('live data on the page', () => {
  it('keeps chart points in time order within the window, with bad points as gaps', () => {
    const buffer = new SeriesBuffer(1000);
    buffer.add([[T0 + 500, 2, 'good'], [T0 + 100, 1, 'good']]);
    buffer.add([[T0 + 300, null, 'bad'], [T0 + 1400, 4, 'good']]);
    expect(buffer.times).toEqual([T0 + 500, T0 + 1400]);
    buffer.add([[T0 + 450, 7, 'bad']]);
    expect(buffer.values).toEqual([null, 2, 4]);
  });

  it('keeps only the newest point per signal and passes on only what is new', () => {
    const values = new LiveValues();
    const seen: string[][] = [];
    values.subscribe((batch) => seen.push([...batch.keys()]));
    values.ingest({ 'pump-01/flow': [[T0 + 10, 130, 'good']] }, 1000);
    values.ingest({ 'pump-01/flow': [[T0 + 5, 120, 'good']] }, 2000);
    values.ingest({ 'pump-01/speed': [[T0, 2980, 'good']], 'pump-01/state': [] }, 3000);
    expect(values.value('pump-01/flow')).toBe(130);
    expect(values.get('pump-01/flow')?.receivedAt).toBe(1000);
    expect(seen).toEqual([['pump-01/flow'], ['pump-01/speed']]);
  });

  it('backs off from half a second to ten, with jitter, and starts over once connected', () => {
    const backoff = new ReconnectBackoff(500, 10_000, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    backoff.reset();
    expect(new ReconnectBackoff(500, 10_000, () => 1).next()).toBe(350);
    expect(backoff.next()).toBe(500);
  });

  it('keeps its place in the URL', () => {
    for (const hash of ['#/alerts', '#/alerts/17', '#/suppressed', '#/machines', '#/machines/pump-01', '#/audit']) expect(routeHash(parseRoute(hash))).toBe(hash);
    expect(parseRoute('')).toEqual({ name: 'alerts' });
    expect(parseRoute('#/nonsense')).toEqual({ name: 'alerts' });
  });
});

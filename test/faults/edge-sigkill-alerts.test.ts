import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/logger.js';
import type { Alert, AlertEvent } from '../../edge/alerts/alert.js';
import type { AuditEntry } from '../../edge/store/audit-log.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { WsTestClient, type Message } from '../edge/console/fixtures/ws-test-client.js';
import { freePort } from '../support/free-port.js';
import { tempFolder } from '../support/temp-folder.js';
import { writeDemoBoxConfig } from './fixtures/demo-box-config.js';
import { startEdgeBox, type EdgeBoxProcess } from './fixtures/edge-box-process.js';

interface AlertList {
  readonly alerts: Alert[];
  readonly latestEventId: number;
}
interface EventPage {
  readonly events: AlertEvent[];
  readonly latestEventId: number;
  readonly hasMore: boolean;
  readonly resync: boolean;
}
interface ActionAnswer {
  readonly alert: Alert;
  readonly event: AlertEvent;
}

/** The conditions the injected faults raise (their limits and deadbands are in edge/config/demo.yaml). */
const ACKED = 'pump-01/limit/vibration_de.high';
const SHELVED = 'spindle-01/quality/coolant_temp';
const COMMENTED = 'conveyor-01/limit/motor_vibration.high';
const RETURNED = 'conveyor-02/limit/motor_vibration.high';

/** Comments sent at once just before the kill. */
const BURST = 10;

/**
 * Events that new data may add to an alert after the kill without anyone acting (edge/alerts/README.md,
 * "Transitions"): the plant runs on while the box is down and after it is back.
 */
const DATA_DRIVEN = new Set(['cleared', 'reactivated', 'condition-active', 'condition-cleared', 'priority-changed']);

/**
 * The real box (`millwright start` on the demo configuration) is SIGKILLed while telemetry streams and
 * an operator is writing comments, then started again on the same data folder. The simulated plant
 * runs in this process and keeps running through the kill, so the faults and conditions stay as they
 * were: alerts change after the restart only through events that new data causes. (A condition that
 * clears while the box is down is not covered: the rule layer reports only changes from "inactive",
 * so after a restart such an alert stays active until its condition comes and goes again.)
 */
describe('SIGKILL of the box mid-stream, then restart on the same data folder', { timeout: 120_000 }, () => {
  const folder = tempFolder('edge-sigkill');
  const clients: WsTestClient[] = [];
  let plant: SimulatorsHandle;
  let configFile: string;
  let box: EdgeBoxProcess;
  let token: string;

  /** Before the kill. */
  let before: AlertList;
  let beforeDetails: Map<number, { alert: Alert; events: AlertEvent[] }>;
  const ids = new Map<string, number>();
  let acknowledged: ActionAnswer;
  let shelved: ActionAnswer;
  const answeredComments: AlertEvent[] = [];
  /** What a console client following the alerts received up to the kill. */
  let seenBeforeKill: AlertEvent[];
  let firstStartMs: number;
  let restartMs: number;

  async function api<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${box.consoleUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function logIn(): Promise<void> {
    const response = await fetch(`${box.consoleUrl}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'operator', password: 'operator-demo' }),
    });
    expect(response.status).toBe(200);
    token = ((await response.json()) as { token: string }).token;
  }

  async function follow(afterEventId?: number): Promise<WsTestClient> {
    const client = await WsTestClient.connect(box.consoleUrl, { token });
    clients.push(client);
    client.send({ type: 'subscribe.alerts', ...(afterEventId === undefined ? {} : { afterEventId }) });
    await client.next((m) => m.type === 'alerts.live', 'alerts.live', { timeoutMs: 20_000 });
    return client;
  }

  function alertEvents(client: WsTestClient): AlertEvent[] {
    return client.ofType('alert.event').map((m: Message) => m['event'] as AlertEvent);
  }

  /** The id of the alert on `conditionId` once it is active-unacked: in the client's snapshot or a later event. */
  async function annunciated(client: WsTestClient, conditionId: string): Promise<number> {
    const matches = (alert: Alert | null) => alert?.conditionId === conditionId && alert.state === 'active-unacked';
    const message = await client.next(
      (m) => (m.type === 'alert.event' && matches(m['event'].alert)) || (m.type === 'alerts.snapshot' && (m['alerts'] as Alert[]).some(matches)),
      `an alert on ${conditionId}`,
      { timeoutMs: 30_000 },
    );
    return message.type === 'alert.event' ? (message['event'] as AlertEvent).alertId! : (message['alerts'] as Alert[]).find(matches)!.id;
  }

  async function storedEvents(after: number): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (let page: EventPage | undefined; page === undefined || page.hasMore; ) {
      page = await api<EventPage>('GET', `/api/alert-events?after=${events.at(-1)?.id ?? after}&limit=1000`);
      expect(page.resync).toBe(false);
      events.push(...page.events);
    }
    return events;
  }

  beforeAll(async () => {
    const plcPort = await freePort();
    const mqttPort = await freePort();
    configFile = await writeDemoBoxConfig(folder.path, path.join(folder.path, 'box-data'), { plcPort, mqttPort });
    // Both start at once: the box retries the PLC until it listens, the plant's sensors the box's broker.
    const [started, simulated] = await Promise.allSettled([
      startEdgeBox(configFile),
      startSimulators({
        plcPort,
        host: '127.0.0.1',
        mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
        mqttConnectTimeoutMs: 100,
        seed: 1,
        pkiFolder: path.join(folder.path, 'plant-pki'),
        logger: silentLogger,
      }).then((simulators) => {
        injectSteadyFaults(simulators);
        return simulators;
      }),
    ]);
    if (simulated.status === 'fulfilled') plant = simulated.value;
    if (started.status === 'fulfilled') box = started.value;
    for (const result of [started, simulated]) if (result.status === 'rejected') throw result.reason;
    firstStartMs = box.startMs;
    await logIn();
    const watcher = await follow();
    ids.set(RETURNED, await annunciated(watcher, RETURNED));
    plant.controls.clearFaults('conveyor-02', 'bearing-wear'); // its off-delay runs while the operator works
    for (const condition of [ACKED, SHELVED, COMMENTED]) ids.set(condition, await annunciated(watcher, condition));

    acknowledged = await api<ActionAnswer>('POST', `/api/alerts/${ids.get(ACKED)}/acknowledge`, { comment: 'bearing noise confirmed on the round' });
    shelved = await api<ActionAnswer>('POST', `/api/alerts/${ids.get(SHELVED)}/shelve`, { reason: 'coolant sensor cable being replaced', durationSeconds: 3600 });
    answeredComments.push((await api<ActionAnswer>('POST', `/api/alerts/${ids.get(COMMENTED)}/comment`, { text: 'belt tension checked' })).event);
    await watcher.next((m) => m.type === 'alert.event' && m['event'].alertId === ids.get(RETURNED) && m['event'].toState === 'rtn-unacked', `${RETURNED} returning to normal`, { timeoutMs: 30_000 });

    before = await api<AlertList>('GET', '/api/alerts');
    beforeDetails = new Map();
    for (const alert of before.alerts) beforeDetails.set(alert.id, await api('GET', `/api/alerts/${alert.id}`));

    // The kill lands while an operator writes comments and telemetry streams into history: a burst of
    // comments is on its way, some answered, some perhaps written but not answered, some not yet read.
    for (let i = 1; i <= 3; i++) answeredComments.push((await api<ActionAnswer>('POST', `/api/alerts/${ids.get(COMMENTED)}/comment`, { text: `note ${i}` })).event);
    const burst = Array.from({ length: BURST }, (_, i) => api<ActionAnswer>('POST', `/api/alerts/${ids.get(COMMENTED)}/comment`, { text: `burst ${i + 1}` }).catch(() => undefined));
    await Promise.race(burst);
    await box.kill();
    for (const answer of await Promise.all(burst)) if (answer) answeredComments.push(answer.event);
    await watcher.closed;
    seenBeforeKill = alertEvents(watcher);

    box = await startEdgeBox(configFile);
    restartMs = box.startMs;
    await logIn();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await box?.stop();
    await plant?.stop();
    folder.remove();
  }, 60_000);

  it('keeps every alert: state, acknowledgement, shelving and its expiry, comments', async () => {
    const after = await api<AlertList>('GET', '/api/alerts');
    for (const { alert: was, events: wasEvents } of beforeDetails.values()) {
      const now = await api<{ alert: Alert; events: AlertEvent[] }>('GET', `/api/alerts/${was.id}`);
      const later = now.events.filter((event) => event.id > before.latestEventId);
      for (const event of later) {
        const operatorComment = event.type === 'commented' && event.who === 'operator' && event.alertId === ids.get(COMMENTED);
        expect(operatorComment || (DATA_DRIVEN.has(event.type) && event.who === 'system'), `alert ${was.id} (${was.conditionId}) changed after the kill by ${JSON.stringify(event)}`).toBe(true);
      }
      // Unchanged, or exactly what its later events made of it.
      expect(now.alert).toEqual(later.at(-1)?.alert ?? was);
      expect(now.events.slice(0, wasEvents.length)).toEqual(wasEvents);
      expect(now.alert.acknowledged).toEqual(was.acknowledged);
      expect(now.alert.shelved).toEqual(was.shelved);
    }
    // An open alert that was not open before is a new one, activated by new data.
    const newIds = after.alerts.filter((alert) => !beforeDetails.has(alert.id)).map((alert) => alert.id);
    for (const id of newIds) {
      const { events } = await api<{ events: AlertEvent[] }>('GET', `/api/alerts/${id}`);
      expect(events[0]).toMatchObject({ type: 'activated', who: 'system' });
      expect(events[0]!.id).toBeGreaterThan(before.latestEventId);
    }

    // The four the operator worked on, in the states they were left in (their faults held throughout).
    const state = (condition: string) => after.alerts.find((alert) => alert.id === ids.get(condition));
    expect(state(ACKED)).toMatchObject({ state: 'active-acked', acknowledged: { by: 'operator', at: acknowledged.alert.acknowledged!.at, comment: 'bearing noise confirmed on the round' } });
    expect(state(SHELVED)).toMatchObject({ state: 'shelved', conditionActive: true, shelved: { by: 'operator', until: shelved.alert.shelved!.until, reason: 'coolant sensor cable being replaced' } });
    expect(state(COMMENTED)).toMatchObject({ state: 'active-unacked', acknowledged: null });
    expect(state(RETURNED)).toMatchObject({ state: 'rtn-unacked', conditionActive: false });
    const { events } = await api<{ events: AlertEvent[] }>('GET', `/api/alerts/${ids.get(COMMENTED)}`);
    const comments = events.filter((event) => event.type === 'commented');
    // Every comment the box answered is there; of those it never answered, any or none.
    for (const answered of answeredComments) expect(comments).toContainEqual(answered);
    expect(comments.length).toBeLessThanOrEqual(1 + 3 + BURST);
    console.info(`[sigkill box] alerts across the kill: ${before.alerts.length} open before (${summary(before.alerts)}), ${after.alerts.length} after (${summary(after.alerts)}); ${newIds.length} new; console answering ${Math.round(firstStartMs)} ms after the first start, ${Math.round(restartMs)} ms after the restart`);
  });

  it('continues the event ids without a gap or reuse: every event a client saw before the kill is stored as it was', async () => {
    const stored = await storedEvents(0);
    expect(stored.map((event) => event.id)).toEqual(stored.map((_, i) => i + 1));
    const burstStored = stored.filter((event) => event.comment?.startsWith('burst ')).length;
    const burstAnswered = answeredComments.filter((event) => event.comment?.startsWith('burst ')).length;
    console.info(`[sigkill box] events across the kill: ${seenBeforeKill.length} received live before it (last id ${seenBeforeKill.at(-1)?.id}), ${stored.length} stored after the restart; of ${BURST} comments in flight at the kill ${burstAnswered} answered, ${burstStored} stored`);
    const byId = new Map(stored.map((event) => [event.id, event]));
    expect(seenBeforeKill.map((event) => event.id)).toEqual(expect.arrayContaining([acknowledged.event.id, shelved.event.id]));
    expect(seenBeforeKill.map((event) => event.id)).toEqual(seenBeforeKill.map((_, i) => seenBeforeKill[0]!.id + i));
    for (const event of seenBeforeKill) expect(byId.get(event.id)).toEqual(event);
    for (const event of answeredComments) expect(byId.get(event.id)).toEqual(event);
  });

  it('still holds the acknowledgement and the shelving in the audit log', async () => {
    const { entries: acks } = await api<{ entries: AuditEntry[] }>('GET', `/api/audit?action=alert.acknowledge&target=alert/${ids.get(ACKED)}`);
    expect(acks).toEqual([expect.objectContaining({ user: 'operator', outcome: 'ok', detail: `event ${acknowledged.event.id}: active-unacked -> active-acked` })]);
    const { entries: shelvings } = await api<{ entries: AuditEntry[] }>('GET', `/api/audit?action=alert.shelve&target=alert/${ids.get(SHELVED)}`);
    expect(shelvings).toEqual([expect.objectContaining({ user: 'operator', outcome: 'ok', detail: `event ${shelved.event.id}: active-unacked -> shelved` })]);
  });

  it('gives a client resuming from the last event it saw every later event, then the live ones, none missed', async () => {
    const lastSeen = seenBeforeKill.at(-1)!.id;
    const resumed = await follow(lastSeen);
    expect(resumed.ofType('alerts.snapshot')).toEqual([]);
    const live = resumed.ofType('alerts.live')[0]!;
    const replayed = alertEvents(resumed);
    expect(live['replayed']).toBe(replayed.length);
    expect(replayed).toEqual(await storedEvents(lastSeen).then((events) => events.filter((event) => event.id <= live['latestEventId'])));

    const { event: comment } = await api<ActionAnswer>('POST', `/api/alerts/${ids.get(COMMENTED)}/comment`, { text: 'after the restart' });
    expect(comment.id).toBeGreaterThan(Math.max(lastSeen, ...answeredComments.map((event) => event.id)));
    await resumed.next((m) => m.type === 'alert.event' && m['event'].id === comment.id, 'the comment after the restart, live');
    const received = alertEvents(resumed).map((event) => event.id);
    expect(received).toEqual(received.map((_, i) => lastSeen + 1 + i));
  });
});

/**
 * Four conditions, each held steady by its fault for as long as the test runs, well clear of its limit
 * and deadband (simulators/MACHINES.md): the pump's vibration_de at 5.2–5.6 mm/s against 4.5, the conveyors' at
 * 3.4–3.6 against 2.8, a coolant sensor that reads nothing at all.
 */
function injectSteadyFaults(plant: SimulatorsHandle): void {
  plant.controls.inject({ machine: 'pump-01', fault: 'bearing-wear', severity: 0.7, rampSeconds: 0 });
  plant.controls.inject({ machine: 'spindle-01', fault: 'sensor-dropout', signal: 'coolant_temp', severity: 1, rampSeconds: 0 });
  plant.controls.inject({ machine: 'conveyor-01', fault: 'bearing-wear', severity: 0.7, rampSeconds: 0 });
  plant.controls.inject({ machine: 'conveyor-02', fault: 'bearing-wear', severity: 0.7, rampSeconds: 0 });
}

function summary(alerts: readonly Alert[]): string {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.state, (counts.get(alert.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

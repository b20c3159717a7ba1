import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/logger.js';
import { withDemoOverrides } from '../../../edge/cli/demo-command.js';
import { loadConfigFile } from '../../../edge/config/load-config.js';
import { EdgeRuntime } from '../../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE, PACKAGE_ROOT } from '../../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../../simulators/run-simulators.js';
import { SimControlClient } from '../../../simulators/sim-control-client.js';
import { freePort } from '../../support/free-port.js';
import { tempFolder } from '../../support/temp-folder.js';
import { buildConsolePage } from './support/build-page.js';
import { launchChromium, openConsole, pageErrors, signIn, tabletContext } from './support/chromium.js';
import { CuttableProxy } from './support/cuttable-proxy.js';

const ARTIFACTS = path.join(PACKAGE_ROOT, 'test-artifacts', 'console-web');
const CONDITION = 'pump-01/limit/vibration_de.high';
const SPEED = 10;

/**
 * The operator console in real Chromium against the demo plant as `npm start` runs it (simulators,
 * gateway, rules, alerts, console on loopback): what a person on the shop floor does with it.
 */
describe('the console page in a browser', () => {
  const data = tempFolder('console-web');
  let edge: EdgeRuntime;
  let simulators: SimulatorsHandle;
  let browser: Browser;
  let proxy: CuttableProxy;
  /** The operator, whose network the tests cut: through the proxy. */
  let operator: Page;
  /** A maintenance user in a second browser session, straight to the console. */
  let maintenance: Page;

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const alertRow = (page: Page): Locator => page.locator(`[data-testid=alert-list] [data-condition="${CONDITION}"]`);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const plcPort = await freePort();
    const config = {
      ...withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: 3, speed: SPEED, plcPort, mqttPort: 0, consolePort: 0, dataDir: data.path }),
      statusIntervalSeconds: 0,
    };
    const [, started, launched] = await Promise.all([
      buildConsolePage(),
      EdgeRuntime.create(config, silentLogger),
      launchChromium(),
    ]);
    edge = started;
    browser = launched;
    simulators = await startSimulators({ plcPort, mqttUrl: edge.brokerUrl!, seed: 3, speed: SPEED, pkiFolder: `${data.path}/pki/simulator`, logger: silentLogger });
    await edge.startSources();
    const consoleUrl = new URL(edge.console!.url);
    proxy = await CuttableProxy.start({ host: consoleUrl.hostname, port: Number(consoleUrl.port) });
    [operator, maintenance] = await Promise.all([
      tabletContext(browser).then((context) => signIn(context, proxy.url, 'operator')),
      tabletContext(browser).then((context) => signIn(context, edge.console!.url, 'maintenance')),
    ]);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await edge?.stop();
    await simulators?.stop();
    data.remove();
  });

  it('shows an injected fault\'s alert live; the operator acknowledges it after a confirmation; a second session sees it and the audit log has it', async () => {
    const control = await SimControlClient.connect({ endpoint: simulators.plcEndpoint, pkiFolder: `${data.path}/pki/control`, timeoutMs: 30_000 });
    try {
      await control.inject('pump-01', 'bearing-wear', { severity: 0.8 });
    } finally {
      await control.close();
    }
    for (const page of [operator, maintenance]) {
      await alertRow(page).waitFor({ timeout: 30_000 });
      await expect.poll(() => alertRow(page).getAttribute('data-state')).toBe('active-unacked');
    }
    await expect.poll(() => alertRow(operator).textContent()).toMatch(/vibration_de [\d.]+ mm\/s — above its high limit 4\.5 mm\/s/);
    expect(await operator.getByTestId('unacked-count').textContent()).not.toBe('0');
    await shot(operator, 'alerts-unacknowledged');

    await alertRow(operator).locator('button[data-action=acknowledge]').click();
    const dialog = operator.locator('dialog[open]');
    await expect.poll(() => dialog.locator('.dialog-title').textContent()).toBe('Acknowledge this alert?');
    const effects = await dialog.getByTestId('effects').innerText();
    expect(effects).toContain('stays in the list as acknowledged while the condition lasts');
    expect(effects).toContain('Recorded in the audit log as operator.');
    expect(await dialog.locator('.dialog-alert').innerText()).toContain('vibration_de');
    await dialog.locator('textarea').fill('bearing noise, maintenance informed');
    await shot(operator, 'acknowledge-confirmation');
    await dialog.locator('button[data-action=confirm]').click();
    await dialog.waitFor({ state: 'detached' });

    for (const page of [operator, maintenance]) {
      await expect.poll(() => alertRow(page).getAttribute('data-state')).toBe('active-acked');
      await expect.poll(() => alertRow(page).getByTestId('alert-state').textContent()).toMatch(/^Active — acknowledged by operator at \d\d:\d\d:\d\d$/);
    }
    expect(await alertRow(operator).locator('button[data-action=acknowledge]').count()).toBe(0);
    await shot(maintenance, 'alerts-acknowledged-second-session');

    await operator.locator('a[data-nav=audit]').click();
    const entry = operator.locator('[data-testid=audit-table] tr[data-action="alert.acknowledge"]').first();
    await entry.waitFor();
    expect(await entry.innerText()).toMatch(/operator\s+Acknowledge alert\s+alert\/\d+\s+done/);
    await shot(operator, 'audit-log');
  });

  it('refuses a wrong password plainly, then lets a viewer see the alert and its signals but offers no action', async () => {
    const viewer = await openConsole(await tabletContext(browser), edge.console!.url);
    const form = viewer.getByTestId('login-form');
    await form.locator('input[name=username]').fill('viewer');
    await form.locator('input[name=password]').fill('not-the-password');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.getByRole('alert').innerText()).toBe('Wrong user name or password.');
    await shot(viewer, 'login-refused');
    await form.locator('input[name=password]').fill('viewer-demo');
    await form.locator('button[type=submit]').click();
    await viewer.locator('[data-testid=connection][data-state=live]').waitFor();
    expect(await viewer.getByTestId('user').innerText()).toMatch(/^viewer\s+viewer$/);
    await alertRow(viewer).waitFor();
    expect(await viewer.getByTestId('read-only-note').innerText()).toBe('View only: your role (viewer) cannot acknowledge or shelve alerts.');
    expect(await alertRow(viewer).locator('button[data-action]').count()).toBe(0);
    await alertRow(viewer).locator('.alert-text').click();
    const detail = viewer.locator('.alert-detail-view');
    await detail.locator('[data-signal="pump-01/vibration_de"] canvas').first().waitFor();
    await detail.locator('[data-testid=alert-history] tr[data-event-type=acknowledged]').waitFor();
    expect(await detail.locator('button[data-action]').count()).toBe(0);
    await shot(viewer, 'alert-detail-viewer');
    await viewer.getByTestId('logout').click();
    await viewer.getByTestId('login-form').waitFor();
    await viewer.reload();
    await viewer.getByTestId('login-form').waitFor();
    expect(pageErrors(viewer)).toEqual([]);
    await viewer.context().close();
  });

  it('switches to Chinese and back at any time, remembered by the browser', async () => {
    const page = maintenance;
    await page.locator('a[data-nav=alerts]').click();
    await alertRow(page).waitFor();
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.locator('a[data-nav=alerts]').innerText()).toMatch(/^报警/);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await alertRow(page).locator('.alert-text').innerText()).toMatch(/vibration_de [\d.]+ mm\/s — 高于高限 4\.5 mm\/s/);
    expect(await alertRow(page).locator('.priority-chip').innerText()).toBe('中');
    await page.reload();
    await page.locator('[data-testid=connection][data-state=live]').waitFor();
    expect(await page.getByTestId('connection').innerText()).toBe('实时');
    await alertRow(page).waitFor();
    await shot(page, 'alerts-chinese');
    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.locator('a[data-nav=alerts]').innerText()).toMatch(/^Alerts/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('shows every machine with its status, and a machine with live charts and its anomaly score', async () => {
    const page = operator;
    await page.locator('a[data-nav=machines]').click();
    await expect.poll(() => page.locator('.machine-card').count()).toBe(6);
    const pump = page.locator('.machine-card[data-asset=pump-01]');
    await expect.poll(() => pump.getByTestId('machine-status').innerText()).toBe('Running');
    // The worn bearing's limit alert, and the model's.
    expect(await pump.locator('.alert-badge').innerText()).toContain('2 open alerts');
    await pump.click();
    const view = page.locator('.machine-view[data-asset=pump-01]');
    await expect.poll(() => view.locator('.signal-grid .signal-panel').count()).toBe(14);
    await expect.poll(() => view.getByTestId('anomaly-panel').innerText()).toContain('Model centrifugal-pump: active');
    await view.locator('[data-testid=anomaly-panel] .signal-panel[data-signal="pump-01/anomaly_score"] canvas').first().waitFor();
    const vibration = view.locator('.signal-panel[data-signal="pump-01/vibration_de"] .value-number');
    const first = await vibration.innerText();
    await expect.poll(() => vibration.innerText(), { timeout: 10_000 }).not.toBe(first);
    await expect.poll(() => view.locator('.signal-panel[data-signal="pump-01/vibration_de"] .signal-value').getAttribute('data-state')).toBe('beyond-limit');
    await shot(page, 'machine-pump-01');
  });

  it("answers a question in the chat panel through the demo's assistant (offline: no language model), citing manual sections", async () => {
    const page = operator;
    await page.getByTestId('chat-toggle').click();
    const panel = page.getByTestId('chat-panel');
    await panel.locator('textarea').fill('Why is pump-01 vibrating?');
    await panel.locator('button[type=submit]').click();
    await panel.locator('.chat-answer[data-status=complete]').waitFor();
    const answer = panel.locator('.chat-answer').last();
    expect((await answer.innerText()).length).toBeGreaterThan(40);
    const manual = answer.locator('.chat-card[data-kind=manual]').first();
    await manual.waitFor();
    expect(await manual.getByTestId('section-id').innerText()).toMatch(/^[A-Z]+-[A-Z]+-\d+/);
    expect(pageErrors(page)).toEqual([]);
    await shot(page, 'chat-offline-assistant');
    await page.getByTestId('chat-toggle').click();
  });

  it('marks values stale when the connection is lost, reconnects on its own and resumes the alert events it missed', async () => {
    const page = operator;
    const sent: string[] = [];
    page.on('websocket', (socket) => socket.on('framesent', (frame) => sent.push(String(frame.payload))));
    const value = page.locator('.signal-panel[data-signal="pump-01/flow"] .signal-value');
    await expect.poll(() => value.getAttribute('data-state')).toBe('ok');

    proxy.cut();
    await page.getByTestId('connection-banner').waitFor();
    expect(await page.getByTestId('connection-banner').innerText()).toMatch(/^Connection lost — reconnecting/);
    await expect.poll(() => value.getAttribute('data-state')).toBe('stale');
    await shot(page, 'connection-lost');

    // meanwhile, in the other session: shelve the alert for two hours, with a reason
    await maintenance.locator('a[data-nav=alerts]').click();
    await alertRow(maintenance).locator('button[data-action=shelve]').click();
    const dialog = maintenance.locator('dialog[open]');
    await dialog.locator('label.segment', { hasText: '2 hours' }).click();
    expect(await dialog.locator('button[data-action=confirm]').isDisabled()).toBe(true);
    await dialog.locator('.quick-reasons button', { hasText: 'Known fault, maintenance planned' }).click();
    expect(await dialog.getByTestId('effects').innerText()).toMatch(/Hidden from the alert list until .* \(2 hours\)/);
    await shot(maintenance, 'shelve-confirmation');
    await dialog.locator('button[data-action=confirm]').click();
    await dialog.waitFor({ state: 'detached' });
    await alertRow(maintenance).waitFor({ state: 'detached' });

    proxy.restore();
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 20_000 });
    await expect.poll(() => value.getAttribute('data-state')).toBe('ok');
    expect(sent.some((frame) => /"type":"subscribe\.alerts","afterEventId":\d+/.test(frame))).toBe(true);
    await page.locator('a[data-nav=alerts]').click();
    await page.locator('.alerts-view').waitFor();
    expect(await alertRow(page).count()).toBe(0);
    await page.locator('a[data-nav=suppressed]').click();
    const shelved = page.locator(`[data-testid=suppressed-list] [data-condition="${CONDITION}"]`);
    await shelved.waitFor();
    expect(await shelved.getByTestId('alert-state').innerText()).toMatch(/^Shelved by maintenance until .*: Known fault, maintenance planned · condition active$/);
    expect(await shelved.locator('button[data-action=unshelve]').count()).toBe(1);
    await shot(page, 'suppressed');
    expect(pageErrors(operator)).toEqual([]);
    expect(pageErrors(maintenance)).toEqual([]);
  });
});

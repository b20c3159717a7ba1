import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../edge/package-paths.js';
import { tempFolder } from '../../support/temp-folder.js';
import { ConsoleHarness, PASSWORD } from '../console/fixtures/console-harness.js';
import { ANSWER_TOKENS, ScriptedAssistant } from '../console/fixtures/scripted-assistant.js';
import { buildConsolePage } from './support/build-page.js';
import { launchChromium, openConsole, pageErrors, tabletContext } from './support/chromium.js';

const ARTIFACTS = path.join(PACKAGE_ROOT, 'test-artifacts', 'console-web');
const CONDITION = 'pump-01/limit/vibration_de.high';

/**
 * The assistant's chat panel in real Chromium, against the console on loopback with a scripted
 * assistant: an escalation arrives unasked, a question streams its answer with a cited manual section,
 * the operator confirms the action it proposes and sees the outcome, and follows up the escalation.
 */
describe('the assistant in the console page', () => {
  const web = tempFolder('console-web-build');
  let harness: ConsoleHarness;
  let assistant: ScriptedAssistant;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  async function signIn(user: string): Promise<Page> {
    const signedIn = await openConsole(await tabletContext(browser), harness.url);
    await signedIn.locator('input[name=username]').fill(user);
    await signedIn.locator('input[name=password]').fill(PASSWORD(user));
    await signedIn.locator('form[data-testid=login-form] button[type=submit]').click();
    await signedIn.locator('[data-testid=connection][data-state=live]').waitFor();
    return signedIn;
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [, launched] = await Promise.all([buildConsolePage(web.path), launchChromium()]);
    browser = launched;
    harness = await ConsoleHarness.start({ webRoot: web.path });
    assistant = new ScriptedAssistant({ alerts: harness.alerts, tokenPauseMs: 150 });
    harness.server.attachAssistant(assistant);
    harness.report(CONDITION, true, { message: 'vibration_de 6.1 mm/s above its high limit 4.5 mm/s', details: { value: 6.1, limit: 4.5 } });
    page = await signIn('operator');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
    web.remove();
  });

  const alertId = () => harness.alerts.list().find((alert) => alert.conditionId === CONDITION)!.id;

  it('shows an escalation that arrives unasked, with a mark on the assistant button', async () => {
    await page.locator(`[data-testid=alert-list] [data-condition="${CONDITION}"]`).waitFor();
    assistant.escalate(alertId());
    await page.getByTestId('chat-badge').filter({ hasText: '1' }).waitFor();
    await page.getByTestId('chat-toggle').click();
    const escalation = page.getByTestId('chat-escalations').getByTestId('escalation');
    await escalation.waitFor();
    expect(await escalation.innerText()).toContain(`Alert ${alertId()}: drive-end vibration above its limit`);
    await escalation.getByTestId('follow-up').waitFor();
    expect(await escalation.locator('.chat-text strong').innerText()).toBe(`Alert ${alertId()}`);
    await page.getByTestId('chat-badge').waitFor({ state: 'hidden' });
  });

  it('streams the answer to a question, with the manual section it cites', async () => {
    const panel = page.getByTestId('chat-panel');
    await panel.locator('textarea').fill(`Why does pump-01 vibrate? Should I acknowledge alert ${alertId()}?`);
    await panel.locator('textarea').press('Enter');
    // text shows while the answer is still streaming
    await panel.locator('.chat-answer[data-status=streaming] .chat-text').waitFor();
    await panel.locator('.chat-answer[data-status=complete]').waitFor();
    const answer = panel.locator('.chat-answer').last();
    expect(await answer.locator('.chat-text').innerText()).toBe(ANSWER_TOKENS.join(''));
    const manual = answer.locator('.chat-card[data-kind=manual]');
    expect(await manual.locator('.chat-card-title').innerText()).toBe('[M1] High vibration at the drive end');
    expect(await manual.locator('[data-testid=section-id]').innerText()).toBe('T-PUMP-01');
    expect(await manual.innerText()).toContain('Centrifugal pump CP-200 › Troubleshooting › High vibration at the drive end');
  });

  it('shows the exact action proposed, runs it on Confirm and shows the outcome', async () => {
    const action = page.getByTestId('chat-panel').locator('.chat-card[data-kind=action]').last();
    const id = alertId();
    const text = await action.innerText();
    expect(text).toContain(`Acknowledge alert ${id} with the comment "acknowledged through the assistant"`);
    expect(text).toMatch(new RegExp(`alertId\\s+${id}`));
    const confirm = action.getByTestId('action-confirm');
    const box = (await confirm.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(48);
    // the picture in the README: a desktop, so the answer, its source and the proposal fit
    await page.setViewportSize({ width: 1600, height: 1100 });
    await action.scrollIntoViewIfNeeded();
    await shot('chat-assistant');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(harness.alerts.get(id)!.alert.state).toBe('active-unacked');

    await confirm.click();
    const outcome = action.getByTestId('action-outcome');
    await outcome.waitFor();
    expect(await outcome.innerText()).toBe(`Done: alert ${id} acknowledged`);
    expect(harness.alerts.get(id)!.alert.acknowledged).toMatchObject({ by: 'operator' });
    // the alert list follows through the alert events
    await page.locator(`[data-testid=alert-list] [data-condition="${CONDITION}"][data-state=active-acked]`).waitFor();
    expect(harness.audit.list({ action: 'assistant.action.approve', user: 'operator' })).toHaveLength(1);
    await shot('chat-action-done');
  });

  it("follows up an escalation in the alert's thread, and lists the user's conversations", async () => {
    const panel = page.getByTestId('chat-panel');
    await panel.getByTestId('chat-escalations').getByTestId('follow-up').click();
    const thread = panel.getByTestId('chat-log').getByTestId('escalation');
    await thread.waitFor();
    expect(await thread.locator('[data-testid=section-id]').innerText()).toBe('T-PUMP-01');
    expect(await panel.getByTestId('chat-escalations').getByTestId('escalation').count()).toBe(0);
    await panel.locator('textarea').fill('What do I check first?');
    await panel.locator('textarea').press('Enter');
    await panel.locator('.chat-answer[data-status=complete]').waitFor();
    expect(assistant.asked.at(-1)).toMatchObject({ user: 'operator', conversationId: `alert:${alertId()}`, text: 'What do I check first?' });

    await panel.getByTestId('chat-history').locator('summary').click();
    const items = panel.locator('.chat-history-item');
    await items.filter({ hasText: 'What do I check first?' }).waitFor();
    await items.filter({ hasText: 'Why does pump-01 vibrate?' }).click();
    await panel.locator('.chat-question', { hasText: 'Why does pump-01 vibrate?' }).waitFor();
    expect(await panel.locator('.chat-question').count()).toBe(1);
    await shot('chat-follow-up');
    expect(pageErrors(page)).toEqual([]);
  });

  it('shows a viewer the proposal but no buttons to decide it', async () => {
    const viewer = await signIn('viewer');
    await viewer.getByTestId('chat-toggle').click();
    const panel = viewer.getByTestId('chat-panel');
    await panel.locator('textarea').fill('Show the values, then draft a work order for the bearing');
    await panel.locator('textarea').press('Enter');
    const action = panel.locator('.chat-card[data-kind=action]');
    await action.waitFor();
    expect(await panel.locator('.chat-card[data-kind=values] tr').innerText()).toMatch(/vibration_de\s+5\.2 mm\/s\s+above high limit/);
    const finding = panel.locator('.chat-card[data-kind=finding]');
    expect(await finding.innerText()).toContain('Anomaly score 3.4, threshold 1');
    expect(await finding.locator('tr').innerText()).toMatch(/vibration_de\s+4\.9 mm\/s\s+62 % of the score\s+22 σ from normal/);
    expect(await action.getByTestId('action-confirm').count()).toBe(0);
    expect(await action.innerText()).toContain('Only an operator or above can confirm or decline it.');
    // in Chinese, the same conversation with its cards
    await viewer.getByTestId('language-switch').click();
    const translated = viewer.getByTestId('chat-panel').locator('.chat-card[data-kind=action]');
    await translated.getByText('只有操作员及以上角色可以确认或拒绝。').waitFor();
    expect(await translated.innerText()).toContain('起草工单');
    expect(await viewer.getByTestId('chat-panel').locator('.chat-card[data-kind=values] tr').innerText()).toContain('高于高限');
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'chat-viewer-zh.png') });
    expect(pageErrors(viewer)).toEqual([]);
  });

  it('says plainly that no assistant is attached when there is none', async () => {
    harness.server.attachAssistant(null);
    const panel = page.getByTestId('chat-panel');
    await panel.getByTestId('chat-new').click();
    await panel.locator('textarea').fill('Anyone there?');
    await panel.locator('textarea').press('Enter');
    await panel.locator('.chat-answer[data-status=unavailable]').waitFor();
    expect(await panel.locator('.chat-answer').innerText()).toContain('No assistant is attached to this console yet');
    await shot('chat-no-assistant');
  });
});

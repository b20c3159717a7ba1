import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, with nothing that reaches beyond loopback. Playwright gives every
 * launch a fresh temporary profile (it refuses a --user-data-dir of our own with launch()).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A 10-inch tablet in landscape, English unless told. */
export async function tabletContext(browser: Browser, locale = 'en-GB'): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, locale, timezoneId: 'UTC' });
}

const errors = new WeakMap<Page, string[]>();

/** Opens the console's login page, keeping the uncaught errors the page throws (`pageErrors`). */
export async function openConsole(context: BrowserContext, baseUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  errors.set(page, problems);
  await page.goto(baseUrl);
  await page.getByTestId('login-form').waitFor();
  return page;
}

/** Opens the console and signs in as a demo user (password "<name>-demo"); resolves once the page is live. */
export async function signIn(context: BrowserContext, baseUrl: string, user: string): Promise<Page> {
  const page = await openConsole(context, baseUrl);
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(`${user}-demo`);
  await page.locator('form[data-testid=login-form] button[type=submit]').click();
  await page.locator('[data-testid=connection][data-state=live]').waitFor();
  return page;
}

/** Uncaught errors the page threw so far. */
export function pageErrors(page: Page): string[] {
  const problems = errors.get(page);
  if (!problems) throw new Error('pageErrors: open the page with openConsole or signIn');
  return problems;
}

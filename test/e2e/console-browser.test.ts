import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiClient, createApiClient } from '../../cli/api-client.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { startScenarioStack } from '../../sandbox/run-scenario.ts';
import { sandboxSpec } from '../../sandbox/scenarios.ts';
import { SEED_TARGET, type Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';

const ID = 'sandbox/default/my-service';
/** An earlier rollout of the same VirtualService, checked twice and rolled back: it has charts. */
const EARLIER = 'sandbox/default/my-service-earlier';
const REASON = 'p99 doubled on the canary dashboards';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: Stack;
let api: ApiClient;
let browser: Browser;
let page: Page;
const weight = 10;
const pageErrors: string[] = [];

const until = async (what: string, done: () => Promise<boolean>, tick = false) => {
  const deadline = Date.now() + 90_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (tick) await stack.tick();
    await sleep(500);
  }
};

/**
 * Two rollouts of the seed VirtualService. The earlier one, every 5 s, is checked twice so
 * that its charts have points, then rolled back. The one the test acts on checks every 10
 * minutes, so it stays Progressing at 10% whatever the schedule does meanwhile.
 */
// The console's charts are drawn against a threshold; the sandbox's 1% errors stay above 95%.
const THRESHOLDS = { min: 95, max: 500 };

const rollouts = async (): Promise<void> => {
  await api.createRollout({
    ...sandboxSpec('5s', { thresholds: THRESHOLDS }),
    name: 'my-service-earlier',
  });
  await until(
    'two checks of the earlier rollout',
    async () => {
      const { rollout, entries } = await api.fullLedger(EARLIER);
      return entries.filter((e) => e.kind === 'check').length >= 2 && !rollout.pending;
    },
    true,
  );
  await api.action(EARLIER, 'rollback', { reason: 'make way for the real one' });
  await until('the earlier rollout to roll back', async () => {
    return (await api.getRollout(EARLIER)).rollout.phase === 'RolledBack';
  });
  await api.createRollout(sandboxSpec('10m', { thresholds: THRESHOLDS }));
  await until('the first step', async () => {
    const { rollout } = await api.getRollout(ID);
    return rollout.canaryWeight === 10 && !rollout.pending;
  });
};

beforeAll(async () => {
  stack = await startScenarioStack({
    scenario: 'healthy',
    dynamoEndpoint: inject('dynamoEndpoint'),
  });
  api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
  await rollouts();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  // Script errors and Content-Security-Policy refusals surface as console errors.
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  mkdirSync('test-results', { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the web console', () => {
  it('asks for the token, then lists the Progressing rollout with its weight', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByLabel('API token').fill(stack.apiToken);
    await page.getByRole('button', { name: 'Connect' }).click();
    const row = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: ID, exact: true }) });
    await row.getByText('Progressing', { exact: true }).waitFor();
    await row.getByText(`canary ${weight}% · primary ${100 - weight}%`).waitFor();
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe(
      `canary ${weight}%, primary ${100 - weight}%`,
    );
    await page.screenshot({ path: 'test-results/console-list.png', fullPage: true });
  });

  it('shows an earlier rollout with a chart per metric, canary against primary', async () => {
    await page.getByRole('link', { name: EARLIER, exact: true }).click();
    await page.locator('#detail-phase').getByText('RolledBack', { exact: true }).waitFor();
    await page
      .locator('#ledger')
      .getByText(/^Step 1 at 10%: success rate [\d.]+% (≥|<) 95% · p99 [\d.]+ ms (≤|>) 500 ms → /)
      .first()
      .waitFor();
    const charts = page.locator('#charts figure');
    await expect.poll(() => charts.count()).toBe(2);
    expect(await charts.nth(0).locator('svg').getAttribute('aria-label')).toMatch(
      /^Success rate across \d+ checks\. Latest: canary [\d.]+%, primary [\d.]+%; threshold at least 95%\.$/,
    );
    expect(await charts.nth(1).locator('path').count()).toBe(2); // canary and primary lines
    await page.screenshot({ path: 'test-results/console-charts.png', fullPage: true });
    await page.getByRole('link', { name: '← All rollouts' }).click();
    // Back in the list, the focus returns to the rollout that was open.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(EARLIER);
  });

  it('opens the rollout and reads the ledger in plain language', async () => {
    await page.getByRole('link', { name: ID, exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    const ledger = page.locator('#ledger');
    await ledger
      .getByText('Started by sandbox-operator ("rollout created") → first step at 10%')
      .waitFor();
    await ledger.getByText('Applied: primary 90% · canary 10% → Progressing').waitFor();
    await page.locator('#charts').getByText('No checks yet.').waitFor();
  });

  it('rolls back from a confirmation dialog that needs a reason and works with the keyboard', async () => {
    const rollback = page.getByRole('button', { name: 'Rollback', exact: true });
    await rollback.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reason');
    // Rollback has no "full" option: the promote checkbox stays out of sight.
    expect(await dialog.getByText('Promote fully, straight to 100%').isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rollback');

    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    // An empty reason is refused in the page; nothing is sent.
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('Reason (required)').fill(REASON);
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('shows RolledBack, the VirtualService has the canary at 0, and the ledger names who and why', async () => {
    await page
      .locator('#detail-phase')
      .getByText('RolledBack', { exact: true })
      .waitFor({ timeout: 30_000 });
    await page
      .locator('#ledger')
      .getByText(
        `Rollback requested at ${weight}% by sandbox-operator ("${REASON}") → roll back to 0%`,
      )
      .waitFor();
    await page
      .locator('#ledger')
      .getByText('Applied: primary 100% · canary 0% → RolledBack')
      .waitFor();

    const vs = await kubectlGetVirtualService(stack.emulator.kubeconfigPath);
    expect(currentWeights(vs, SEED_TARGET)).toEqual({ primary: 100, canary: 0 });
    // Every route that sent traffic to the canary sends it to the primary now, /v2 included.
    const toCanary = (vs.spec.http ?? []).flatMap((route) =>
      (route.route ?? []).filter(
        (r) => r.destination.host === 'my-service-v2' && (r.weight ?? 0) > 0,
      ),
    );
    expect(toCanary).toEqual([]);

    const { entries } = await api.fullLedger(ID);
    const action = entries.find((e) => e.kind === 'action');
    expect(action?.cause).toEqual({ type: 'operator', actor: 'sandbox-operator', reason: REASON });
    expect(await page.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);

    await page.screenshot({ path: 'test-results/console.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.screenshot({ path: 'test-results/console-narrow.png', fullPage: true });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiClient, createApiClient } from '../../cli/api-client.ts';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import type { DriftRecord } from '../../lib/domain/drift.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import { localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import { startScenarioStack } from '../../sandbox/run-scenario.ts';
import { sandboxSpec } from '../../sandbox/scenarios.ts';
import { SEED_TARGET, type Stack } from '../../sandbox/stack.ts';
import { kubectlGetVirtualService } from '../support/kubectl.ts';

const ID = 'sandbox/default/my-service';
/** An earlier rollout of the same VirtualService, checked twice and rolled back: it has charts. */
const EARLIER = 'sandbox/default/my-service-earlier';
const REASON = 'p99 doubled on the canary dashboards';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Screenshots go to a temporary directory, printed at the start: look at them, don't commit them. */
const SHOTS = mkdtempSync(join(tmpdir(), 'kanari-console-'));
const shot = (name: string) => join(SHOTS, `${name}.png`);

let stack: Stack;
let api: ApiClient;
let browser: Browser;
let page: Page;
const weight = 10;
const pageErrors: string[] = [];
const ZONED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+$/;

const until = async (what: string, done: () => Promise<boolean>, tick = false) => {
  const deadline = Date.now() + 90_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (tick) await stack.tick();
    await sleep(500);
  }
};

// The sandbox's 1% errors stay above 95% and its p99 below 500 ms; no p99 is below 1 ms.
const THRESHOLDS = { min: 95, max: 500 };
const FAILING = { min: 95, max: 1 };

/**
 * Three rollouts of the seed VirtualService, one after the other:
 * - my-service-earlier, every 5 s, checked twice (its charts have points), then rolled back;
 * - my-service revision 1, every 5 s, whose p99 bound of 1 ms fails every check: the
 *   analysis rolls it back;
 * - my-service revision 2, every 10 minutes, which stays Progressing at 10% for the test.
 */
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
  await api.createRollout(sandboxSpec('5s', { thresholds: FAILING }));
  await until(
    'revision 1 to fail its checks and roll back',
    async () => {
      const { rollout } = await api.getRollout(ID);
      return rollout.phase === 'RolledBack' && !rollout.pending;
    },
    true,
  );
  await api.createRollout(sandboxSpec('10m', { thresholds: THRESHOLDS }));
  await until('the first step of revision 2', async () => {
    const { rollout } = await api.getRollout(ID);
    return rollout.revision === 2 && rollout.canaryWeight === 10 && !rollout.pending;
  });
};

beforeAll(async () => {
  console.log(`console screenshots in ${SHOTS}`);
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
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const rowOf = (name: string) =>
  page.locator('#rollouts tr').filter({ has: page.getByRole('link', { name, exact: true }) });

describe('the web console', () => {
  it('logs in from a #token= link, strips the token from the address, and lists the rollouts', async () => {
    await page.goto(`${stack.apiUrl}/#token=${encodeURIComponent(stack.apiToken)}`);
    const row = rowOf('my-service');
    await row.getByText('Progressing', { exact: true }).waitFor();
    expect(page.url()).not.toContain(stack.apiToken);
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('kanari.token'))).toBe(stack.apiToken);
    await page.getByRole('status').getByText('Signed in from the link').waitFor();
    // Columns: name, cluster, namespace, phase, canary, revision, age.
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['my-service', 'sandbox', 'default']);
    expect(cells[4]).toBe(`canary ${weight}% · primary ${100 - weight}%`);
    expect(cells[5]).toBe('2 (1 earlier)');
    expect(cells[6]).toMatch(/^\d+[smhd]$/);
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe(
      `canary ${weight}%, primary ${100 - weight}%`,
    );
    // A past rollout is listed too.
    await rowOf('my-service-earlier').getByText('RolledBack', { exact: true }).waitFor();
    await page.screenshot({ path: shot('list'), fullPage: true });
  });

  it('searches by name and filters by cluster, namespace and phase', async () => {
    const names = () => page.locator('#rollouts a.name').allTextContents();
    await page.getByLabel('Name', { exact: true }).fill('earl');
    await expect.poll(names).toEqual(['my-service-earlier']);
    await page.getByLabel('Name', { exact: true }).fill('');
    await expect.poll(names).toEqual(['my-service', 'my-service-earlier']);
    await page.getByLabel('Phase').selectOption('Progressing');
    await expect.poll(names).toEqual(['my-service']);
    await page.getByLabel('Phase').selectOption('');
    await page.getByLabel('Namespace').fill('elsewhere');
    await expect.poll(names).toEqual([]);
    await page.getByText('No rollouts match.').waitFor();
    await page.getByLabel('Namespace').fill('default');
    await page.getByLabel('Cluster').fill('sandbox');
    await expect.poll(names).toEqual(['my-service', 'my-service-earlier']);
    await page.getByLabel('Cluster').fill('other-cluster');
    await expect.poll(names).toEqual([]);
    await page.getByLabel('Cluster').fill('');
    await page.getByLabel('Namespace').fill('');
    await expect.poll(names).toEqual(['my-service', 'my-service-earlier']);
  });

  it('shows an earlier rollout with the weight chart and a chart per metric (uPlot)', async () => {
    await page.getByRole('link', { name: 'my-service-earlier', exact: true }).click();
    await page.locator('#detail-phase').getByText('RolledBack', { exact: true }).waitFor();
    await page
      .locator('#ledger')
      .getByText(/^Step 1 at 10%: success rate [\d.]+% (≥|<) 95% · p99 [\d.]+ ms (≤|>) 500 ms → /)
      .first()
      .waitFor();
    const charts = page.locator('#charts figure');
    await expect.poll(() => charts.count()).toBe(3);
    await expect.poll(() => page.locator('#charts .uplot canvas').count()).toBe(3);
    expect(await charts.nth(0).locator('figcaption').textContent()).toMatch(
      /^Canary weight \(%\) and the step plan · time in \S+$/,
    );
    expect(await charts.nth(0).locator('.chart-summary').textContent()).toMatch(
      /^Canary weight over time, now 0%; plan 10, 20, 30, 40, 50 → 100; \d+ checks, 0 failed\.$/,
    );
    expect(await charts.nth(1).locator('.chart-summary').textContent()).toMatch(
      /^Success rate across \d+ checks: 0 failed, 0 no data\. Latest: canary [\d.]+%, primary [\d.]+%\. Threshold at least 95%\.$/,
    );
    // The time axis says its zone; the legend names the failed and no-data points.
    expect(await charts.nth(1).locator('figcaption').textContent()).toMatch(
      /^Success rate \(%\) · time in \S+$/,
    );
    await charts.nth(1).locator('.u-legend').getByText('failed check').waitFor();
    await charts.nth(1).locator('.u-legend').getByText('no data').waitFor();
    // The step plan: step 1 has its checks.
    await page
      .locator('#steps li')
      .first()
      .getByText(/^passed \d+ \/ failed 0 of \d+ checks$/)
      .waitFor();
    await page.screenshot({ path: shot('charts'), fullPage: true });
    await page.getByRole('link', { name: '← All rollouts' }).click();
    // Back in the list, the focus returns to the rollout that was open.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('my-service-earlier');
  });

  it('opens revision 2 with its step plan, countdown and the history of both revisions', async () => {
    await page.getByRole('link', { name: 'my-service', exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    const ledger = page.locator('#ledger');
    await ledger
      .getByText('Started by sandbox-operator ("rollout created") → first step at 10%')
      .waitFor();
    await ledger.getByText('Applied: primary 90% · canary 10% → Progressing').waitFor();
    for (const time of await ledger.locator('time').allTextContents()) expect(time).toMatch(ZONED);

    const current = page.locator('#steps li[aria-current="step"]');
    expect(await current.locator('.step-name').textContent()).toBe('Step 1 · 10%');
    await current.getByText('no checks yet').waitFor();
    await current.getByText(/next check in \d+ min \d+ s/).waitFor();
    await page
      .locator('#countdown')
      .getByText(/Next check in/)
      .waitFor();

    const history = page.locator('#revisions tr');
    await expect.poll(() => history.count()).toBe(2);
    expect(await history.nth(0).locator('td').nth(0).textContent()).toBe('Revision 2');
    await history.nth(0).getByText('Progressing', { exact: true }).waitFor();
    await history
      .nth(0)
      .getByText(/\(running\)$/)
      .waitFor();
    expect(await history.nth(1).locator('td').nth(0).textContent()).toBe('Revision 1');
    await history.nth(1).getByText('RolledBack', { exact: true }).waitFor();
    expect(await history.nth(1).locator('td').nth(3).textContent()).toMatch(/^\d+ (s|min \d+ s)$/);
    expect(await history.nth(1).locator('td.cause').textContent()).toMatch(/^analysis: .*fail/);
  });

  it('shows revision 1 with its failed checks standing out, in words as well as colour', async () => {
    // Polling redraws only what changed: a focused History button keeps the focus.
    const show = page.getByRole('button', { name: 'Show revision 1' });
    await show.focus();
    const updated = await page.locator('#updated').textContent();
    await expect
      .poll(() => page.locator('#updated').textContent(), { timeout: 10_000 })
      .not.toBe(updated);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Show revision 1',
    );
    await page.keyboard.press('Enter');
    await page.locator('#ledger-revision').getByText('(revision 1, newest first)').waitFor();
    const failed = page.locator('#ledger li.tone-fail');
    await expect.poll(() => failed.count()).toBeGreaterThanOrEqual(2);
    expect(await failed.first().locator('.marker').textContent()).toBe('✖ Failed check');
    expect(await failed.first().textContent()).toMatch(/p99 [\d.]+ ms > 1 ms/);
    const colour = await failed.first().evaluate((li) => getComputedStyle(li).backgroundColor);
    expect(colour).not.toBe('rgba(0, 0, 0, 0)');
    await page
      .locator('#ledger li.tone-rollback .marker')
      .getByText('↩ Rollback')
      .first()
      .waitFor();
    const latency = page.locator('#charts figure').nth(2);
    expect(await latency.locator('.chart-summary').textContent()).toMatch(
      /^p99 latency across (\d+) checks: [1-9]\d* failed, \d+ no data\. .* Threshold at most 1 ms\.$/,
    );
    await page.screenshot({ path: shot('revision-1'), fullPage: true });
    await page.getByRole('button', { name: 'Show revision 2' }).click();
    await page.locator('#ledger-revision').getByText('(revision 2, newest first)').waitFor();
  });

  it('rolls back from a dialog that needs a reason, offers no promote option, and works with the keyboard', async () => {
    const rollback = page.getByRole('button', { name: 'Rollback', exact: true });
    await rollback.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reason');
    // Only promote goes "straight to 100%": the Rollback dialog does not offer it.
    expect(await dialog.getByText('Promote fully, straight to 100%').isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rollback');

    // The Promote dialog does offer it.
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await dialog.getByText('Promote fully, straight to 100%').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await rollback.focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    // An empty reason is refused in the page; nothing is sent.
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('Reason (required)').fill(REASON);
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // A visible confirmation, read out as a status.
    const toast = page.getByRole('status');
    await toast.getByText(/^✔ Rollback requested: /).waitFor();
    expect(await toast.isVisible()).toBe(true);
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
    const action = entries.find((e) => e.kind === 'action' && e.revision === 2);
    expect(action?.cause).toEqual({ type: 'operator', actor: 'sandbox-operator', reason: REASON });
    expect(await page.getByRole('button', { name: 'Resume' }).isDisabled()).toBe(true);
    await page.screenshot({ path: shot('rolled-back'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('fits a narrow screen: no sideways scrolling, charts resized, login by form works', async () => {
    const narrow = await browser.newPage({ viewport: { width: 375, height: 800 } });
    narrow.on('pageerror', (error) => pageErrors.push(error.message));
    await narrow.goto(`${stack.apiUrl}/`);
    await narrow.getByLabel('API token').fill(stack.apiToken);
    await narrow.getByRole('button', { name: 'Connect' }).click();
    await narrow.getByRole('link', { name: 'my-service', exact: true }).waitFor();
    const overflow = () =>
      narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await narrow.screenshot({ path: shot('narrow-list'), fullPage: true });
    await narrow.getByRole('link', { name: 'my-service', exact: true }).click();
    await narrow.locator('#detail-phase').getByText('RolledBack', { exact: true }).waitFor();
    await narrow.getByRole('button', { name: 'Show revision 1' }).click();
    await expect.poll(() => narrow.locator('#charts .uplot canvas').count()).toBe(3);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const chartWidth = await narrow
      .locator('#charts .uplot')
      .first()
      .evaluate((node) => node.getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(375);
    await narrow.screenshot({ path: shot('narrow-detail'), fullPage: true });
    await narrow.close();
    expect(pageErrors).toEqual([]);
  });

  it('shows drift: what kanari applied, what the cluster has, and when it noticed', async () => {
    // Detecting drift is analyze's work; here the store gets what it records (state.drift and
    // a drift entry), and the console must show it, in the list, the detail and the ledger.
    const store = createDynamoRolloutStore({
      client: localDynamoClients(stack.dynamoEndpoint).dynamo,
      tableName: stack.tableName,
    });
    const state = await store.get(EARLIER);
    if (!state) throw new Error(`${EARLIER} is gone`);
    const drift: DriftRecord = {
      applied: { primary: 70, canary: 30 },
      observed: { primary: 100, canary: 0 },
      detectedAt: '2026-12-02T14:03:05.000Z',
      action: 'pause',
    };
    const next = { ...state, version: state.version + 1, drift };
    await store.commit(next, [
      {
        rolloutId: EARLIER,
        revision: state.revision,
        stateVersion: next.version,
        at: new Date().toISOString(),
        kind: 'drift',
        phase: state.phase,
        cause: { type: 'analysis' },
        drift,
        message: 'Drift: the VirtualService has primary 100% · canary 0%, kanari applied 70/30',
      },
    ]);
    await page.getByRole('link', { name: '← All rollouts' }).click();
    await rowOf('my-service-earlier').getByText('⚠ Drift').waitFor();
    await page.getByRole('link', { name: 'my-service-earlier', exact: true }).click();
    const banner = page.locator('#drift');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /^⚠ Drift: kanari applied 70\/30, cluster has 100\/0 \(primary\/canary\), noticed at 2026-12-02 \d{2}:\d{2}:05 \S+; the rollout is paused\.$/,
    );
    const entry = page.locator('#ledger li.tone-drift');
    await entry.locator('.marker').getByText('⚠ Drift').waitFor();
    expect(await entry.locator('.drift-line').textContent()).toMatch(
      /^kanari applied 70\/30, cluster has 100\/0 \(primary\/canary\), noticed at /,
    );
    await page.screenshot({ path: shot('drift'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

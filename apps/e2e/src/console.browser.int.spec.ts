import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { startApiServer } from './support/api-server';
import { createPipelineEnv } from './support/pipeline-env';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Records each status the run detail shows, in the page, as it changes. */
const WATCH_DETAIL_STATUS = `(() => {
  const seen = (window.seenStatuses = []);
  const detail = document.querySelector('#detail');
  new MutationObserver(() => {
    const status = detail.dataset.status;
    if (status && seen[seen.length - 1] !== status) seen.push(status);
  }).observe(detail, { attributes: true, attributeFilter: ['data-status'] });
})()`;

/** The web console driven like a person would, in Debian's headless Chromium, over real Kafka, registry and MongoDB. */
describe('web console in headless Chromium (real services)', () => {
  const pipeline = createPipelineEnv('it-console');
  const { logger } = pipeline;
  const token = `it-${randomBytes(12).toString('hex')}`;
  const artifacts = mkdtempSync(join(tmpdir(), 'etl-console-'));
  let connected: ConnectedRunControl;
  let app: FastifyInstance;
  let base: string;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // never skipped: a missing browser is a broken setup, and says how to fix it
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run npm run test:setup (npm test runs it first), or set CHROMIUM_PATH`);
    ({ connected } = await pipeline.start());
    ({ app, base } = await startApiServer({ control: connected.control, logger, token }));
    browser = await chromium.launchPersistentContext(join(artifacts, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => (msg.type() === 'error' ? pageErrors.push(`console: ${msg.text()}`) : undefined));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await pipeline.close();
  });

  const detailCount = (name: string) => page.locator(`#detail-counts tr[data-count="${name}"] td`);

  it('triggers a flights run from the form, follows it live to completed, shows counts and timings, and reruns it', async () => {
    await page.goto(base);
    // asked for before anything is loaded; entering it loads the page's data, every request carrying it
    await page.locator('#auth-prompt', { hasText: /needs a token/ }).waitFor({ timeout: 10_000 });
    await page.fill('#token', token);
    await page.locator('#auth-prompt').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.selectOption('#pipeline', 'flights');
    await page.fill('#params input[data-param="source"]', 'flights-2k.json');

    // every status the detail shows, as the page shows it (not what the test polls)
    // (page-side code as text: this project compiles without the DOM library)
    await page.evaluate(WATCH_DETAIL_STATUS);
    await page.click('#trigger-button');

    const detail = page.locator('#detail');
    await detail.locator('xpath=self::*[@data-run-id]').waitFor({ timeout: 15_000 });
    const runId = (await detail.getAttribute('data-run-id'))!;
    expect(runId).toMatch(/^flights-/);
    const row = page.locator(`#runs-table tr[data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 15_000 });

    await page.locator('#detail[data-status="completed"]').waitFor({ timeout: 120_000 });
    const seen = (await page.evaluate('window.seenStatuses')) as string[];
    expect(seen[0]).toMatch(/^(requested|running)$/);
    expect(seen.at(-1)).toBe('completed');

    await expect(detailCount('extracted').textContent()).resolves.toBe('2,000');
    await expect(detailCount('transformed').textContent()).resolves.toBe('2,000');
    await expect(detailCount('rejected').textContent()).resolves.toBe('0');
    await expect(detailCount('loaded').textContent()).resolves.toBe('2,000');
    for (const timing of ['requested', 'started', 'finished', 'total']) {
      expect(await page.locator(`#detail-timings tr[data-timing="${timing}"] td`).textContent()).not.toBe('–');
    }
    await page.locator(`#runs-table tr[data-run-id="${runId}"][data-status="completed"]`).waitFor({ timeout: 10_000 });
    expect(await row.locator('td[data-count="loaded"]').textContent()).toBe('2,000');
    expect(await page.locator('#detail-dlq-empty').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'console-completed.png'), fullPage: true });

    // rerun from transform: the detail goes back to running under generation 1 and completes again
    await page.click('#rerun-transform');
    await page.locator('#detail-facts dd[data-fact="generation"]', { hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    await page.locator('#detail[data-status="completed"]').waitFor({ timeout: 120_000 });
    const rerun = await connected.control.describeRun(runId);
    expect(rerun).toMatchObject({ status: 'completed', generation: 1, counts: { extracted: 2000, transformed: 2000, rejected: 0, loaded: 2000 } });
    await expect(detailCount('loaded').textContent()).resolves.toBe('2,000');
    expect(await page.locator('#detail-timings tr[data-timing="rerun took"] td').textContent()).toMatch(/\d/);
    await page.screenshot({ path: join(artifacts, 'console-rerun.png'), fullPage: true });

    expect(pageErrors).toEqual([]);
  });

  it('without the token a trigger from the page is refused with the reason shown, and nothing starts', async () => {
    const before = (await connected.control.listRuns({ limit: 100 })).length;
    await page.fill('#token', '');
    await page.click('#trigger-button');
    await page.locator('#toast .error', { hasText: /bearer token.*set the API token/ }).waitFor({ timeout: 10_000 });
    expect((await connected.control.listRuns({ limit: 100 })).length).toBe(before);
  });

  it('a wrong token brings the prompt back with the API\'s reason; the right one (kept for the tab) clears it', async () => {
    await page.fill('#token', `${token}-wrong`);
    await page.locator('#auth-prompt', { hasText: /refused the token/ }).waitFor({ timeout: 10_000 });
    await page.fill('#token', token);
    await page.locator('#auth-prompt').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.reload();
    expect(await page.inputValue('#token')).toBe(token);
    await page.locator('#runs-table tbody tr').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('#auth-prompt').isHidden()).toBe(true);
  });

  it('a param value its spec refuses is refused in the page, naming the param, before any request; the API\'s 400 is shown the same way', async () => {
    const triggers: string[] = [];
    const countTrigger = (request: { method(): string; url(): string }) => (request.method() === 'POST' && new URL(request.url()).pathname === '/runs' ? void triggers.push(request.url()) : undefined);
    page.on('request', countTrigger);
    const runsBefore = (await connected.control.listRuns({ limit: 100 })).length;
    const thrownBefore = pageErrors.filter((e) => e.startsWith('pageerror')).length;
    const error = page.locator('#trigger-error');
    const limit = page.locator('#params input[data-param="limit"]');
    try {
      await page.selectOption('#pipeline', 'flights');
      // the inputs follow the spec GET /pipelines gives: a number with flights' bounds, a list for format
      expect(await limit.getAttribute('type')).toBe('number');
      expect(await limit.getAttribute('min')).toBe('1');
      expect(await page.locator('#params select[data-param="format"] option').allTextContents()).toEqual(['default', 'json', 'csv', 'parquet']);

      // below min: the browser refuses the submit; the page says which param and why
      await limit.fill('0');
      await page.click('#trigger-button');
      await error.filter({ hasText: 'param "limit" must be at least 1, not 0' }).waitFor({ state: 'visible', timeout: 5_000 });
      expect(await limit.getAttribute('aria-invalid')).toBe('true');

      // a number the browser takes but the API would not (not a whole number's spelling): the page's own check refuses it
      await limit.fill('1e3');
      await page.click('#trigger-button');
      await error.filter({ hasText: 'param "limit" must be a whole number, not "1e3"' }).waitFor({ state: 'visible', timeout: 5_000 });
      expect(triggers).toEqual([]);

      // what only the server can judge (a source file that is not there) comes back as its 400, shown in the same place
      await limit.fill('');
      await page.fill('#params input[data-param="source"]', 'no-such-flights.json');
      await page.click('#trigger-button');
      await error.filter({ hasText: /trigger failed: .*"source"/ }).waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('#params input[data-param="source"]').getAttribute('aria-invalid')).toBe('true');
      expect(triggers).toHaveLength(1);

      expect((await connected.control.listRuns({ limit: 100 })).length).toBe(runsBefore);
      expect(pageErrors.filter((e) => e.startsWith('pageerror'))).toHaveLength(thrownBefore);
      await page.screenshot({ path: join(artifacts, 'console-bad-param.png'), fullPage: true });
    } finally {
      page.off('request', countTrigger);
    }
  });
});

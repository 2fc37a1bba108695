// The page in a real browser against a fake run: frames arrive and the views change; pause
// holds the step counter, resume lets it go, step advances it by exactly one. Saves a screenshot.

import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import { createFakeRun, type FakeRun } from './helpers/fake-run.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`viewer.browser.test: skipped, because ${CHROMIUM} does not exist (apt-get install chromium)`);

let run: FakeRun;
let viewer: ViewerServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function counter(id: string): Promise<number> {
  return Number(await page.getAttribute(`#${id}`, 'data-value'));
}

async function layerPixels(name: string): Promise<string> {
  return page.$eval(`canvas[data-layer="${name}"]`, (c) => (c as HTMLCanvasElement).toDataURL());
}

describe('ViewerServer', () => {
  describe.skipIf(!hasChromium)(hasChromium ? 'page in a browser' : `page in a browser (skipped: ${CHROMIUM} does not exist)`, () => {
    beforeAll(async () => {
      // A token exercises the page's token handling (URL → socket and controls) end to end.
      run = createFakeRun({ mode: 'timer', intervalMs: 4, layerSizes: [64, 24, 8] });
      viewer = await startViewer(run, { port: 0, token: TOKEN, defaultRate: 20, log: () => {} });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      // Nothing may leave this machine: fail any request that is not to the viewer itself.
      await page.route('**/*', (route) => (route.request().url().startsWith(`http://127.0.0.1:${viewer.port}/`) ? route.continue() : route.abort()));
    });

    afterAll(async () => {
      await browser?.close();
      await viewer?.close();
      run?.stop();
    });

    it('shows frames arriving: the step counter and the layer views change', async () => {
      await page.goto(viewer.url.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${viewer.port}`));
      await page.waitForSelector('#status[data-status="live"]');
      await page.waitForFunction(() => Number(document.querySelector('#step')?.getAttribute('data-value')) > 0);
      for (const name of ['h1', 'h2', 'h3']) expect(await page.locator(`canvas[data-layer="${name}"]`).count()).toBe(1);
      const step0 = await counter('step');
      const pixels0 = await layerPixels('h1');
      await page.waitForFunction((s) => Number(document.querySelector('#step')?.getAttribute('data-value')) > s, step0);
      await page.waitForTimeout(200);
      expect(await layerPixels('h1')).not.toBe(pixels0);
      expect(await counter('steps-per-second')).toBeGreaterThan(0);
      expect(await page.textContent('#dropped')).toBe('0');
    });

    it('pause holds the counter, resume lets it run, step advances it by one', async () => {
      await page.click('#pause');
      await page.waitForSelector('#run-state[data-paused="true"]');
      await page.waitForTimeout(300); // let the last frame land
      const held = await counter('step');
      await page.waitForTimeout(500);
      expect(await counter('step')).toBe(held);
      expect(run.state().step).toBe(held);

      await page.click('#resume');
      await page.waitForFunction((s) => Number(document.querySelector('#step')?.getAttribute('data-value')) > s, held);

      await page.click('#pause');
      await page.waitForSelector('#run-state[data-paused="true"]');
      await page.waitForTimeout(300);
      const before = await counter('step');
      expect(before).toBe(run.state().step);
      await page.click('#step-once');
      await page.waitForFunction((s) => Number(document.querySelector('#step')?.getAttribute('data-value')) !== s, before);
      await page.waitForTimeout(300);
      expect(await counter('step')).toBe(before + 1);
      expect(run.state().step).toBe(before + 1);
    });

    it('reconnects by itself when the server restarts', async () => {
      const { port } = viewer;
      await viewer.close();
      await page.waitForSelector('#status[data-status="reconnecting"]');
      expect(await page.isDisabled('#pause')).toBe(true);
      viewer = await startViewer(run, { port, token: TOKEN, defaultRate: 20, log: () => {} });
      await page.waitForSelector('#status[data-status="live"]', { timeout: 10_000 });
      expect(await page.textContent('#run-state')).toBe('paused');
    });

    it('draws every view cleanly and saves a screenshot', async () => {
      await page.click('#resume');
      await page.waitForTimeout(1200); // some history for the curves
      for (const selector of ['canvas[data-modality="action"]', 'canvas[data-modality="signal"]', 'canvas[data-loss="encoder"]', 'canvas[data-metric="accuracy"]']) {
        expect(await page.locator(selector).count()).toBe(1);
      }
      await page.selectOption('#rate', '30');
      await expect.poll(() => viewer.stats().perClient[0]?.subscription.rate).toBe(30);
      expect(await page.textContent('#notice')).toBe('');
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: 'test/artifacts/viewer.png' });
      expect(pageErrors).toEqual([]);
    });
  });
});

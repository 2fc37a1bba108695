// The viewer page in a real browser (Debian's chromium) against a real run: the demo's predictive
// agent learning the embedded Reber grammar in a LiveRun, behind a token. Frames arrive and the
// layer views change; pause holds the step counter, step advances it by exactly one, resume lets
// it go; the page reconnects by itself when the server restarts. Saves two screenshots.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import '../../agents/index.js';
import '../../environments/index.js';
import { LiveRun, createAgent, makeEnvironment, type Agent, type AgentConfig } from '../../src/index.js';
import { startViewer, type ViewerServer } from '../../server/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const TOKEN = 'browser-test-token';
if (!hasChromium)
  console.warn(`viewer.browser.test: skipped, because ${CHROMIUM} does not exist (apt-get install chromium)`);

// The agent `npm start` runs, so that the README's picture is of the demo.
const DEMO = JSON.parse(readFileSync(new URL('../../cli/demo-agent.json', import.meta.url), 'utf8')) as AgentConfig;

let agent: Agent;
let run: LiveRun;
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

function stepAbove(step: number): Promise<unknown> {
  return page.waitForFunction((s) => Number(document.querySelector('#step')?.getAttribute('data-value')) > s, step);
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'viewer on a real run' : `viewer on a real run (skipped: ${CHROMIUM} does not exist)`,
  () => {
    beforeAll(async () => {
      const environment = makeEnvironment('EmbeddedReber-v0');
      agent = createAgent({ ...DEMO, seed: 1 }, environment.observationSpace);
      run = new LiveRun(agent, environment, { seed: 1 });
      viewer = await startViewer(run, { port: 0, token: TOKEN, defaultRate: 20, log: () => {} });
      run.start();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      // Nothing may leave this machine: fail any request that is not to the viewer itself.
      await page.route('**/*', (route) =>
        route.request().url().startsWith(`http://127.0.0.1:${viewer.port}/`) ? route.continue() : route.abort(),
      );
    });

    afterAll(async () => {
      await browser?.close();
      await viewer?.close();
      run?.stop();
      await run?.done.catch(() => undefined);
      agent?.dispose();
    });

    it('shows the run learning: the step counter and the layer views change', async () => {
      await page.goto(viewer.url);
      await page.waitForSelector('#status[data-status="live"]');
      await stepAbove(0);
      expect(await page.textContent('#run-name')).toBe('predictive · EmbeddedReber-v0');
      const layers = run.topology.layers.map((l) => l.name);
      for (const name of layers) expect(await page.locator(`canvas[data-layer="${name}"]`).count()).toBe(1);
      const step0 = await counter('step');
      const pixels0 = await layerPixels(layers[0]!);
      await stepAbove(step0);
      await page.waitForTimeout(200);
      expect(await layerPixels(layers[0]!)).not.toBe(pixels0);
      expect(await counter('steps-per-second')).toBeGreaterThan(0);
    });

    it('pause holds the counter, step advances it by one, resume lets it run', async () => {
      await page.click('#pause');
      await page.waitForSelector('#run-state[data-paused="true"]');
      await page.waitForTimeout(300); // let the last frame and state land
      const held = await counter('step');
      const stepsHeld = run.state().step;
      await page.waitForTimeout(500);
      expect(await counter('step')).toBe(held);
      expect(run.state()).toMatchObject({ paused: true, step: stepsHeld, stepsPerSecond: 0 });

      await page.click('#step-once');
      await page.waitForFunction(
        (s) => Number(document.querySelector('#step')?.getAttribute('data-value')) === s,
        stepsHeld + 1,
      );
      await page.waitForTimeout(300);
      expect(await counter('step')).toBe(stepsHeld + 1);
      expect(run.state().step).toBe(stepsHeld + 1);

      await page.click('#resume');
      await page.waitForSelector('#run-state[data-paused="false"]');
      await stepAbove(stepsHeld + 1);
      expect(run.state().paused).toBe(false);
    });

    it('reconnects by itself when the server restarts', async () => {
      const { port } = viewer;
      await viewer.close();
      await page.waitForSelector('#status[data-status="reconnecting"]');
      expect(await page.isDisabled('#pause')).toBe(true);
      viewer = await startViewer(run, { port, token: TOKEN, defaultRate: 20, log: () => {} });
      await page.waitForSelector('#status[data-status="live"]', { timeout: 10_000 });
      await stepAbove(await counter('step'));
      // The browser logs the attempts it made while the server was down: expected, not page errors.
      const refused = pageErrors.filter((message) => message.includes('ERR_CONNECTION_REFUSED'));
      pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((message) => !refused.includes(message)));
    });

    it('draws every view of the run cleanly and saves screenshots', async () => {
      await page.waitForTimeout(1000); // some history for the curves
      for (const name of run.topology.modalities.map((m) => m.name))
        expect(await page.locator(`canvas[data-modality="${name}"]`).count()).toBe(1);
      expect(await page.locator('canvas[data-metric="next/legal"]').count()).toBe(1);
      expect(await page.textContent('#notice')).toBe('');
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: 'test/artifacts/viewer.png' });
      // For the README (its author places it): the same page a little later, with longer curves.
      await page.waitForTimeout(1000);
      await page.screenshot({ path: 'test/artifacts/readme-viewer.png' });
      expect(pageErrors).toEqual([]);
    });
  },
);

// The viewer page in a real browser (Debian's chromium) against a real run: the demo's predictive
// agent learning the embedded Reber grammar in a LiveRun, behind a token. Frames arrive and the
// layer views change; the categorical panel names the symbols and shows the very prediction that
// was scored in the frame of its step; pause holds the step counter, step advances it by exactly
// one, resume lets it go; the dreams panel shows a dreamed continuation; a page opened after 12
// seconds of training draws the run from step 0; the page reconnects by itself when the server
// restarts. Saves two screenshots.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import '../../agents/index.js';
import '../../environments/index.js';
import { LiveRun, createAgent, makeEnvironment, type Agent, type AgentConfig } from '../../src/index.js';
import { startViewer, type ViewerServer } from '../../server/index.js';
import type { FrameMessage } from '../../server/protocol.js';
import { connectClient, isFrame, socketUrl } from './helpers/test-client.js';

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
let startedAt = 0;
/** How long the run trains before a second page opens: it must see the history from step 0. */
const LATE_MS = 12_000;
const SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'];

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
      startedAt = performance.now();
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

    it('names the symbols and shows the prediction scored in the frame of the step it shows', async () => {
      await page.click('#pause');
      await page.waitForSelector('#run-state[data-paused="true"]');
      try {
        await expectScoredShown();
      } finally {
        await page.click('#resume');
        await page.waitForSelector('#run-state[data-paused="false"]');
      }
    });

    /** Pausing emits the frame of the step the run stopped at: the page and a protocol client see it alike. */
    async function expectScoredShown(): Promise<void> {
      let frame: FrameMessage;
      for (;;) {
        const held = run.state().step;
        await page.waitForFunction(
          (s) => Number(document.querySelector('[data-scored="next"]')?.getAttribute('data-step')) === s,
          held,
        );
        const client = await connectClient(socketUrl(viewer.port, TOKEN));
        frame = (await client.waitFor(isFrame)) as FrameMessage;
        await client.close();
        expect(frame.step).toBe(held);
        // The first step of an episode is not scored (nothing predicts B): take one more step.
        if (frame.modalities!.find((m) => m.name === 'next')!.scored !== null) break;
        await page.click('#step-once');
        await page.waitForFunction(
          (s) => Number(document.querySelector('#step')?.getAttribute('data-value')) > s,
          held,
        );
      }
      const held = frame.step;
      const next = frame.modalities!.find((m) => m.name === 'next')!;
      const argmax = (v: Float32Array) => v.indexOf(Math.max(...v));
      const shown = page.locator('[data-scored="next"]');
      expect(await shown.getAttribute('data-step')).toBe(String(held));
      expect(await shown.getAttribute('data-predicted')).toBe(SYMBOLS[argmax(next.scored!)]);
      expect(await shown.getAttribute('data-actual')).toBe(SYMBOLS[argmax(next.actual!)]);
      const text = (await shown.textContent()) ?? '';
      expect(text).toContain(`predicted ${SYMBOLS[argmax(next.scored!)]} · came ${SYMBOLS[argmax(next.actual!)]}`);
      // The forecast is shown apart, for the step to come.
      const forecast = page.locator('[data-forecast="next"]');
      expect(await forecast.getAttribute('data-predicted')).toBe(SYMBOLS[argmax(next.forecast)]);
      expect(await forecast.textContent()).toContain(`for step ${(held + 1).toLocaleString('en-US')}`);
    }

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

    it('dreams a continuation on request, in the symbols of the grammar, and the run goes on', async () => {
      const before = run.state().step;
      await page.selectOption('#dream-steps', '20');
      await page.click('#dream');
      await page.waitForSelector('#dream-output[data-count="20"]');
      const text = (await page.textContent('#dream-output')) ?? '';
      const dreamed = text.slice(text.lastIndexOf(': ') + 2);
      expect(dreamed).toMatch(new RegExp(`^[${SYMBOLS.join('')}]{20}$`));
      expect(Number(await page.getAttribute('#dream-output', 'data-step'))).toBeGreaterThanOrEqual(before);
      await stepAbove(before + 10);
    });

    it(`draws the whole run from step 0 on a page opened after ${LATE_MS / 1000} s of training`, async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + LATE_MS - performance.now())));
      const late = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      late.on('pageerror', (error) => pageErrors.push(error.message));
      await late.route('**/*', (route) =>
        route.request().url().startsWith(`http://127.0.0.1:${viewer.port}/`) ? route.continue() : route.abort(),
      );
      await late.goto(viewer.url);
      await late.waitForSelector('#status[data-status="live"]');
      await late.waitForFunction(() => document.querySelector('#history')?.getAttribute('data-from') !== '');
      // The server's history starts with the run's first frame; the curves' step axes start at 0.
      expect(Number(await late.getAttribute('#history', 'data-from'))).toBeLessThanOrEqual(2);
      const step = run.state().step;
      for (const selector of ['canvas[data-metric="next/accuracy"]', 'canvas[data-loss="encoder1"]']) {
        await late.waitForFunction((s) => Number(document.querySelector(s)?.getAttribute('data-points')) > 0, selector);
        expect(await late.getAttribute(selector, 'data-from')).toBe('0');
        // About 60 frames a second for 12 s, merged into at most 2000 points: far more than the page saw itself.
        expect(Number(await late.getAttribute(selector, 'data-points'))).toBeGreaterThan(400);
      }
      expect(step).toBeGreaterThan(6_000);
      // The README's picture: the demo's page opened late, the whole run on its curves.
      mkdirSync('test/artifacts', { recursive: true });
      await late.screenshot({ path: 'test/artifacts/readme-viewer.png' });
      await late.close();
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
      expect(await page.locator('canvas[data-metric="next/critical"]').count()).toBe(1);
      const title = await page.getAttribute('canvas[data-metric="next/accuracy"] >> xpath=..', 'title');
      expect(title).toMatch(/^next\/accuracy: Share of steps .* range 0 to 1; chance 0\.143/);
      const bars = await page.textContent('[data-scored="next"]');
      expect(SYMBOLS.some((s) => bars?.includes(`predicted ${s}`) || bars?.includes(`came ${s}`))).toBe(true);
      expect(await page.textContent('#notice')).toBe('');
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: 'test/artifacts/viewer.png' });
      expect(pageErrors).toEqual([]);
    });
  },
);

// The viewer's acting panel in a real browser (Debian's chromium) against a real run: the acting
// agent pulling the arms of the 10-armed testbed in a LiveRun. The panel appears with a bar per
// arm and the arm taken marked, its reward curve has points, and a predictive run shows no panel.

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import '../../agents/index.js';
import '../../environments/index.js';
import { LiveRun, createAgent, makeEnvironment, type Agent } from '../../src/index.js';
import { startViewer, type ViewerServer } from '../../server/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`acting.browser.test: skipped, because ${CHROMIUM} does not exist (apt-get install chromium)`);

interface Served {
  agent: Agent;
  run: LiveRun;
  viewer: ViewerServer;
}

const served: Served[] = [];
let browser: Browser;
const pageErrors: string[] = [];

/** A LiveRun of `agent` on `id` behind a viewer on port 0, started. */
async function serve(id: string, options: Record<string, unknown>, config: Record<string, unknown>): Promise<Served> {
  const environment = makeEnvironment(id, options);
  const agent = createAgent(
    { layers: [8], seed: 1, ...config } as never,
    environment.observationSpace,
    environment.actionSpace,
  );
  const run = new LiveRun(agent, environment, { seed: 1 });
  const viewer = await startViewer(run, { port: 0, defaultRate: 20, log: () => {} });
  run.start();
  const s = { agent, run, viewer };
  served.push(s);
  return s;
}

async function open(viewer: ViewerServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  // Nothing may leave this machine: fail any request that is not to the viewer itself.
  await page.route('**/*', (route) =>
    route.request().url().startsWith(`http://127.0.0.1:${viewer.port}/`) ? route.continue() : route.abort(),
  );
  await page.goto(viewer.url);
  await page.waitForSelector('#status[data-status="live"]');
  return page;
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'viewer of an acting run' : `viewer of an acting run (skipped: ${CHROMIUM} does not exist)`,
  () => {
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      });
    });

    afterAll(async () => {
      await browser?.close();
      for (const { run, viewer, agent } of served) {
        await viewer.close();
        run.stop();
        await run.done.catch(() => undefined);
        agent.dispose();
      }
    });

    it('shows the acting panel: a bar per arm with the arm taken marked, and a reward curve with points', async () => {
      const { viewer } = await serve('TenArmedTestbed-v0', { length: 50 }, { kind: 'acting' });
      const page = await open(viewer);
      await page.waitForSelector('#acting:not([hidden])');
      expect(await page.textContent('#run-name')).toBe('acting · TenArmedTestbed-v0');
      const bars = page.locator('canvas[data-acting-bars]');
      await page.waitForFunction(
        () => Number(document.querySelector('#acting-bars')?.getAttribute('data-action')) >= 0,
      );
      expect(await bars.getAttribute('data-bars')).toBe('10');
      expect(Number(await bars.getAttribute('data-action'))).toBeLessThan(10);
      expect(await page.textContent('#acting-action')).toMatch(/took \d \(p [\d.]+\)/);
      for (const selector of ['canvas[data-acting-curve="reward"]', '#acting-returns'])
        await page.waitForFunction((s) => Number(document.querySelector(s)?.getAttribute('data-points')) > 0, selector);
      expect(await page.textContent('#acting-gap')).toContain('mean |gap|');
      expect(await page.textContent('#notice')).toBe('');
      await page.close();
      expect(pageErrors).toEqual([]);
    });

    it('shows no acting panel for an agent that does not act', async () => {
      const { viewer } = await serve('Reber-v0', {}, { kind: 'predictive' });
      const page = await open(viewer);
      await page.waitForFunction(() => Number(document.querySelector('#step')?.getAttribute('data-value')) > 0);
      await page.waitForTimeout(200);
      expect(await page.isHidden('#acting')).toBe(true);
      await page.close();
      expect(pageErrors).toEqual([]);
    });
  },
);

// The viewer page (Debian's chromium) attached through NATS to an agent that learns elsewhere: an
// environment publishes Reber-v0 to a real nats-server, an AgentNode learns it and publishes its
// frames, and `RemoteRun` + `startViewer` (what `tprop run --viewer --watch` does) serve the page.
// The page goes live, names the run, draws its layers and its step counter moves.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../agents/index.js';
import '../../environments/index.js';
import { AgentNode, EnvironmentPublisher, RemoteRun, connectNats, type NatsLink } from '../../cluster/index.js';
import { startViewer, type ViewerServer } from '../../server/index.js';
import { initEngine, makeEnvironment } from '../../src/index.js';
import { connectClient, isFrame, socketUrl } from '../server/helpers/test-client.js';
import { SKIP_NATS, startNatsServer, type TestNatsServer } from './helpers/nats-server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = SKIP_NATS ?? (existsSync(CHROMIUM) ? null : `${CHROMIUM} does not exist (apt-get install chromium)`);
if (skip !== null) console.warn(`cluster/viewer.browser.test: skipped, because ${skip}`);

let server: TestNatsServer;
let link: NatsLink;
let publisher: EnvironmentPublisher;
let node: AgentNode;
let remote: RemoteRun;
let viewer: ViewerServer;
let browser: Browser;
let page: Page;

describe.skipIf(skip !== null)('viewer attached through NATS', () => {
  beforeAll(async () => {
    await initEngine({ quiet: true });
    server = await startNatsServer();
    link = await connectNats({ url: server.url });
    publisher = await EnvironmentPublisher.start({
      link,
      run: 'watched',
      environment: () => makeEnvironment('Reber-v0'),
      ratePerSecond: 150,
    });
    node = await AgentNode.start({
      link,
      run: 'watched',
      config: { kind: 'predictive', layers: [8], seed: 1 },
      frameIntervalMs: 50,
    });
    remote = await RemoteRun.attach(link, 'watched-0', { timeoutMs: 10_000 });
    viewer = await startViewer(remote, { port: 0, defaultRate: 20, log: () => {} });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.route('**/*', (route) =>
      route.request().url().startsWith(`http://127.0.0.1:${viewer.port}/`) ? route.continue() : route.abort(),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    remote?.close();
    await publisher?.stop();
    await node?.stop();
    await link?.close();
    await server?.dispose();
  });

  it('shows the frames of the remote agent: live, named, drawn, and moving', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(viewer.url);
    await page.waitForSelector('#status[data-status="live"]');
    const stepOf = async () => Number(await page.getAttribute('#step', 'data-value'));
    await page.waitForFunction(() => Number(document.querySelector('#step')?.getAttribute('data-value')) > 0);
    expect(await page.textContent('#run-name')).toBe('predictive · Reber-v0');
    expect(await page.locator('canvas[data-layer]').count()).toBe(remote.topology.layers.length);
    const first = await stepOf();
    await page.waitForFunction((s) => Number(document.querySelector('#step')?.getAttribute('data-value')) > s, first);
    // A protocol client of the same viewer gets the remote agent's frames too.
    const client = await connectClient(socketUrl(viewer.port));
    const frame = await client.waitFor(isFrame, { since: 0 });
    await client.close();
    expect(frame.step).toBeGreaterThan(0);
    expect(remote.received).toBeGreaterThan(0);
    expect(remote.dropped).toBe(0);
    expect(errors).toEqual([]);
  });
});

// The page and its assets: served by the viewer itself with the right content types, and with
// no reference to any outside address (the viewer works with no network at all).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import { createFakeRun, type FakeRun } from './helpers/fake-run.js';

let run: FakeRun;
let viewer: ViewerServer;
let base: string;

beforeAll(async () => {
  run = createFakeRun({ startPaused: true });
  viewer = await startViewer(run, { port: 0, log: () => {} });
  base = `http://127.0.0.1:${viewer.port}`;
});

afterAll(async () => {
  await viewer.close();
  run.stop();
});

const ASSETS: Array<[string, RegExp]> = [
  ['/', /^text\/html/],
  ['/index.html', /^text\/html/],
  ['/viewer.js', /^text\/javascript/],
  ['/connection.js', /^text\/javascript/],
  ['/views.js', /^text\/javascript/],
  ['/plots.js', /^text\/javascript/],
  ['/history.js', /^text\/javascript/],
  ['/viewer.css', /^text\/css/],
  ['/vendor/msgpackr.js', /^text\/javascript/],
];

/** Absolute URLs in a text, minus the XML namespaces an SVG or a library may name. */
function outsideUrls(text: string): string[] {
  return (text.match(/(?:https?:|wss?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi) ?? []).filter(
    (u) => !u.startsWith('//#'),
  );
}

describe('ViewerServer', () => {
  describe('page', () => {
    it.each(ASSETS)('serves %s with its content type', async (path, type) => {
      const response = await fetch(base + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(type);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = Buffer.from(await response.arrayBuffer());
      // The very bytes on disk: the page's own files as they are, the codec as its no-eval build.
      const file = path === '/' ? '/index.html' : path;
      if (path.startsWith('/vendor/')) expect(body.length > 10_000 && /Unpackr/.test(body.toString())).toBe(true);
      else expect(body.equals(readFileSync(new URL(`../../server/page${file}`, import.meta.url)))).toBe(true);
    });

    it('references no outside URL from the page, its scripts or its styles', async () => {
      for (const [path] of ASSETS) {
        const text = await (await fetch(base + path)).text();
        expect({ path, urls: outsideUrls(text) }).toEqual({ path, urls: [] });
        expect(text).not.toMatch(/https?:\/\//);
      }
    });

    it('loads every script and stylesheet the page names from this server', async () => {
      const html = await (await fetch(`${base}/`)).text();
      const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('data:'));
      expect(refs.sort()).toEqual(['vendor/msgpackr.js', 'viewer.css', 'viewer.js']);
      const modules = await (await fetch(`${base}/viewer.js`)).text();
      for (const [, ref] of modules.matchAll(/from '\.\/([^']+)'/g))
        expect((await fetch(`${base}/${ref}`)).status).toBe(200);
    });

    it('guards the page with a same-origin content security policy', async () => {
      const csp = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/connect-src 'self'/);
    });

    it('answers unknown paths with 404 and other methods with 405', async () => {
      expect((await fetch(`${base}/nope.js`)).status).toBe(404);
      expect((await fetch(`${base}/../package.json`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
      const head = await fetch(`${base}/viewer.css`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    });
  });
});

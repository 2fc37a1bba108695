// The viewer's page and its assets, read once into memory and served over plain HTTP: the
// files of server/page/ and msgpackr's browser bundle from node_modules. Nothing is fetched.

import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestTarget } from './access-guard.js';

/** Where the page loads the msgpack codec from; viewer.js expects `globalThis.msgpackr`. */
export const MSGPACKR_PATH = '/vendor/msgpackr.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// The page needs its own origin only: scripts and styles from here, the socket back to here.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The no-eval build: the page's CSP forbids eval, and the bundle's source map is not served. */
async function msgpackrBundle(): Promise<Buffer> {
  const main = createRequire(import.meta.url).resolve('msgpackr');
  const source = await readFile(join(dirname(main), 'index-no-eval.min.js'), 'utf8');
  return Buffer.from(source.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'));
}

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  private constructor() {}

  /** Reads the page directory and the bundle; rejects if any is missing. */
  static async load(pageDir = fileURLToPath(new URL('./page/', import.meta.url))): Promise<StaticAssets> {
    const site = new StaticAssets();
    for (const name of await readdir(pageDir)) {
      const type = TYPES[extname(name)];
      if (type !== undefined) site.assets.set(`/${name}`, { type, body: await readFile(join(pageDir, name)) });
    }
    const index = site.assets.get('/index.html');
    if (index === undefined) throw new Error(`StaticAssets.load: expected ${pageDir}index.html, but it is missing`);
    site.assets.set('/', index);
    site.assets.set(MSGPACKR_PATH, { type: TYPES['.js'], body: await msgpackrBundle() });
    return site;
  }

  /** Paths served, for logs and tests. */
  paths(): string[] {
    return [...this.assets.keys()];
  }

  /** Answers one HTTP request: the asset, or 404 / 405. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    const path = requestTarget(request)?.pathname;
    const asset = path === undefined ? undefined : this.assets.get(path);
    if (asset === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    response.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': asset.body.length,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // The page's own URL may hold the token; keep it out of Referer headers.
      'Referrer-Policy': 'no-referrer',
      ...(asset.type.startsWith('text/html') && { 'Content-Security-Policy': CSP }),
    });
    response.end(method === 'HEAD' ? undefined : asset.body);
  }
}

// One loopback rule for the token, the Origin check and the CLI's --host: `localhost`, all of
// 127.0.0.0/8 in any spelling a URL parser reads (127.1 is 127.0.0.1), ::1 and ::ffff:127.x.y.z.

import { afterEach, describe, expect, it } from 'vitest';
import { openViewer } from '../../cli/viewer-session.js';
import { canonicalHost, isLoopbackHost } from '../../server/loopback.js';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import { createFakeRun } from './helpers/fake-run.js';
import { connectClient, socketUrl } from './helpers/test-client.js';

let cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function fakeRun() {
  const run = createFakeRun({ mode: 'timer', intervalMs: 20 });
  cleanup.push(() => run.stop());
  return run;
}

function closing(viewer: ViewerServer): ViewerServer {
  cleanup.push(() => viewer.close());
  return viewer;
}

describe('isLoopbackHost', () => {
  it('counts localhost, every spelling of 127.0.0.0/8, ::1 and IPv4-mapped 127/8', () => {
    for (const host of [
      'localhost',
      'LocalHost',
      '127.0.0.1',
      '127.1',
      '127.0.1',
      '0x7f.1',
      '0177.0.0.1',
      '2130706433',
      '127.3.2.1',
      '127.255.255.255',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '::ffff:7f01:203',
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    }
  });

  it('counts nothing else: wildcards, other addresses, names that merely resolve to loopback, unparsable hosts', () => {
    for (const host of [
      '0.0.0.0',
      '0',
      '::',
      '128.0.0.1',
      '126.255.255.255',
      '1.127.0.0',
      '10.1',
      '::ffff:10.0.0.1',
      '::2',
      'example.com',
      'foo.localhost',
      'localhost.example',
      '127.0.0.256',
      '127.0.0.1:80',
      '',
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
    }
  });

  it('writes hosts as a browser Origin does', () => {
    expect(canonicalHost('127.1')).toBe('127.0.0.1');
    expect(canonicalHost('0x7F.1')).toBe('127.0.0.1');
    expect(canonicalHost('::1')).toBe('[::1]');
    expect(canonicalHost('0:0::0')).toBe('[::]');
    expect(canonicalHost('Example.COM')).toBe('example.com');
  });
});

describe('ViewerServer on loopback hosts', () => {
  it('needs no token on 127.1 and names it 127.0.0.1, as a browser does', async () => {
    const viewer = closing(await startViewer(fakeRun(), { host: '127.1', port: 0, log: () => {} }));
    expect(viewer.token).toBeNull();
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/`);
    const client = await connectClient(socketUrl(viewer.port), { headers: { Origin: viewer.url.slice(0, -1) } });
    cleanup.push(() => client.close());
    expect(client.hello.tokenRequired).toBe(false);
  });

  it('needs no token on another address of 127/8, and lets its pages connect under its canonical name', async () => {
    const viewer = closing(await startViewer(fakeRun(), { host: '127.2', port: 0, log: () => {} }));
    expect(viewer.token).toBeNull();
    expect(viewer.url).toBe(`http://127.0.0.2:${viewer.port}/`);
    const client = await connectClient(`ws://127.0.0.2:${viewer.port}/socket`, {
      headers: { Origin: `http://127.0.0.2:${viewer.port}` },
    });
    cleanup.push(() => client.close());
  });

  it('needs a token on a wildcard however it is spelled', async () => {
    const viewer = closing(await startViewer(fakeRun(), { host: '0', port: 0, log: () => {} }));
    expect(viewer.token).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('tprop run --viewer --host', () => {
  const flags = (host: string) => ({ host, port: 0, token: undefined, exitWhenDone: false });

  it('treats --host 127.1 as loopback, as the server does: no token, no warning', async () => {
    const lines: string[] = [];
    const viewer = closing(await openViewer(fakeRun(), flags('127.1'), (line) => lines.push(line)));
    expect(viewer.token).toBeNull();
    expect(lines).toEqual([`tprop viewer: http://127.0.0.1:${viewer.port}/`]);
  });

  it('says that another host needs the token', async () => {
    const lines: string[] = [];
    const viewer = closing(await openViewer(fakeRun(), flags('0.0.0.0'), (line) => lines.push(line)));
    expect(viewer.token).not.toBeNull();
    expect(lines).toEqual([
      `tprop viewer: ${viewer.url}`,
      'tprop viewer: --host 0.0.0.0 is not loopback (localhost, 127.0.0.0/8, ::1), so other machines may reach it; ' +
        'the page and every control need the token in the URL',
    ]);
  });
});

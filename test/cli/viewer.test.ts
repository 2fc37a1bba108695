// `tprop run --viewer`: the viewer's address comes as a {"viewer":url} line, the page answers
// there while the run goes, and with --exit-when-done the CLI ends with the run.

import { describe, expect, it } from 'vitest';
import { jsonLines, startCli } from './helpers/run-cli.js';

describe('tprop run --viewer', () => {
  it('serves the page at the announced URL, then exits when the run is done', async () => {
    const cli = startCli([
      'run',
      'EmbeddedReber-v0',
      '--viewer',
      '--port',
      '0',
      '--json',
      '--exit-when-done',
      '--steps',
      '2000',
    ]);
    const { viewer } = await cli.waitForJson((line) => typeof line.viewer === 'string');
    expect(viewer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(viewer as string);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>tprop viewer</title>');

    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toEqual({ viewer });
    expect(lines.at(-1)).toMatchObject({ done: true, steps: 2000 });
    expect(result.stderr).toContain(`tprop viewer: ${viewer as string}`);
  });
});

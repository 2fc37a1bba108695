// A viewer on a real run with one client connected, torn down after each test: for the tests of
// requests the run answers (dream, infer).

import { afterEach } from 'vitest';
import type { LiveRun } from '../../../src/stream/live-run.js';
import { startViewer } from '../../../server/viewer-server.js';
import type { ErrorMessage, ServerMessage } from '../../../server/protocol.js';
import { connectClient, socketUrl, type TestClient } from './test-client.js';

export const isError = (m: ServerMessage): m is ErrorMessage => m.type === 'error';

/** Registers the teardown; returns what starts a viewer on a run, with `token` if given, and connects. */
export function viewersOnRuns(): {
  viewerOf: (run: LiveRun, token?: string) => Promise<TestClient>;
  later: (fn: () => unknown) => void;
} {
  let cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn();
    cleanup = [];
  });
  return {
    later: (fn) => cleanup.push(fn),
    viewerOf: async (run, token) => {
      const viewer = await startViewer(run, { port: 0, log: () => {}, ...(token && { token }) });
      const client = await connectClient(socketUrl(viewer.port, token));
      cleanup.push(
        () => run.stop(),
        () => viewer.close(),
        () => client.close(),
      );
      return client;
    },
  };
}

/** Sends each request and checks its error reply's code and message, by the request's id. */
export async function expectErrors(
  client: TestClient,
  type: string,
  cases: readonly [Record<string, unknown>, string, string][],
  check: (actual: unknown, expected: unknown, id: string) => void,
): Promise<void> {
  for (const [fields, code, message] of cases) {
    const id = JSON.stringify(fields);
    client.send({ type, id, ...fields });
    const reply = await client.waitFor((m): m is ErrorMessage => isError(m) && m.id === id);
    check(reply.code, code, id);
    check(reply.message.includes(message), true, `${id}: ${reply.message}`);
  }
}

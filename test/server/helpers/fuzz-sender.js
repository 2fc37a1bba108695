// The fuzz test's hostile clients, in a worker thread so that their own work (packing, masking,
// decoding answers) does not run on the thread that learns: a few connections, each sending its
// messages with at most `window` unanswered, checking that every one gets exactly one answer,
// in order, echoing the id it should. Plain JavaScript: a worker does not load TypeScript.

import { parentPort, workerData } from 'node:worker_threads';
import { Unpackr } from 'msgpackr';
import WebSocket from 'ws';

const { url, connections, window, timeoutMs } = workerData;
const unpackr = new Unpackr({ useRecords: false });
const ANSWERS = new Set(['ack', 'error', 'history']);

const result = {
  sent: 0,
  answers: 0,
  byType: {},
  codes: {},
  maxBytes: {},
  maxErrorMessage: 0,
  wrongId: [],
  unexpected: [],
  closes: {},
  oversize: 0,
  others: 0,
  reconnects: 0,
};

function note(list, text) {
  if (list.length < 20) list.push(text);
}

/** Opens one connection and resolves once its hello and history have come. */
function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const conn = { ws, expected: [], waiters: [], greeted: 0, closed: null };
    const wake = () => {
      for (const w of conn.waiters.splice(0)) w();
    };
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      const message = unpackr.unpack(data);
      if (conn.greeted < 2) {
        conn.greeted++;
        if (conn.greeted === 2) resolve(conn);
        return;
      }
      const type = message?.type;
      result.maxBytes[type] = Math.max(result.maxBytes[type] ?? 0, data.length);
      if (!isBinary) note(result.unexpected, 'a text message from the server');
      if (!ANSWERS.has(type)) {
        result.others++;
        return;
      }
      result.answers++;
      result.byType[type] = (result.byType[type] ?? 0) + 1;
      if (type === 'error') {
        result.codes[message.code] = (result.codes[message.code] ?? 0) + 1;
        result.maxErrorMessage = Math.max(result.maxErrorMessage, message.message.length);
      }
      const expected = conn.expected.shift();
      if (expected === undefined) note(result.unexpected, `an answer to nothing: ${JSON.stringify(message)}`);
      else if (expected.id !== undefined && message.id !== expected.id) {
        note(
          result.wrongId,
          `${expected.kind}: expected id ${expected.id}, but got ${message.id} (${message.message})`,
        );
      } else if (expected.id === undefined && message.id !== undefined && typeof message.id === 'number') {
        note(result.wrongId, `${expected.kind}: expected no numeric id, but got ${message.id}`);
      }
      wake();
    });
    ws.on('close', (code) => {
      conn.closed = code;
      if (conn.greeted < 2) reject(new Error(`closed (${code}) before its hello and history`));
      wake();
    });
  });
}

/** Resolves once `test()` holds, re-checked on every answer and close; rejects after timeoutMs. */
function until(conn, test, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const check = () => {
      if (test()) {
        clearTimeout(timer);
        resolve();
      } else conn.waiters.push(check);
    };
    check();
  });
}

async function drive(messages, first) {
  let conn = first;
  for (const m of messages) {
    if (m.oversize) {
      // Documented: the connection closes (1009) unanswered; whatever it still owes must come first.
      await until(conn, () => conn.expected.length === 0, 'the answers before an oversize message');
      conn.ws.send(m.data);
      await until(conn, () => conn.closed !== null, 'the close after an oversize message');
      result.oversize++;
      result.closes[conn.closed] = (result.closes[conn.closed] ?? 0) + 1;
      conn = await connect();
      result.reconnects++;
      continue;
    }
    await until(conn, () => conn.expected.length < window || conn.closed !== null, 'a free slot');
    if (conn.closed !== null) {
      note(result.unexpected, `connection closed with ${conn.closed} and ${conn.expected.length} answers owed`);
      result.closes[conn.closed] = (result.closes[conn.closed] ?? 0) + 1;
      conn = await connect();
      result.reconnects++;
    }
    conn.expected.push({ id: m.id, kind: m.kind });
    conn.ws.send(m.data);
    result.sent++;
  }
  await until(conn, () => conn.expected.length === 0 || conn.closed !== null, 'the last answers');
  if (conn.expected.length > 0) note(result.unexpected, `${conn.expected.length} answers never came`);
  return conn;
}

// Connects first, so that the connections are there before learning is timed; sends on the first message.
const opened = await Promise.all(connections.map(() => connect()));
parentPort.once('message', async () => {
  const started = performance.now();
  try {
    const conns = await Promise.all(connections.map((messages, i) => drive(messages, opened[i])));
    for (const conn of conns) conn.ws.terminate();
  } catch (error) {
    note(result.unexpected, String(error));
  }
  parentPort.postMessage({ ...result, ms: performance.now() - started });
});
parentPort.postMessage('ready');

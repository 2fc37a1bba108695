// A message a learner cannot learn from, put aside: published to `tprop.dead.<run>.<stream>` (the
// TPROP_DEAD stream) with why and where it came from in headers, and the original bytes (cut to
// `maxBytes`). Its id makes the dead letter of a message handled twice (a replay) a duplicate.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsLink } from './nats-connection.js';
import { DEAD_LETTER_HEADERS, SUBJECTS } from './subjects.js';

/** Characters of the reason a dead letter keeps. */
export const MAX_REASON = 300;

/** Publishes the dead letter of `message`, trying again while the server is away. */
export async function deadLetter(
  link: NatsLink,
  js: JetStreamClient,
  where: { readonly run: string; readonly stream: number },
  message: JsMsg,
  code: string,
  reason: string,
  maxBytes: number,
): Promise<void> {
  const h = headers();
  h.set(DEAD_LETTER_HEADERS.code, code);
  h.set(DEAD_LETTER_HEADERS.reason, reason.slice(0, MAX_REASON));
  h.set(DEAD_LETTER_HEADERS.subject, message.subject);
  h.set(DEAD_LETTER_HEADERS.sequence, String(message.seq));
  const data = message.data.subarray(0, maxBytes);
  for (;;) {
    try {
      await js.publish(SUBJECTS.deadLetter(where.run, where.stream), data, {
        headers: h,
        msgID: `dead/${where.run}/${message.seq}`,
      });
      return;
    } catch (error) {
      if (link.connection.isClosed()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

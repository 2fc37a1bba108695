// The bridge's error class: a fault of the connection (unreachable, refused credentials, a timeout)
// or of the cluster's state (a run that is not registered), with a stable code as every tprop error.

import { TpropError } from '../src/errors.js';

export type NatsErrorCode = 'ERR_NATS_CONNECT' | 'ERR_NATS_AUTH' | 'ERR_NATS_TIMEOUT' | 'ERR_NATS_FENCED' | 'ERR_NATS';

/** A NATS fault a user can cause or fix: match on `code`, not on the message. */
export class NatsError extends TpropError {
  constructor(code: NatsErrorCode, message: string) {
    super(code, message);
  }
}

// The viewer's socket: connects to /socket with the page's token, speaks msgpack, and when the
// connection is lost (say the server restarts) tries again after growing, jittered delays.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

export class Connection {
  /**
   * @param {{ url: string, onMessage: (m: object) => void, onStatus: (status: string, detail: string) => void }}
   * options
   */
  constructor({ url, onMessage, onStatus }) {
    const { Packr, Unpackr } = globalThis.msgpackr;
    // The same options as the server: typed arrays travel as msgpack ext type 0x74.
    this.packr = new Packr({ moreTypes: true, useRecords: false });
    this.unpackr = new Unpackr({ moreTypes: true, useRecords: false });
    this.url = url;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.socket = null;
    this.attempts = 0;
    this.timer = null;
  }

  start() {
    clearTimeout(this.timer);
    this.onStatus('connecting', this.attempts ? `connecting (attempt ${this.attempts + 1})` : 'connecting');
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
    });
    socket.addEventListener('message', (event) => {
      if (!(event.data instanceof ArrayBuffer)) return;
      let message;
      try {
        message = this.unpackr.unpack(new Uint8Array(event.data));
      } catch (error) {
        console.warn('viewer: undecodable message', error);
        return;
      }
      if (message?.type === 'hello') {
        this.attempts = 0;
        this.onStatus('live', 'live');
      }
      this.onMessage(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry(opened ? event.code : null);
    });
  }

  /** Sends one request; false when there is no open connection to send it on. */
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(this.packr.pack(message));
    return true;
  }

  retry(code) {
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempts) * (0.8 + Math.random() * 0.4);
    this.attempts++;
    // A refused upgrade (wrong token, foreign origin) looks like any failed connection here.
    const why =
      code === null
        ? 'cannot connect (server down or wrong token?)'
        : code === 1001
          ? 'server stopped'
          : code === 1006
            ? 'connection lost'
            : `closed (${code})`;
    this.onStatus('reconnecting', `${why}; retry in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => this.start(), delay);
  }
}

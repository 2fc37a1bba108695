// Ctrl-C (SIGINT) and SIGTERM while tprop runs: the first asks the run to end cleanly (stop,
// save, close the viewer), a second one exits at once, as a person pressing it twice expects.

import { EXIT } from './cli-error.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated };

export class Interrupts {
  /** The first signal that came, or null. */
  private first: StopSignal | null = null;
  private readonly listeners: Array<() => void> = [];
  private readonly handler = (signal: StopSignal): void => this.receive(signal);

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get signal(): StopSignal | null {
    return this.first;
  }

  /** 130 after Ctrl-C, 143 after SIGTERM (128 + the signal's number, as shells report it). */
  get exitCode(): number | null {
    return this.first === null ? null : EXIT_CODES[this.first];
  }

  /** Calls `listener` at the first signal, or at once if it has come already. */
  onFirst(listener: () => void): void {
    if (this.first !== null) listener();
    else this.listeners.push(listener);
  }

  /** Resolves at the first signal. */
  next(): Promise<void> {
    return new Promise((resolve) => this.onFirst(resolve));
  }

  /** Gives the signals back to node's default handling. */
  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  private receive(signal: StopSignal): void {
    if (this.first !== null) {
      process.stderr.write(`\ntprop: ${signal} again: exiting at once\n`);
      process.exit(EXIT_CODES[signal]);
    }
    this.first = signal;
    for (const listener of this.listeners.splice(0)) listener();
  }
}

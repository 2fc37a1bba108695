// Progress for people: on a terminal a bar redrawn in place on stderr a few times a second,
// elsewhere (a log file, CI) a plain line every few seconds; at the end a summary on stdout.

import { formatCount, formatMetric, formatSeconds, mainMetric } from './main-metric.js';
import type { ProgressReporter, ProgressSample, RunSummary } from './progress.js';

const BAR_WIDTH = 24;
const ERASE_LINE = '\r\x1b[2K';

export interface TextProgressOptions {
  /** Redraw one line in place (stderr is a terminal). */
  readonly tty: boolean;
  /** The terminal's width, to keep the bar on one line. */
  readonly columns?: number;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
}

export class TextProgress implements ProgressReporter {
  readonly intervalMs: number;
  private readonly tty: boolean;
  private readonly columns: number;
  private readonly out: (text: string) => void;
  private readonly err: (text: string) => void;
  /** The bar as last drawn, to put back after a notice; '' when none is on screen. */
  private drawn = '';

  constructor(options: TextProgressOptions) {
    this.tty = options.tty;
    this.columns = Math.max(40, options.columns || 80);
    this.out = options.out ?? ((text) => process.stdout.write(text));
    this.err = options.err ?? ((text) => process.stderr.write(text));
    this.intervalMs = this.tty ? 250 : 5000;
  }

  progress(sample: ProgressSample): void {
    if (!this.tty) {
      this.err(`tprop: ${describe(sample)}\n`);
      return;
    }
    this.drawn = clip(`${bar(sample)}${describe(sample)}`, this.columns - 1);
    this.err(`${ERASE_LINE}${this.drawn}`);
  }

  viewer(): void {
    // The viewer announces its own address (with any token) through `notice`.
  }

  notice(line: string): void {
    if (this.drawn === '') {
      this.err(`${line}\n`);
      return;
    }
    this.err(`${ERASE_LINE}${line}\n${this.drawn}`);
  }

  done(summary: RunSummary): void {
    this.close();
    const rate = summary.seconds > 0 ? ` (${formatCount(summary.steps / summary.seconds)} steps/s)` : '';
    const how = summary.interrupted ? 'stopped by Ctrl-C after' : 'done:';
    const lines = [
      `${summary.environment}, ${summary.agent} agent: ${how} ${formatCount(summary.steps)} steps in ` +
        `${formatSeconds(summary.seconds)}${rate}`,
    ];
    const names = Object.keys(summary.metrics).sort();
    const main = mainMetric(summary.metrics);
    const width = Math.max(0, ...names.map((n) => n.length));
    for (const name of names)
      lines.push(`  ${name.padEnd(width)}  ${formatMetric(summary.metrics[name]!)}${name === main ? '  (main)' : ''}`);
    if (names.length === 0) lines.push('  (no metrics yet)');
    this.out(`${lines.join('\n')}\n`);
  }

  close(): void {
    if (this.drawn === '') return;
    this.err(ERASE_LINE);
    this.drawn = '';
  }
}

function describe(sample: ProgressSample): string {
  const steps =
    sample.total === null
      ? `step ${formatCount(sample.step)}`
      : `step ${formatCount(sample.step)}/${formatCount(sample.total)}`;
  const main = mainMetric(sample.metrics);
  const metric = main === null ? '' : `  ${main} ${formatMetric(sample.metrics[main]!)}`;
  return `${steps}  ${formatCount(sample.stepsPerSecond)} steps/s${metric}`;
}

function bar(sample: ProgressSample): string {
  if (sample.total === null) return '';
  const done = Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * sample.step) / sample.total));
  return `[${'#'.repeat(done)}${'-'.repeat(BAR_WIDTH - done)}] `;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

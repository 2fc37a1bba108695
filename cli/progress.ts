// What every progress reporter of a run is told, and the reporter for --json: one JSON object per
// line on stdout (progress, the viewer's address, the final line) and nothing else there.

/** Where a run stands, as progress lines show it. */
export interface ProgressSample {
  readonly step: number;
  /** The step limit, when there is one. */
  readonly total: number | null;
  readonly stepsPerSecond: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Per modality, the largest anomaly score (Outcome.anomaly) since the previous sample. */
  readonly anomaly?: Readonly<Record<string, number>>;
}

/** How a run ended. */
export interface RunSummary {
  readonly steps: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly environment: string;
  readonly agent: string;
  readonly interrupted: boolean;
}

export interface ProgressReporter {
  /** Milliseconds between two clock-driven samples. */
  readonly intervalMs: number;
  /** A sample to show; clock-driven ones come every `intervalMs`, step-driven ones when due. */
  progress(sample: ProgressSample): void;
  /** The viewer is up at `url`. */
  viewer(url: string): void;
  /** A one-line notice for people (always stderr). */
  notice(line: string): void;
  done(summary: RunSummary): void;
  /** Leaves the terminal tidy (a redrawn bar erased), whatever happened. */
  close(): void;
}

type Write = (text: string) => void;

const stdout: Write = (text) => process.stdout.write(text);
const stderr: Write = (text) => process.stderr.write(text);

/** `--json`: machine-readable lines on stdout, notices on stderr. */
export class JsonProgress implements ProgressReporter {
  readonly intervalMs = 1000;

  constructor(
    private readonly out: Write = stdout,
    private readonly err: Write = stderr,
  ) {}

  progress(sample: ProgressSample): void {
    const anomaly = sample.anomaly && Object.keys(sample.anomaly).length > 0 ? { anomaly: sample.anomaly } : {};
    this.line({ step: sample.step, stepsPerSecond: round(sample.stepsPerSecond), metrics: sample.metrics, ...anomaly });
  }

  viewer(url: string): void {
    this.line({ viewer: url });
  }

  notice(line: string): void {
    this.err(`${line}\n`);
  }

  done(summary: RunSummary): void {
    this.line({ done: true, steps: summary.steps, metrics: summary.metrics });
  }

  close(): void {}

  private line(value: object): void {
    this.out(`${JSON.stringify(value)}\n`);
  }
}

/** Rates to a tenth: their last digits are noise, and noise makes logs hard to diff. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

// `tprop run data.csv --json`: one JSON line per row on stdout, with the value that came, the
// prediction made before it and its error in the columns' own units, and the anomaly score.

import type { LiveRun } from 'tprop';
import type { DataStream } from 'tprop/environments';

type Write = (text: string) => void;

/** The modality under which a predictive agent scores its input (the next row's values). */
const NEXT = 'next';

/** Six significant digits: float32 predictions have no more, and logs stay readable. */
const round = (v: number): number => Number(v.toPrecision(6));

interface Scale {
  readonly mean: readonly number[];
  readonly spread: readonly number[];
}

/**
 * Writes a line per step of `run` over `data`:
 * `{"step","row","timestamp"?,"actual":{col:v},"prediction":{col:v}|null,"error":{col:v}|null,
 * "anomaly":score|null,"labels"?:{name:{"actual","prediction","probability"}}}`. The first row
 * has no prediction; `anomaly` is null until the score has warmed up. Returns what stops it.
 */
export function writeDataLines(
  run: LiveRun,
  data: DataStream,
  write: Write = (text) => process.stdout.write(text),
): () => void {
  const columns = data.columns;
  const labelNames = data.labels.map((name) => {
    const space = data.observationSpace.kind === 'dict' ? data.observationSpace.spaces[name] : undefined;
    return space?.kind === 'discrete' ? (space.labels ?? []) : [];
  });
  const subscription = run.events.subscribe({
    next: ({ transition, outcome }) => {
      const info = transition.info as { row: number; raw: number[]; timestamp?: unknown; scale?: Scale };
      const line: Record<string, unknown> = { step: transition.step, row: info.row };
      if (info.timestamp !== undefined) line.timestamp = info.timestamp;
      const actual: Record<string, number> = {};
      columns.forEach((name, i) => {
        actual[name] = info.raw[i]!;
      });
      line.actual = actual;
      const scored = outcome.scored.find((s) => s.name === NEXT);
      let prediction: Record<string, number> | null = null;
      let error: Record<string, number> | null = null;
      if (scored !== undefined) {
        prediction = {};
        error = {};
        for (let i = 0; i < columns.length; i++) {
          const p = scored.prediction[i]!;
          const value = info.scale === undefined ? p : info.scale.mean[i]! + p * info.scale.spread[i]!;
          prediction[columns[i]!] = round(value);
          error[columns[i]!] = round(value - info.raw[i]!);
        }
      }
      line.prediction = prediction;
      line.error = error;
      const score = outcome.anomaly?.[NEXT];
      line.anomaly = score === undefined ? null : round(score);
      if (data.labels.length > 0) {
        const labels: Record<string, unknown> = {};
        data.labels.forEach((name, k) => {
          const names = labelNames[k]!;
          const code = (transition.observation as Record<string, unknown>)[name];
          const guess = outcome.scored.find((s) => s.name === name)?.prediction;
          let best = -1;
          if (guess !== undefined)
            for (let c = 0; c < guess.length; c++) if (best < 0 || guess[c]! > guess[best]!) best = c;
          labels[name] = {
            actual: typeof code === 'number' ? names[code] : null,
            prediction: best < 0 ? null : names[best],
            probability: best < 0 ? null : round(guess![best]!),
          };
        });
        line.labels = labels;
      }
      write(`${JSON.stringify(line)}\n`);
    },
    // The run's error reaches the command through `done`.
    error: () => undefined,
  });
  return () => subscription.unsubscribe();
}

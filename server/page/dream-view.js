// The dreams panel: a continuation the agent dreams from where the run is now, on request:
// symbols by their names for a symbol stream, a line per dimension over the dreamed steps for a
// vector one (drawn with the step axis from the step the dream starts after).

import { COLORS, drawLines, fitCanvas } from './plots.js';

export class DreamView {
  /** `root` holds the panel; `next` is the topology's modality of the next input (or undefined). */
  constructor(root) {
    this.root = root;
    this.text = root.querySelector('#dream-output');
    this.canvas = root.querySelector('#dream-plot');
    this.last = null;
    this.modality = undefined;
  }

  /** The modality dreams are of; none (an agent that does not predict its input) disables the panel. */
  setModality(modality) {
    this.modality = modality;
    this.last = null;
    this.text.textContent = modality ? 'press Dream for a continuation from the current step' : 'nothing to dream';
    this.text.dataset.step = '';
    this.canvas.hidden = true;
  }

  show(message) {
    this.last = message;
    const { values, step, temperature } = message;
    this.text.dataset.step = String(step);
    this.text.dataset.count = String(values.length);
    const labels = this.modality?.labels;
    if (labels && values.every((v) => typeof v === 'number')) {
      const joiner = labels.every((l) => l.length === 1) ? '' : ' ';
      const symbols = values.map((v) => labels[v] ?? '?').join(joiner);
      this.text.textContent = `from step ${step}, temperature ${temperature}: ${symbols}`;
      this.canvas.hidden = true;
      return;
    }
    this.text.textContent = `from step ${step}, temperature ${temperature}: ${values.length} steps`;
    this.canvas.hidden = false;
    this.draw();
  }

  draw() {
    if (!this.last || this.canvas.hidden) return;
    const { values, step } = this.last;
    const { ctx, width, height } = fitCanvas(this.canvas, 110);
    const rows = values.map((v) => (typeof v === 'number' ? [v] : v));
    const steps = rows.map((_, k) => step + k + 1);
    const series = (rows[0] ?? []).map((_, d) => ({
      values: rows.map((r) => r[d]),
      color: COLORS[d % COLORS.length],
    }));
    drawLines(ctx, { x: 0, y: 0, w: width, h: height }, steps, series, { empty: 'no dream' });
  }
}

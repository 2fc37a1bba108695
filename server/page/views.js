// The viewer's panels, built once from the topology: a view per layer, per modality and per
// loss or metric, each redrawn from the latest frame and a short history of recent steps.

import { COLORS, colorScale, drawBars, drawEmpty, drawHeat, drawLines, fitCanvas, short, unitRange } from './plots.js';

/** Steps kept for curves. */
export const HISTORY = 240;
const MAX_DIMS = 3;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** A legend entry; the swatch is coloured through the CSSOM, which the page's CSP allows. */
function swatch(color, text) {
  const mark = element('i');
  mark.style.background = color;
  return element('span', {}, mark, text);
}

function argmax(values) {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** Recent values by key, aligned with recent steps, oldest first. */
export class History {
  constructor() {
    this.steps = [];
    this.series = new Map();
  }

  push(step, values) {
    const last = this.steps.at(-1);
    if (last !== undefined && step === last) return;
    if (last !== undefined && step < last) this.clear(); // a new run or a reset
    for (const key of Object.keys(values)) {
      if (!this.series.has(key)) this.series.set(key, new Array(this.steps.length).fill(null));
    }
    this.steps.push(step);
    for (const [key, list] of this.series) list.push(values[key] ?? null);
    if (this.steps.length > HISTORY) {
      this.steps.shift();
      for (const list of this.series.values()) list.shift();
    }
  }

  get(key) {
    return this.series.get(key) ?? [];
  }

  clear() {
    this.steps = [];
    this.series.clear();
  }
}

export class LayerView {
  constructor(parent, layer) {
    this.layer = layer;
    this.error = element('span', { class: 'error', 'data-layer-error': layer.name }, '—');
    this.canvas = element('canvas', { 'data-layer': layer.name, 'aria-label': `${layer.name}: code and target` });
    this.spark = element('canvas', { class: 'spark', 'data-layer-error-curve': layer.name });
    parent.append(
      element(
        'article',
        { class: 'layer' },
        element(
          'div',
          { class: 'layer-head' },
          element('h3', {}, layer.name),
          element('span', { class: 'muted' }, `${layer.units} · ${layer.size} units`),
          this.error,
        ),
        element('div', { class: 'halves' }, element('span', {}, 'code'), element('span', {}, 'target')),
        this.canvas,
        this.spark,
      ),
    );
  }

  draw(data, history) {
    const gap = 12;
    const half = Math.max(20, (this.canvas.clientWidth - gap) / 2);
    const size = this.layer.size;
    // One row while cells stay at least 4 px wide; otherwise a grid of up to 8 px cells, about 160 px tall at most.
    let cols = size;
    let height = 26;
    if (size * 4 > half) {
      const cell = Math.max(3, Math.min(8, Math.sqrt((half * 160) / size)));
      cols = Math.max(1, Math.floor(half / cell));
      height = Math.ceil(size / cols) * cell;
    }
    const { ctx } = fitCanvas(this.canvas, height);
    const left = { x: 0, y: 0, w: half, h: height };
    const right = { x: half + gap, y: 0, w: half, h: height };
    if (!data) {
      drawEmpty(ctx, left, 'no frame yet');
      drawEmpty(ctx, right, 'no frame yet');
    } else {
      const scale = colorScale(...unitRange(this.layer.units, [data.code, data.target]));
      drawHeat(ctx, data.code, left, cols, scale);
      if (data.target) drawHeat(ctx, data.target, right, cols, scale);
      else drawEmpty(ctx, right, 'no target yet');
      this.error.textContent = `recon. error ${short(data.reconstructionError)}`;
    }
    const spark = fitCanvas(this.spark, 32);
    drawLines(spark.ctx, { x: 0, y: 0, w: spark.width, h: spark.height }, history.steps, [
      { values: history.get(`error:${this.layer.name}`), color: COLORS[3] },
    ]);
  }
}

export class ModalityView {
  constructor(parent, modality) {
    this.modality = modality;
    this.readout = element('span', { class: 'readout' }, '—');
    this.canvas = element('canvas', { 'data-modality': modality.name });
    const dims = Math.min(modality.size, MAX_DIMS);
    const legend =
      modality.kind === 'continuous'
        ? element(
            'div',
            { class: 'legend' },
            ...Array.from({ length: dims }, (_, d) => swatch(COLORS[d], `dim ${d}`)),
            element('span', {}, 'solid: predicted · dashed: actual'),
          )
        : element(
            'div',
            { class: 'legend' },
            swatch(COLORS[1], 'most likely'),
            swatch('#3a4654', 'other classes'),
            swatch(COLORS[0], 'actual class'),
          );
    parent.append(
      element(
        'article',
        { class: 'modality' },
        element(
          'div',
          { class: 'modality-head' },
          element('h3', {}, modality.name),
          element('span', { class: 'muted' }, `${modality.kind} · ${modality.size}`),
          this.readout,
        ),
        this.canvas,
        legend,
      ),
    );
  }

  /** History values this modality keeps per step. */
  sample(data) {
    const out = {};
    if (this.modality.kind !== 'continuous' || !data) return out;
    for (let d = 0; d < Math.min(this.modality.size, MAX_DIMS); d++) {
      out[`pred:${this.modality.name}:${d}`] = data.prediction[d];
      out[`actual:${this.modality.name}:${d}`] = data.actual ? data.actual[d] : null;
    }
    return out;
  }

  draw(data, history) {
    const { ctx, width, height } = fitCanvas(this.canvas, 96);
    const box = { x: 0, y: 0, w: width, h: height };
    if (!data) return drawEmpty(ctx, box, 'no frame yet');
    const { name, kind, labels } = this.modality;
    if (kind === 'categorical') {
      const actual = data.actual ? argmax(data.actual) : -1;
      const predicted = argmax(data.prediction);
      const label = (k) => (k < 0 ? 'missing' : (labels?.[k] ?? String(k)));
      this.readout.textContent = `predicted ${label(predicted)} · actual ${label(actual)}`;
      return drawBars(ctx, box, data.prediction, actual, labels);
    }
    const series = [];
    for (let d = 0; d < Math.min(this.modality.size, MAX_DIMS); d++) {
      series.push({ values: history.get(`pred:${name}:${d}`), color: COLORS[d] });
      series.push({ values: history.get(`actual:${name}:${d}`), color: COLORS[d], dashed: true });
    }
    this.readout.textContent =
      `predicted ${short(data.prediction[0])} · actual ` + `${data.actual ? short(data.actual[0]) : 'missing'}`;
    drawLines(ctx, box, history.steps, series);
  }
}

/** Small multiples: one curve per loss or metric, each on its own scale. */
export class CurveSet {
  constructor(parent, prefix, names) {
    this.prefix = prefix;
    this.curves = names.map((name, i) => {
      const value = element('span', { class: 'value' }, '—');
      const canvas = element('canvas', { [`data-${prefix}`]: name });
      parent.append(
        element(
          'div',
          { class: 'curve' },
          element('div', { class: 'curve-head' }, element('span', {}, name), value),
          canvas,
        ),
      );
      return { name, value, canvas, color: COLORS[i % COLORS.length] };
    });
  }

  draw(values, history) {
    for (const c of this.curves) {
      c.value.textContent = short(values?.[c.name]);
      const { ctx, width, height } = fitCanvas(c.canvas, 56);
      drawLines(ctx, { x: 0, y: 0, w: width, h: height }, history.steps, [
        { values: history.get(`${this.prefix}:${c.name}`), color: c.color },
      ]);
    }
  }
}

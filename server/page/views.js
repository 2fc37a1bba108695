// The viewer's panels, built from the topology: a view per layer (its code over recent steps, the
// newest code beside its target, its input and the reconstruction, and its curves over the whole
// run), per modality (what was scored against what came, and the forecast) and per loss or metric.

import {
  COLORS,
  GRID,
  TEXT,
  colorScale,
  drawBars,
  drawEmpty,
  drawHeat,
  drawLegend,
  drawValueBars,
  drawLines,
  drawRaster,
  drawStepAxis,
  fitCanvas,
  short,
  unitRange,
} from './plots.js';
import { RecentFrames } from './history.js';

const MAX_DIMS = 3;
const steps = new Intl.NumberFormat('en-US');

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** A legend entry; the swatch is coloured through the CSSOM, which the page's CSP allows. */
export function swatch(color, text, dashed = false) {
  const mark = element('i', dashed ? { class: 'dashed' } : {});
  mark.style.background = dashed ? 'none' : color;
  mark.style.borderColor = color;
  return element('span', {}, mark, text);
}

/** ✓ when the most likely class was the one that came. */
function mark(scoring) {
  return argmax(scoring.scored) === argmax(scoring.actual) ? '✓' : '✗';
}

function argmax(values) {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** The hover text of a loss or metric: its definition, range and chance level. */
export function describe(name, info) {
  if (!info) return name;
  const extra = [
    info.range ? `range ${info.range[0]} to ${info.range[1]}` : '',
    Number.isFinite(info.chance) ? `chance ${short(info.chance)} (a uniform guess)` : '',
  ].filter(Boolean);
  return `${name}: ${info.definition}${extra.length ? `. ${extra.join('; ')}.` : ''}`;
}

/** One curve of the whole run with a step axis, under a head with its name and latest value. */
export class Curve {
  constructor(parent, { name, label = name, key, info, color, attribute, log = false }) {
    this.key = key;
    this.info = info;
    this.color = color;
    this.log = log;
    this.value = element('span', { class: 'value' }, '—');
    this.canvas = element('canvas', attribute);
    this.node = element(
      'div',
      { class: 'curve', title: describe(name, info) },
      element('div', { class: 'curve-head' }, element('span', { class: 'curve-name' }, label), this.value),
      this.canvas,
    );
    parent.append(this.node);
  }

  draw(latest, history, height = 62) {
    this.value.textContent = short(latest);
    const { ctx, width, height: h } = fitCanvas(this.canvas, height);
    const chance = this.info?.chance;
    const drawn = drawLines(
      ctx,
      { x: 0, y: 0, w: width, h },
      history.steps,
      [{ values: history.get(this.key), color: this.color }],
      {
        range: this.info?.range,
        reference: Number.isFinite(chance) ? { value: chance, label: `chance ${short(chance)}` } : undefined,
        log: this.log,
        empty: 'no value yet',
      },
    );
    this.canvas.dataset.from = drawn ? String(drawn.from) : '';
    this.canvas.dataset.points = drawn ? String(drawn.points) : '0';
  }
}

/** A column of cells, one per value, in a box (rows top to bottom). */
function drawColumn(ctx, values, box, scale) {
  drawHeat(ctx, values, box, 1, scale);
}

export class LayerView {
  constructor(parent, layer) {
    this.layer = layer;
    this.error = element('span', { class: 'error', 'data-layer-error': layer.name }, '—');
    this.legend = element('canvas', { class: 'legend-bar', 'data-layer-legend': layer.name });
    this.caption = element('div', { class: 'caption', 'data-layer-caption': layer.name }, 'no frame yet');
    this.canvas = element('canvas', {
      'data-layer': layer.name,
      'aria-label': `${layer.name}: code over recent steps, newest code, target, input and reconstruction`,
    });
    const curves = element('div', { class: 'curves layer-curves' });
    this.node = element(
      'article',
      { class: 'layer', 'data-layer-view': layer.name },
      element(
        'div',
        { class: 'layer-head' },
        element('h3', {}, layer.name),
        element('span', { class: 'muted' }, `${layer.units} · ${layer.size} units`),
        element('span', { class: 'legend-box', title: `Colour of a unit's value (${layer.units} units)` }, this.legend),
        this.error,
      ),
      this.caption,
      this.canvas,
      curves,
    );
    parent.append(this.node);
    this.curves = [
      new Curve(curves, {
        name: `${layer.name} reconstruction error`,
        label: 'reconstruction error',
        key: `error:${layer.name}`,
        info: { definition: 'Mean squared error of the reconstruction of the input below from the newest code' },
        color: COLORS[3],
        attribute: { 'data-layer-error-curve': layer.name },
        log: true,
      }),
      new Curve(curves, {
        name: `${layer.name} mean |code|`,
        label: 'mean |code|',
        key: `activity:${layer.name}`,
        info: {
          definition: 'Mean absolute value of the newest code (near 0: quiet units; near 1 for tanh: saturated)',
          ...(layer.units === 'tanh' || layer.units === 'sigmoid' ? { range: [0, 1] } : {}),
        },
        color: COLORS[5],
        attribute: { 'data-layer-activity-curve': layer.name },
      }),
    ];
  }

  draw(data, history) {
    const size = this.layer.size;
    const values = data ? [data.code, data.target, data.recentCodes] : [];
    const scale = colorScale(...unitRange(this.layer.units, values));
    const legend = fitCanvas(this.legend, 22);
    drawLegend(legend.ctx, { x: 0, y: 1, w: legend.width, h: 21 }, scale);

    const rowH = Math.max(1, Math.min(5, Math.floor(150 / size)));
    const rasterH = Math.max(40, Math.min(170, size * rowH));
    const top = 14;
    const { ctx, width } = fitCanvas(this.canvas, top + rasterH + 16);
    const col = 30;
    const gap = 12;
    // Right to left: reconstruction, input, (gap), target, code; the raster fills the rest.
    const xRec = width - col;
    const xIn = xRec - 4 - col;
    const xTarget = xIn - gap - col;
    const xCode = xTarget - 4 - col;
    const raster = { x: 0, y: top, w: xCode - gap, h: rasterH };
    ctx.fillStyle = TEXT;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'center';
    for (const [x, text] of [
      [xCode, 'code'],
      [xTarget, 'target'],
      [xIn, 'in'],
      [xRec, 'rec'],
    ])
      ctx.fillText(text, x + col / 2, top - 2);
    if (!data) {
      drawEmpty(ctx, raster, 'no frame yet');
      return this.drawCurves(history);
    }
    const recent = data.recentCodes;
    const kept = recent ? Math.floor(recent.length / size) : 0;
    ctx.textAlign = 'left';
    ctx.fillText(kept > 0 ? `code over the last ${kept} steps (a row per unit)` : 'code', raster.x, top - 2);
    const from = kept > 0 ? data.recentFrom : data.step;
    const to = data.step;
    if (kept > 0) {
      drawRaster(ctx, recent, size, raster, scale);
      const px = (step) => raster.x + ((step - from + 0.5) / kept) * raster.w;
      drawStepAxis(ctx, raster, from, to, px, 5);
      if (data.targetStep !== null && data.targetStep >= from && data.targetStep <= to) {
        // Where the target belongs: the column of its step, outlined.
        const x = raster.x + ((data.targetStep - from) / kept) * raster.w;
        const w = Math.max(2, raster.w / kept);
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 1;
        ctx.strokeRect(Math.round(x) - 0.5, raster.y - 0.5, Math.round(w) + 1, raster.h + 1);
      }
    } else drawEmpty(ctx, raster, 'no recent codes');
    const column = (x, values, missing) =>
      values?.length
        ? drawColumn(ctx, values, { x, y: top, w: col, h: rasterH }, scale)
        : drawEmpty(ctx, { x, y: top, w: col, h: rasterH }, missing);
    column(xCode, data.code, '');
    column(xTarget, data.target, '');
    // Input and reconstruction share their own scale: what the layer reads may be one-hot, or codes.
    const inScale = colorScale(...unitRange(this.layer.units, [data.input, data.reconstruction]));
    const below = (x, values) =>
      values?.length
        ? drawColumn(ctx, values, { x, y: top, w: col, h: rasterH }, inScale)
        : drawEmpty(ctx, { x, y: top, w: col, h: rasterH }, '');
    below(xIn, data.input);
    below(xRec, data.reconstruction);
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    ctx.moveTo(xTarget + col + gap / 2 + 0.5, top);
    ctx.lineTo(xTarget + col + gap / 2 + 0.5, top + rasterH);
    ctx.stroke();

    const lag = data.targetStep === null ? null : data.step - data.targetStep;
    this.node.dataset.step = String(data.step);
    this.node.dataset.targetStep = data.targetStep === null ? '' : String(data.targetStep);
    this.caption.textContent =
      `code at step ${steps.format(data.step)} · ` +
      (data.targetStep === null
        ? 'no target yet'
        : `target for step ${steps.format(data.targetStep)}${lag > 0 ? ` (${lag} before, outlined)` : ''}`) +
      ` · input ${data.input?.length ?? 0} wide and its reconstruction`;
    this.error.textContent = `recon. error ${short(data.reconstructionError)}`;
    this.drawCurves(history);
  }

  drawCurves(history) {
    const latest = (key) => {
      const v = history.get(key);
      return v.length ? v[v.length - 1] : null;
    };
    for (const c of this.curves) c.draw(latest(c.key), history, 54);
  }
}

export class ModalityView {
  constructor(parent, modality) {
    this.modality = modality;
    this.recent = new RecentFrames();
    const { name, kind, size, labels } = modality;
    this.scoredText = element('div', { class: 'readout', 'data-scored': name }, '—');
    this.forecastText = element('div', { class: 'readout', 'data-forecast': name }, '—');
    this.canvas = element('canvas', { 'data-modality': name });
    this.forecastCanvas = element('canvas', { 'data-modality-forecast': name });
    this.anomalyCanvas = element('canvas', { 'data-modality-anomaly': name });
    this.anomalyText = element('div', { class: 'readout', 'data-anomaly': name }, '—');
    const dims = Math.min(size, MAX_DIMS);
    const legend =
      kind === 'continuous'
        ? element(
            'div',
            { class: 'legend' },
            ...Array.from({ length: dims }, (_, d) => swatch(COLORS[d], `dim ${d}`)),
            element('span', {}, 'solid: the prediction scored · dashed: the value that came'),
          )
        : element(
            'div',
            { class: 'legend' },
            swatch(COLORS[1], 'most likely'),
            swatch('#3a4654', 'other classes'),
            swatch(COLORS[0], 'the class that came'),
          );
    const what = name === 'next' ? 'the next input' : name;
    const classes = kind === 'categorical' ? `${size} classes${labels ? `: ${labels.join(' ')}` : ''}` : `${size}`;
    parent.append(
      element(
        'article',
        { class: 'modality' },
        element(
          'div',
          { class: 'modality-head' },
          element('h3', {}, name),
          element('span', { class: 'muted', title: classes }, `${kind} · ${size}`),
        ),
        element(
          'div',
          { class: 'pair' },
          element(
            'div',
            {
              title:
                `The prediction of ${what} that was scored at this step, made before the value came, ` +
                'beside the value that came',
            },
            element('div', { class: 'sub' }, 'scored at this step'),
            this.canvas,
            this.scoredText,
          ),
          element(
            'div',
            {
              title:
                name === 'next'
                  ? 'What the agent now predicts the next input will be; it is scored at the next step'
                  : `The agent's prediction of ${name} from this step's code, for a value not seen yet`,
            },
            element(
              'div',
              { class: 'sub' },
              name === 'next' ? 'forecast for the next step' : 'forecast (not yet seen)',
            ),
            this.forecastCanvas,
            this.forecastText,
          ),
        ),
        legend,
        element(
          'div',
          {
            title:
              `How unusual the errors of ${what} have been lately, against their history (0 to 1; ` +
              'each point the largest since the frame before; dashed: 0.99)',
          },
          element('div', { class: 'sub' }, 'anomaly score over the run'),
          this.anomalyCanvas,
          this.anomalyText,
        ),
      ),
    );
  }

  /** Keeps this modality's latest scoring, for the view of recent steps (each step once). */
  sample(data) {
    const last = data?.lastScored;
    if (last && this.modality.kind === 'continuous') this.recent.push({ step: last.step, m: last });
  }

  clear() {
    this.recent.clear();
  }

  label(k) {
    return this.modality.labels?.[k] ?? String(k);
  }

  /** The anomaly trace: each frame's largest score since the one before, on [0, 1], 0.99 dashed. */
  drawAnomaly(data, history) {
    const plot = fitCanvas(this.anomalyCanvas, 56);
    const box = { x: 0, y: 0, w: plot.width, h: plot.height };
    const key = `anomaly:${this.modality.name}`;
    const values = history?.get(key) ?? [];
    drawLines(plot.ctx, box, history?.steps ?? [], [{ values, color: COLORS[0] }], {
      range: [0, 1],
      reference: { value: 0.99, label: '0.99' },
      empty: 'no anomaly score yet',
    });
    const now = data?.anomaly;
    this.anomalyText.textContent = typeof now === 'number' ? `largest since the last frame: ${short(now)}` : '—';
  }

  draw(data, step, history) {
    this.drawAnomaly(data, history);
    const { kind, name } = this.modality;
    const main = fitCanvas(this.canvas, 92);
    const side = fitCanvas(this.forecastCanvas, 92);
    const box = { x: 0, y: 0, w: main.width, h: main.height };
    const sideBox = { x: 0, y: 0, w: side.width, h: side.height };
    if (!data) {
      drawEmpty(main.ctx, box, 'no frame yet');
      drawEmpty(side.ctx, sideBox, 'no frame yet');
      return;
    }
    const at = `step ${steps.format(step)}`;
    const node = this.scoredText;
    node.dataset.step = String(step);
    if (kind === 'categorical') {
      const actual = data.actual ? argmax(data.actual) : -1;
      const predicted = data.scored ? argmax(data.scored) : -1;
      node.dataset.predicted = predicted < 0 ? '' : this.label(predicted);
      node.dataset.actual = actual < 0 ? '' : this.label(actual);
      const last = data.lastScored;
      if (data.scored) {
        drawBars(main.ctx, box, data.scored, actual, this.modality.labels);
        node.textContent = `${at}: predicted ${this.label(predicted)} · came ${this.label(actual)} ${mark(data)}`;
        node.classList.remove('stale');
      } else if (last) {
        // Nothing scored now (absent, or the first step of an episode): the latest scoring, dimmed.
        const [p, a] = [argmax(last.scored), argmax(last.actual)];
        main.ctx.globalAlpha = 0.45;
        drawBars(main.ctx, box, last.scored, a, this.modality.labels);
        main.ctx.globalAlpha = 1;
        const now = actual < 0 ? 'absent now' : `came ${this.label(actual)}, not scored`;
        node.textContent =
          `${at}: ${now} · last scored at ${steps.format(last.step)}: ` +
          `predicted ${this.label(p)} · came ${this.label(a)} ${mark(last)}`;
        node.classList.add('stale');
      } else {
        drawEmpty(main.ctx, box, actual < 0 ? `absent at ${at}` : `came ${this.label(actual)}; nothing scored`);
        node.textContent = actual < 0 ? `${at}: no value yet` : `${at}: came ${this.label(actual)}, not scored`;
      }
      const guess = argmax(data.forecast);
      drawBars(side.ctx, sideBox, data.forecast, -1, this.modality.labels);
      this.forecastText.dataset.predicted = this.label(guess);
      this.forecastText.textContent =
        `${name === 'next' ? `for step ${steps.format(step + 1)}` : 'now'}: ` +
        `${this.label(guess)} (p ${short(data.forecast[guess])})`;
      return;
    }
    // Continuous: the recent frames' scored predictions and values, then the forecast's values.
    const frames = this.recent.frames;
    const series = [];
    const stepsOf = frames.map((f) => f.step);
    for (let d = 0; d < Math.min(this.modality.size, MAX_DIMS); d++) {
      series.push({ values: frames.map((f) => f.m?.scored?.[d] ?? null), color: COLORS[d] });
      series.push({ values: frames.map((f) => f.m?.actual?.[d] ?? null), color: COLORS[d], dashed: true });
    }
    drawLines(main.ctx, box, stepsOf, series, { empty: 'nothing scored yet', markers: true });
    const last = data.lastScored;
    node.textContent = data.scored
      ? `${at}: predicted ${short(data.scored[0])} · came ${short(data.actual?.[0])}`
      : last
        ? `${at}: absent now · last scored at ${steps.format(last.step)}: ` +
          `predicted ${short(last.scored[0])} · came ${short(last.actual[0])}`
        : `${at}: no value yet`;
    drawValueBars(side.ctx, sideBox, data.forecast);
    const shown = Array.from(data.forecast.slice(0, 4), short).join(', ');
    this.forecastText.textContent = `${name === 'next' ? `for step ${steps.format(step + 1)}` : 'now'}: ${shown}`;
  }
}

/** Small multiples over the whole run: one curve per loss or metric, each on its own scale. */
export class CurveSet {
  constructor(parent, prefix, names, about) {
    this.parent = parent;
    this.prefix = prefix;
    this.curves = [];
    this.update(names, about);
  }

  /** Adds curves for names not shown yet (the topology grew). */
  update(names, about) {
    const known = new Set(this.curves.map((c) => c.name));
    for (const name of names) {
      if (known.has(name)) continue;
      const curve = new Curve(this.parent, {
        name,
        key: `${this.prefix}:${name}`,
        info: about?.[name],
        color: COLORS[this.curves.length % COLORS.length],
        attribute: { [`data-${this.prefix}`]: name },
        log: this.prefix === 'loss',
      });
      curve.name = name;
      this.curves.push(curve);
    }
  }

  draw(values, history) {
    for (const c of this.curves) c.draw(values?.[c.name], history);
  }
}

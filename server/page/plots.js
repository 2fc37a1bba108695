// Drawing primitives of the viewer: sharp canvases on any pixel ratio, colour scales with their
// legend, heat strips and rasters of unit values, line charts over a step axis with fixed ranges
// and reference lines, and class bars with the class that came marked.

export const COLORS = ['#f5a524', '#58a6ff', '#3fb950', '#d2a8ff', '#ff7b72', '#39c5cf', '#e3b341', '#8b949e'];
export const GRID = '#262d37';
export const TEXT = '#7d8794';
const FONT = '10px system-ui, sans-serif';

/** Sizes a canvas's backing store to its CSS box; returns a context drawing in CSS pixels. */
export function fitCanvas(canvas, cssHeight) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, canvas.clientWidth);
  if (cssHeight !== undefined) canvas.style.height = `${cssHeight}px`;
  const height = Math.max(1, cssHeight ?? canvas.clientHeight);
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

// Signed units diverge from a dark zero (blue below, orange above); non-negative units climb from dark to bright.
const DIVERGING = [
  [88, 166, 255],
  [28, 33, 40],
  [245, 165, 36],
];
const SEQUENTIAL = [
  [28, 33, 40],
  [57, 197, 207],
  [250, 240, 180],
];

/** Maps a value in [lo, hi] to an RGB triple; signed scales centre zero. */
export function colorScale(lo, hi) {
  const stops = lo < 0 ? DIVERGING : SEQUENTIAL;
  const scale = (v) => {
    let t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    t = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
    return t < 0.5 ? mix(stops[0], stops[1], t * 2) : mix(stops[1], stops[2], t * 2 - 1);
  };
  scale.lo = lo;
  scale.hi = hi;
  return scale;
}

/** The value range to colour a layer's units with: fixed for bounded units, else by magnitude. */
export function unitRange(units, values) {
  if (units === 'sigmoid' || units === 'binary') return [0, 1];
  if (units === 'tanh' || units === 'sign') return [-1, 1];
  let m = 1e-6;
  for (const array of values) if (array) for (const v of array) if (Math.abs(v) > m) m = Math.abs(v);
  m = Number(m.toPrecision(2));
  return units === 'relu' ? [0, m] : [-m, m];
}

const scratch = document.createElement('canvas');

function paint(ctx, width, height, box, fill) {
  scratch.width = width;
  scratch.height = height;
  const sctx = scratch.getContext('2d');
  const image = sctx.createImageData(width, height);
  fill(image.data);
  sctx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, box.x, box.y, box.w, box.h);
}

/** Draws `values` as a grid of `cols` cells filling the box, one cell per unit, row by row. */
export function drawHeat(ctx, values, box, cols, scale) {
  const rows = Math.ceil(values.length / cols);
  paint(ctx, cols, rows, box, (data) => {
    for (let i = 0; i < values.length; i++) {
      const [r, g, b] = scale(values[i]);
      data.set([r, g, b, 255], i * 4);
    }
  });
  ctx.strokeStyle = GRID;
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
}

/** A raster of `codes` (steps × size, oldest first): one row per unit, one column per step. */
export function drawRaster(ctx, codes, size, box, scale) {
  const steps = Math.floor(codes.length / size);
  if (steps === 0) return;
  paint(ctx, steps, size, box, (data) => {
    for (let t = 0; t < steps; t++) {
      for (let u = 0; u < size; u++) {
        const [r, g, b] = scale(codes[t * size + u]);
        data.set([r, g, b, 255], (u * steps + t) * 4);
      }
    }
  });
}

/** A horizontal colour bar for `scale` with its ends and middle written under it. */
export function drawLegend(ctx, box, scale) {
  const { lo, hi } = scale;
  const barH = Math.max(4, box.h - 12);
  const n = Math.max(2, Math.round(box.w));
  paint(ctx, n, 1, { x: box.x, y: box.y, w: box.w, h: barH }, (data) => {
    for (let i = 0; i < n; i++) {
      const [r, g, b] = scale(lo + ((hi - lo) * i) / (n - 1));
      data.set([r, g, b, 255], i * 4);
    }
  });
  ctx.fillStyle = TEXT;
  ctx.font = FONT;
  ctx.textBaseline = 'bottom';
  const y = box.y + box.h;
  ctx.textAlign = 'left';
  ctx.fillText(axisLabel(lo), box.x, y);
  ctx.textAlign = 'center';
  ctx.fillText(axisLabel((lo + hi) / 2), box.x + box.w / 2, y);
  ctx.textAlign = 'right';
  ctx.fillText(axisLabel(hi), box.x + box.w, y);
}

/** A placeholder for a view with nothing to show yet. */
export function drawEmpty(ctx, box, text) {
  ctx.strokeStyle = GRID;
  ctx.setLineDash([4, 4]);
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
  ctx.setLineDash([]);
  ctx.fillStyle = TEXT;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, box.x + box.w / 2, box.y + box.h / 2);
}

/** Round numbers between lo and hi, about `count` of them. */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].map((k) => k * mag).find((k) => k >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / unit) * unit; v <= hi + 1e-9 * unit; v += unit) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A step count in a few characters: 950, 12.5k, 3.1M. */
export function stepLabel(step) {
  const a = Math.abs(step);
  if (a >= 1e6) return `${Number((step / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((step / 1e3).toPrecision(3))}k`;
  return String(Math.round(step));
}

/** Writes step ticks under `box` for steps x0..x1 mapped by `px`; returns nothing. */
export function drawStepAxis(ctx, box, x0, x1, px, ticks = 4) {
  ctx.strokeStyle = GRID;
  ctx.fillStyle = TEXT;
  ctx.font = FONT;
  ctx.textBaseline = 'top';
  const y = box.y + box.h;
  ctx.beginPath();
  ctx.moveTo(box.x, y + 0.5);
  ctx.lineTo(box.x + box.w, y + 0.5);
  ctx.stroke();
  const steps = niceTicks(x0, x1, ticks);
  const brief = steps.map(stepLabel);
  // Short labels that would repeat (a few hundred steps late in a run) give way to exact ones.
  const labels = new Set(brief).size === brief.length ? brief : steps.map((s) => s.toLocaleString('en-US'));
  steps.forEach((step, i) => {
    const x = px(step);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, y);
    ctx.lineTo(Math.round(x) + 0.5, y + 3);
    ctx.stroke();
    const text = labels[i];
    const w = ctx.measureText(text).width;
    ctx.textAlign = x - w / 2 < box.x ? 'left' : x + w / 2 > box.x + box.w ? 'right' : 'center';
    ctx.fillText(text, x, y + 3);
  });
}

const AXIS_H = 14;

/**
 * Lines over steps with a step axis: `series` is [{ values: (number|null)[], color, dashed }],
 * aligned with `steps`. Options: `range` [lo, hi] fixes the y range (values outside are clipped);
 * `reference` { value, label } draws a dashed line (a chance level); `log` uses a log10 scale when
 * every value is positive; `from` starts the step axis there (default the first step); `markers`
 * marks each point of a sparse series (dots; rings for dashed series).
 * Returns what it drew: { from, to, points } (null when there was nothing to draw).
 */
export function drawLines(ctx, box, steps, series, options = {}) {
  const { range, reference, from } = options;
  let lo = Infinity;
  let hi = -Infinity;
  let points = 0;
  for (const s of series)
    for (const v of s.values)
      if (v !== null && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        points++;
      }
  const plot = { x: box.x, y: box.y, w: box.w, h: box.h - AXIS_H };
  if (points === 0 || steps.length === 0) {
    drawEmpty(ctx, plot, options.empty ?? 'no value yet');
    return null;
  }
  const log = options.log === true && lo > 0 && hi / lo > 20;
  if (range) [lo, hi] = range;
  else if (reference && Number.isFinite(reference.value))
    [lo, hi] = [Math.min(lo, reference.value), Math.max(hi, reference.value)];
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const f = log ? Math.log10 : (v) => v;
  const [flo, fhi] = [f(lo), f(hi)];
  ctx.font = FONT;
  const fmt = axisLabel;
  const pad = Math.max(ctx.measureText(fmt(hi)).width, ctx.measureText(fmt(lo)).width) + 5;
  // A run seen from (nearly) its start gets an axis from 0.
  const first = from ?? steps[0];
  const x0 = first > 0 && first <= 0.01 * steps[steps.length - 1] ? 0 : first;
  const x1 = Math.max(steps[steps.length - 1], x0 + 1);
  const inner = { x: plot.x + pad, y: plot.y, w: plot.w - pad - 2, h: plot.h };
  const px = (step) => inner.x + ((step - x0) / (x1 - x0)) * inner.w;
  const py = (v) => inner.y + 3 + (1 - (f(Math.min(hi, Math.max(lo, v))) - flo) / (fhi - flo)) * (inner.h - 6);
  ctx.fillStyle = TEXT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(fmt(hi), plot.x, plot.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText(fmt(lo), plot.x, plot.y + plot.h);
  if (log) {
    ctx.textBaseline = 'middle';
    ctx.fillText('log', plot.x, plot.y + plot.h / 2);
  }
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (const v of [lo, hi]) {
    ctx.beginPath();
    ctx.moveTo(inner.x, Math.round(py(v)) + 0.5);
    ctx.lineTo(inner.x + inner.w, Math.round(py(v)) + 0.5);
    ctx.stroke();
  }
  drawStepAxis(ctx, { x: inner.x, y: plot.y, w: inner.w, h: plot.h }, x0, x1, px);
  if (reference && Number.isFinite(reference.value) && reference.value >= lo && reference.value <= hi) {
    const y = Math.round(py(reference.value)) + 0.5;
    ctx.strokeStyle = TEXT;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(inner.x, y);
    ctx.lineTo(inner.x + inner.w, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = TEXT;
    ctx.textAlign = 'right';
    ctx.textBaseline = y - inner.y > 12 ? 'bottom' : 'top';
    ctx.fillText(reference.label, inner.x + inner.w, y + (ctx.textBaseline === 'top' ? 1 : -1));
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(inner.x, inner.y, inner.w + 2, inner.h);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.dashed ? 1 : 1.5;
    ctx.setLineDash(s.dashed ? [3, 3] : []);
    const columns = s.dashed ? null : perColumn(s.values, steps, x0, px, inner);
    if (columns) {
      // More points than pixels: each column's range as a faint band, its mean as the line.
      ctx.fillStyle = s.color;
      ctx.globalAlpha = 0.28;
      for (const c of columns) ctx.fillRect(c.x, py(c.max), 1, Math.max(1, py(c.min) - py(c.max)));
      ctx.globalAlpha = 1;
      ctx.beginPath();
      columns.forEach((c, i) =>
        (i === 0 || c.x - columns[i - 1].x > 3 ? ctx.moveTo : ctx.lineTo).call(ctx, c.x, py(c.mean)),
      );
      ctx.stroke();
      continue;
    }
    ctx.beginPath();
    let pen = false;
    let alone = null;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v) || steps[i] < x0) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(px(steps[i]), py(v));
      else {
        ctx.moveTo(px(steps[i]), py(v));
        alone = [px(steps[i]), py(v)];
      }
      pen = true;
    });
    ctx.stroke();
    // A series of one point so far still shows where it is; with `markers` every point does.
    if (alone && s.values.filter((v) => v !== null && Number.isFinite(v)).length === 1 && !options.markers) {
      ctx.fillStyle = s.color;
      ctx.fillRect(alone[0] - 1.5, alone[1] - 1.5, 3, 3);
    }
    const count = s.values.filter((v) => v !== null && Number.isFinite(v)).length;
    if (options.markers && count <= inner.w / 10) {
      ctx.setLineDash([]);
      s.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v) || steps[i] < x0) return;
        ctx.beginPath();
        ctx.arc(px(steps[i]), py(v), 2.2, 0, 2 * Math.PI);
        if (s.dashed) {
          ctx.lineWidth = 1;
          ctx.stroke();
        } else {
          ctx.fillStyle = s.color;
          ctx.fill();
        }
      });
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
  return { from: x0, to: x1, points };
}

/** Min, max and mean of the finite values per pixel column, or null when there are fewer points than columns. */
function perColumn(values, steps, x0, px, inner) {
  let count = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) count++;
  if (count <= inner.w) return null;
  const columns = new Map();
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v) || steps[i] < x0) return;
    const x = Math.floor(px(steps[i]));
    const c = columns.get(x);
    if (c) {
      c.min = Math.min(c.min, v);
      c.max = Math.max(c.max, v);
      c.sum += v;
      c.n++;
    } else columns.set(x, { x, min: v, max: v, sum: v, n: 1 });
  });
  return [...columns.values()].map((c) => ({ ...c, mean: c.sum / c.n }));
}

/** Bars of class probabilities; the class that came gets an outline and a marker under its bar. */
export function drawBars(ctx, box, probabilities, actual, labels) {
  const n = probabilities.length;
  const labelSpace = n <= 40 ? 13 : 0;
  const slot = box.w / n;
  const barW = Math.max(1, slot * 0.7);
  const top = box.y + 2;
  const bottom = box.y + box.h - labelSpace - 5;
  let best = 0;
  for (let k = 1; k < n; k++) if (probabilities[k] > probabilities[best]) best = k;
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  ctx.moveTo(box.x, bottom + 0.5);
  ctx.lineTo(box.x + box.w, bottom + 0.5);
  ctx.stroke();
  ctx.font = n > 16 ? '9px system-ui, sans-serif' : '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (let k = 0; k < n; k++) {
    const p = Math.min(1, Math.max(0, probabilities[k]));
    const x = box.x + k * slot + (slot - barW) / 2;
    const h = p * (bottom - top);
    ctx.fillStyle = k === best ? COLORS[1] : '#3a4654';
    ctx.fillRect(x, bottom - h, barW, h);
    if (k === actual) {
      ctx.strokeStyle = COLORS[0];
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x - 1, top, barW + 2, bottom - top);
      ctx.fillStyle = COLORS[0];
      ctx.fillRect(x, bottom + 1, barW, 3);
    }
    if (labelSpace) {
      ctx.fillStyle = k === actual ? COLORS[0] : k === best ? COLORS[1] : TEXT;
      ctx.fillText(labels?.[k] ?? String(k), x + barW / 2, box.y + box.h);
    }
  }
}

/** An axis bound: as few digits as tell it apart (1, 0.5, 0.143, 2.4e-4). */
export function axisLabel(v) {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** Bars of a few values around a zero line, each labelled with its dimension. */
export function drawValueBars(ctx, box, values) {
  const n = Math.min(values.length, 16);
  let m = 1e-6;
  for (let d = 0; d < n; d++) if (Number.isFinite(values[d])) m = Math.max(m, Math.abs(values[d]));
  const lo = Array.prototype.some.call(values.slice(0, n), (v) => v < 0) ? -m : 0;
  const hi = m;
  const bottom = box.y + box.h - 14;
  const top = box.y + 10;
  const py = (v) => top + ((hi - v) / (hi - lo)) * (bottom - top);
  const slot = box.w / n;
  ctx.font = FONT;
  ctx.textAlign = 'center';
  for (let d = 0; d < n; d++) {
    const v = values[d];
    const x = box.x + d * slot + slot * 0.2;
    ctx.fillStyle = COLORS[d % COLORS.length];
    ctx.fillRect(x, Math.min(py(v), py(0)), slot * 0.6, Math.abs(py(v) - py(0)));
    ctx.fillStyle = TEXT;
    ctx.textBaseline = 'bottom';
    ctx.fillText(`dim ${d}`, x + slot * 0.3, box.y + box.h);
    ctx.textBaseline = 'bottom';
    ctx.fillText(short(v), x + slot * 0.3, Math.min(py(v), py(0)) - 1);
  }
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  ctx.moveTo(box.x, Math.round(py(0)) + 0.5);
  ctx.lineTo(box.x + box.w, Math.round(py(0)) + 0.5);
  ctx.stroke();
}

/** A number in at most about six characters. */
export function short(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(3);
}

// Drawing primitives of the viewer: sharp canvases on any pixel ratio, heat strips of unit
// values, line charts over recent steps, and class bars with the actual class marked.

export const COLORS = ['#f5a524', '#58a6ff', '#3fb950', '#d2a8ff', '#ff7b72', '#39c5cf', '#e3b341', '#8b949e'];
const GRID = '#262d37';
const TEXT = '#7d8794';

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

// Signed units diverge from a dark zero; non-negative units climb from dark to bright.
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
  return (v) => {
    let t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    t = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
    return t < 0.5 ? mix(stops[0], stops[1], t * 2) : mix(stops[1], stops[2], t * 2 - 1);
  };
}

/** The value range to colour a layer's units with: fixed for bounded units, else by magnitude. */
export function unitRange(units, values) {
  if (units === 'sigmoid' || units === 'binary') return [0, 1];
  if (units === 'tanh' || units === 'sign') return [-1, 1];
  let m = 1e-6;
  for (const array of values) if (array) for (const v of array) if (Math.abs(v) > m) m = Math.abs(v);
  return units === 'relu' ? [0, m] : [-m, m];
}

const scratch = document.createElement('canvas');

/** Draws `values` as a grid of `cols` cells filling the box, one cell per unit. */
export function drawHeat(ctx, values, box, cols, scale) {
  const rows = Math.ceil(values.length / cols);
  scratch.width = cols;
  scratch.height = rows;
  const sctx = scratch.getContext('2d');
  const image = sctx.createImageData(cols, rows);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = scale(values[i]);
    image.data.set([r, g, b, 255], i * 4);
  }
  sctx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, box.x, box.y, box.w, box.h);
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

/**
 * Lines over steps: `series` is [{ values: (number|null)[], color, dashed }], all aligned with
 * `steps`. The y range fits the data; its bounds are written at the left edge.
 */
export function drawLines(ctx, box, steps, series, fixed) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s.values)
      if (v !== null && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  if (fixed) [lo, hi] = [Math.min(lo, fixed[0]), Math.max(hi, fixed[1])];
  if (!Number.isFinite(lo) || steps.length < 2) return drawEmpty(ctx, box, 'waiting for steps');
  if (hi - lo < 1e-9) {
    hi += 0.5;
    lo -= 0.5;
  }
  ctx.font = '9px system-ui, sans-serif';
  const pad = Math.max(ctx.measureText(short(hi)).width, ctx.measureText(short(lo)).width) + 6;
  const x0 = steps[0];
  const span = Math.max(1, steps[steps.length - 1] - x0);
  const px = (step) => box.x + pad + ((step - x0) / span) * (box.w - pad - 2);
  const py = (v) => box.y + 3 + (1 - (v - lo) / (hi - lo)) * (box.h - 6);
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(box.x + pad, py(lo) + 0.5);
  ctx.lineTo(box.x + box.w, py(lo) + 0.5);
  ctx.stroke();
  ctx.fillStyle = TEXT;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(short(hi), box.x, box.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText(short(lo), box.x, box.y + box.h);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.dashed ? 1 : 1.5;
    ctx.setLineDash(s.dashed ? [3, 3] : []);
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(px(steps[i]), py(v));
      else ctx.moveTo(px(steps[i]), py(v));
      pen = true;
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** Bars of class probabilities; the actual class gets an outline and a marker under its bar. */
export function drawBars(ctx, box, probabilities, actual, labels) {
  const n = probabilities.length;
  const labelSpace = n <= 16 ? 14 : 0;
  const slot = box.w / n;
  const barW = Math.max(1, slot * 0.7);
  const top = box.y + 2;
  const bottom = box.y + box.h - labelSpace - 6;
  let best = 0;
  for (let k = 1; k < n; k++) if (probabilities[k] > probabilities[best]) best = k;
  ctx.font = '10px system-ui, sans-serif';
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
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, top, barW + 2, bottom - top);
      ctx.fillStyle = COLORS[0];
      ctx.fillRect(x, bottom + 2, barW, 3);
    }
    if (labelSpace) {
      ctx.fillStyle = k === actual ? COLORS[0] : TEXT;
      ctx.fillText(labels?.[k] ?? String(k), x + barW / 2, box.y + box.h);
    }
  }
}

/** A number in at most about six characters. */
export function short(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(3);
}
